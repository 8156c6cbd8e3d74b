"""Process settings made once at start-up by the faces."""

from __future__ import annotations

import logging


def quiet_libraries() -> None:
    """pyHanko and its certificate validator log what they recover from (a suspicious update, an unreachable
    responder) as warnings with tracebacks; the commands report those outcomes themselves, with codes, so only
    the libraries' errors reach the terminal."""
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.ERROR)
