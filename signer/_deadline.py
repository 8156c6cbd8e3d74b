"""A hard bound on a verification's wall time in the command line's main thread: an interval timer interrupts the
work wherever it is (a single difference analysis of a crafted file can run long between the checks the
verifier makes itself). Elsewhere (a worker thread, a timer already in use) only those checks bound it."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class OutOfTime(BaseException):
    """Raised by the timer. A BaseException, so that no library's `except Exception` swallows it on the way."""


def _ring(signum: int, frame: FrameType | None) -> None:
    raise OutOfTime


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
