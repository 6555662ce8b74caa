"""Every matplotlib figure a cell draws reaches the user, through the real runtime.

A real server process, a real kernel, the scripted model: each plotting style must give
exactly the expected number of PNG ``image`` outputs in the run step, and the assistant
message must lead with one ``image_file`` part per image, before its text.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers.runtime_process import RuntimeServer, http_client
from tests.helpers.scripted_llm import ScriptedLLM, code, text

SINE = "import numpy as np\nx = np.linspace(0, 6.3, 100)\n"

STYLES = {
    "agg_forced_before_pyplot": (
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
        + SINE
        + "plt.plot(x, np.sin(x))\nplt.show()",
        1,
    ),
    "agg_forced_after_pyplot": (
        "import matplotlib.pyplot as plt\nimport matplotlib\nmatplotlib.use('Agg')\n"
        + SINE
        + "plt.plot(x, np.sin(x))\nplt.show()\nplt.show()",
        1,
    ),
    "no_show_at_all": (
        "import matplotlib\nmatplotlib.use('agg')\nimport matplotlib.pyplot as plt\n"
        + SINE
        + "fig, ax = plt.subplots()\nax.plot(x, x)",
        1,
    ),
    "dark_background_show_before_style": (
        "import matplotlib.pyplot as plt\n"
        + SINE
        + "plt.plot(x, np.sin(x))\nplt.show()\nplt.style.use('dark_background')\n"
        "plt.plot(x, np.cos(x))\nplt.show()",
        2,
    ),
    "dark_background_with_agg": (
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
        "plt.style.use('dark_background')\n" + SINE + "plt.plot(x, np.sin(x))\nplt.show()",
        1,
    ),
    "three_figures": (
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
        + SINE
        + "for k in range(3):\n    plt.figure()\n    plt.plot(x, np.sin(k * x))\nplt.show()",
        3,
    ),
    "seaborn_style_and_pandas": (
        "import matplotlib.pyplot as plt\nimport pandas as pd\n"
        "plt.style.use('seaborn-v0_8-darkgrid')\n"
        "df = pd.DataFrame({'a': [1, 3, 2], 'b': [2, 1, 3]})\n"
        "df.plot()\ndf.plot(kind='bar')\nplt.show()",
        2,
    ),
    "pil_image_display": (
        "from PIL import Image\nfrom IPython.display import display\n"
        "display(Image.new('RGB', (20, 10), 'red'))",
        1,
    ),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_each_plotting_style_gives_the_expected_pngs(
    style: str, client: Any, module_llm: ScriptedLLM, llm_runtime: RuntimeServer
) -> None:
    source, expected = STYLES[style]
    module_llm.queue(code(source), text("Here is the plot."))
    assistant = client.beta.assistants.create(
        model="gpt-4o", instructions="Plot.", tools=[{"type": "code_interpreter"}]
    )
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Plot it."}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )
    assert run.status == "completed", run.last_error
    steps = client.beta.threads.runs.steps.list(
        thread_id=thread.id, run_id=run.id, order="asc"
    ).data
    outputs = steps[0].step_details.tool_calls[0].code_interpreter.outputs
    images = [o.image.file_id for o in outputs if o.type == "image"]
    logs = "".join(o.logs for o in outputs if o.type == "logs")
    assert len(images) == expected, logs
    with http_client(llm_runtime) as http:
        for file_id in images:
            body = _content(http, file_id)
            assert body[:8] == b"\x89PNG\r\n\x1a\n"
    message = client.beta.threads.messages.list(thread_id=thread.id, order="desc").data[0]
    kinds = [part.type for part in message.content]
    assert kinds == ["image_file"] * expected + ["text"]
    assert [part.image_file.file_id for part in message.content[:expected]] == images


def _content(http: httpx.Client, file_id: str) -> bytes:
    response = http.get(f"/files/{file_id}/content")
    response.raise_for_status()
    return response.content
