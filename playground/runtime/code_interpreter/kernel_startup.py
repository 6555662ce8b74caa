"""Code run silently inside each kernel: the output cap and the session binding.

The cap lives in the kernel because only there can a 100 MB ``print`` be cut before it
is serialised and sent; the server keeps its own cap as a second guard. State goes on
the ``sys`` module, never in the user's namespace, and the server reads the dropped
count through ``user_expressions`` (see ``DROPPED_EXPRESSION``).
"""

from __future__ import annotations

DROPPED_EXPRESSION = "__import__('sys')._pg_output_state['report']()"

_SETUP = r'''
def _pg_setup(cap):
    import sys

    state = {"used": 0, "dropped": 0, "cap": cap}
    sys._pg_output_state = state

    class _DropCount(int):
        """Marks the server's own query so the cap below never truncates it."""

    state["report"] = lambda: _DropCount(state["dropped"])

    class _CappedStream:
        """Forwards writes until this cell's budget is spent, then only counts."""

        def __init__(self, inner):
            self._pg_inner = inner

        def write(self, text):
            if not isinstance(text, str):
                return self._pg_inner.write(text)
            room = state["cap"] - state["used"]
            size = len(text)
            if size <= room:
                state["used"] += size
                return self._pg_inner.write(text)
            if room > 0:
                self._pg_inner.write(text[:room])
                state["used"] = state["cap"]
            state["dropped"] += size - max(room, 0)
            return size

        def writelines(self, lines):
            for line in lines:
                self.write(line)

        def __getattr__(self, name):
            return getattr(self._pg_inner, name)

    sys.stdout = _CappedStream(sys.stdout)
    sys.stderr = _CappedStream(sys.stderr)

    shell = get_ipython()
    original_format = shell.display_formatter.format

    def _capped_format(obj, include=None, exclude=None):
        data, metadata = original_format(obj, include=include, exclude=exclude)
        if isinstance(obj, _DropCount):
            return data, metadata
        text = data.get("text/plain")
        if isinstance(text, str):
            room = max(state["cap"] - state["used"], 0)
            if len(text) > room:
                state["dropped"] += len(text) - room
                data["text/plain"] = text[:room]
            state["used"] += min(len(text), room)
        return data, metadata

    shell.display_formatter.format = _capped_format

    def _reset(*_args):
        state["used"] = 0
        state["dropped"] = 0

    shell.events.register("pre_run_cell", _reset)

    def _figure_png(figure):
        import base64
        import io

        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight")
        return base64.b64encode(buffer.getvalue()).decode("ascii")

    def _flush_figures():
        """Show every open figure once, as PNG, then close it (any backend)."""
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is None:
            return
        from IPython.display import display
        from matplotlib._pylab_helpers import Gcf

        for manager in list(Gcf.get_all_fig_managers()):
            try:
                data = _figure_png(manager.canvas.figure)
            except Exception as exc:  # a broken figure must not hide the others
                print(f"[figure could not be drawn: {exc}]", file=sys.stderr)
            else:
                display({"image/png": data, "text/plain": "<Figure>"}, raw=True)
        pyplot.close("all")

    def _patch_show():
        """Make plt.show() display figures even when the code forced a non-inline backend."""
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is None or getattr(pyplot.show, "_pg_patched", False):
            return
        original = pyplot.show

        def show(*args, **kwargs):
            import matplotlib

            if "inline" in str(matplotlib.get_backend()):
                return original(*args, **kwargs)
            _flush_figures()
            return None

        show._pg_patched = True
        pyplot.show = show

    def _after_cell(*_args):
        _patch_show()
        _flush_figures()

    shell.events.register("pre_run_cell", lambda *_args: _patch_show())
    shell.events.register("post_run_cell", _after_cell)


_pg_setup({cap})
del _pg_setup
'''

_BIND = r"""
__import__("os").chdir({workdir!r})
"""


def setup_code(cap_chars: int) -> str:
    return _SETUP.replace("{cap}", str(int(cap_chars)))


def bind_code(workdir: str) -> str:
    return _BIND.replace("{workdir!r}", repr(workdir))
