"""Qt's offscreen platform with a desktop-sized screen, for tests, screenshots and benches.

The offscreen platform's own screen is 800x800, smaller than FairShare's window, which
would then be squeezed to its minimum size. A screen description file gives it a
1920x1200 screen at 96 dpi instead. Plain Python: call it before the QApplication exists.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

SCREEN = {
    "x": 0,
    "y": 0,
    "width": 1920,
    "height": 1200,
    "logicalDpi": 96,
    "logicalBaseDpi": 96,
    "dpr": 1,
}


def desktop_platform(name: str) -> str:
    """The ``QT_QPA_PLATFORM`` value: offscreen with a desktop-sized screen called
    ``name`` (described in a file of that name in the temporary folder)."""
    path = Path(tempfile.gettempdir()) / f"fairshare-{name}-screen.json"
    path.write_text(json.dumps({"screens": [{"name": name, **SCREEN}]}), "utf-8")
    return f"offscreen:configfile={path}"
