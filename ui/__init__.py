"""FairShare's desktop app (PySide6). Imports allocator; allocator never imports it.

PySide6 6.12.0 on Python 3.11 hands back ``None`` (from every method that returns
nothing) and ``True`` (from ``Signal.emit``) without taking a reference to them, so
each such call lowers their reference counts by one; after some thousands of calls
Python aborts ("deallocating None"). Python 3.12 and later cannot be hurt: these
objects are immortal there. On an older Python, when the running PySide6 shows the
fault, :func:`_guard_singletons` gives ``None``, ``True`` and ``False`` a reference
count so large that it can never run out, which is what Python 3.12 does for them.
Versions without the fault are left untouched.
"""

from __future__ import annotations

import sys

_PROBES = 64
_RESERVE = 1 << 40  # far more references than any session can drop


def _leaks() -> tuple[bool, bool]:
    """Whether a void Qt call loses a reference to None, and emit one to True."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(None)
    for _ in range(_PROBES):
        probe.setObjectName("probe")
    none_lost = before - sys.getrefcount(None) >= _PROBES
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.ping.emit()
    true_lost = before - sys.getrefcount(True) >= _PROBES
    return none_lost, true_lost


def _guard_singletons() -> bool:
    """Make None/True/False impossible to free when PySide6 drops references to them."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False  # immortal already
    none_lost, true_lost = _leaks()
    if not (none_lost or true_lost):
        return False
    import ctypes  # only on a faulty build: not paid at every start

    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object
        ctypes.c_ssize_t.from_address(id(obj)).value += _RESERVE
    return True


SINGLETONS_GUARDED = _guard_singletons()
