"""Small pieces shared by everything that replaces a file in one step."""

from __future__ import annotations

import os
from pathlib import Path


def _read_umask() -> int:
    """The process umask, read without changing it where the system can tell.

    Linux reports it in /proc; elsewhere the only way is to set it and put it back,
    which is done once, when this module is first imported (before any worker thread
    of the app starts).
    """
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def current_umask() -> int:
    """The umask new files get their permissions from, as read once at import.

    Reading it per save would briefly change a process-wide setting while other
    threads (a solve in the desktop app) may be creating files.
    """
    return _UMASK


def new_file_mode() -> int:
    """Permissions for a newly created file, as the system would give it."""
    return 0o666 & ~current_umask()


def sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the system allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
