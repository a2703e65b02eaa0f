"""A child process that dies with the process that started it."""
from __future__ import annotations

import os
import signal


def die_with_parent(parent: int) -> bool:
    """Ask Linux to kill this process (SIGKILL: no handler can delay it) when
    the thread that started it ends, however it ends; False if ``parent`` has
    already gone, when the request came too late and the caller should exit.
    Elsewhere than Linux this only checks the parent."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    return os.getppid() == parent
