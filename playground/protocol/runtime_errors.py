"""Wire-visible error texts the embedded runtime and the window agree on.

The Assistants API limits ``last_error.code`` to a few values, so the window recognises an
unreachable model endpoint by the start of the message instead of a private code.
"""

MODEL_UNREACHABLE_PREFIX = "The model endpoint is unreachable"
