"""Local persistence: connection profiles, keys (keyring only), the thread index, drafts, the
output cache and function modes. SQLite + platformdirs; plain blocking functions, safe to call
from worker threads. Entry point: ``playground.store.store.open_store()``.
"""
