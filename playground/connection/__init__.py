"""What a connection is, and the local runtime an embedded connection runs on — without Qt.

The window (``ui``) and the composition code (``app.py``, ``connector.py``) meet here. Before
this package, ``connector.py`` imported the window's session module and a QObject process
manager to get these plain things, so composition code depended on ``ui`` and the headless
``test`` command kept its own copy of the runtime launcher. Everything here is Qt-free and
HTTP-free, so the window, the connector and the headless tools can all import it:

* :mod:`.contract` — :class:`~.contract.Connection` (a typed api client + run driver),
  :class:`~.contract.ProfileKeys`, the :class:`~.contract.Connector` protocol and
  :class:`~.contract.ConnectionState`.
* :mod:`.embedded` — :class:`~.embedded.EmbeddedRuntime`, which starts, watches and stops
  the runtime child process and reports through plain callbacks.

The package ``__init__`` imports nothing, so importing the contract does not load asyncio's
subprocess machinery before the window has painted.
"""
