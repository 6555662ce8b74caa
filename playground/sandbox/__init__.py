"""Work on untrusted input in a child process with time and memory limits.

Deliberately light: a child starts with ``python -m playground.sandbox.<module>`` and must not
pay for importing the client (httpx, pydantic models, the run driver: about a second), so
nothing here imports the rest of the project or Qt.
"""
