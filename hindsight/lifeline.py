"""Processes `hindsight serve` starts die with it, even when it is killed with SIGKILL.

A killed serve cannot stop its children: granian's web workers would keep
listening on the port (answering with nobody to respawn them) and the
background worker would run unsupervised. So serve notes its pid in the
environment its children inherit, and each child asks Linux to signal it
when its parent dies (``PR_SET_PDEATHSIG``). Elsewhere this does nothing;
`hindsight serve` then refuses to start while orphans still hold the port.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys

log = logging.getLogger(__name__)

ENV = "_HINDSIGHT_SERVE_PID"  # internal: set by serve for its own children only
_PR_SET_PDEATHSIG = 1


def hold() -> None:
    """Mark this process as the serve whose children should die with it."""
    os.environ[ENV] = str(os.getpid())


def die_with_serve(sig: signal.Signals = signal.SIGKILL) -> bool:
    """In a child of serve: get ``sig`` when serve dies; True when that was arranged."""
    parent = os.environ.get(ENV, "")
    if not parent.isdigit() or not sys.platform.startswith("linux"):
        return False
    if os.getpid() == int(parent):
        return False  # serve itself (granian imports the app here too when it forks)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        log.warning("cannot ask to die with serve: errno %s", ctypes.get_errno())
        return False
    if os.getppid() != int(parent):
        os.kill(os.getpid(), sig)  # serve died before we asked: go now
    return True
