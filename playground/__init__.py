"""Assistants Playground: a desktop playground and an embedded Assistants-v2 server."""

__version__ = "0.1.0"
