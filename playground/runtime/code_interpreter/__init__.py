"""Code interpreter for the embedded runtime: a real Jupyter kernel per thread.

``CodeInterpreter(root_dir, limits=Limits(...))`` runs cells with ``execute`` and
returns an ``ExecutionResult``. Each session (a thread id) has a folder under
``root_dir`` that is ``/mnt/data`` inside the kernel's bubblewrap sandbox. What is
enforced on which OS is documented in ``sandbox.py``.
"""

from .interpreter import CodeInterpreter
from .kernel import KernelStartError
from .limits import GIB, MIB, Limits
from .result import ExecutionResult
from .sandbox import Isolation, Mode, choose_isolation

__all__ = [
    "GIB",
    "MIB",
    "CodeInterpreter",
    "ExecutionResult",
    "Isolation",
    "KernelStartError",
    "Limits",
    "Mode",
    "choose_isolation",
]
