from playground.app import main

raise SystemExit(main())
