"""Child processes that never outlive their parent.

A process forked for part of a job (the second process of a big order import on PostgreSQL) must end when the
process that started it ends, however it ends (a killed web or worker process too): otherwise it keeps writing
for a job already marked failed, and holds the parent's inherited sockets (the listening port among them).
"""

import ctypes
import ctypes.util
import os
import signal

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int) -> bool:
    """Call first thing in a forked child: the kernel kills this process when its parent ends (Linux prctl
    PR_SET_PDEATHSIG); if the parent already ended before the call, leave at once. Returns whether the kernel
    will do it (False where prctl is missing: then only the check at the call is made)."""
    armed = False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:  # the parent died between the fork and the prctl call
        os._exit(1)
    return armed
