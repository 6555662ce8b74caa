"""Code interpreter for the embedded runtime: a real Jupyter kernel per thread.

``CodeInterpreter(root_dir, limits=Limits(...))`` runs cells with ``execute`` and
returns an ``ExecutionResult``. Each session (a thread id) has a folder under
``root_dir`` that stands for ``/mnt/data``: it is the kernel's current directory on
every OS, and on Linux (where ``unshare`` is permitted) the folder is also
bind-mounted at ``/mnt/data`` inside the kernel's private mount namespace, so both
``open("data.csv")`` and ``open("/mnt/data/data.csv")`` work. What is enforced on
which OS is documented in ``sandbox.py``.
"""

from .interpreter import CodeInterpreter
from .kernel import KernelStartError
from .limits import GIB, MIB, Limits
from .result import ExecutionResult
from .sandbox import network_isolation

__all__ = [
    "GIB",
    "MIB",
    "CodeInterpreter",
    "ExecutionResult",
    "KernelStartError",
    "Limits",
    "network_isolation",
]
