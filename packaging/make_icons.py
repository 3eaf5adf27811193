"""Make FairShare's icon files from ``resources/icons/app.svg`` at build time.

``python packaging/make_icons.py OUT_FOLDER`` writes ``fairshare-<n>.png`` for each size in
``SIZES`` (painted by Qt's SVG renderer), ``fairshare.ico`` (Windows) and
``fairshare.icns`` (macOS). Both containers simply hold the PNGs (Windows Vista and
macOS 10.7 onwards read PNG entries), so the same code runs on every platform and no
icon file is kept in the repository.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "app.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns chunk types that hold a PNG of the given pixel size (retina types reuse sizes)
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)


def render_pngs(svg: Path, sizes: tuple[int, ...]) -> dict[int, bytes]:
    """The SVG painted at each size, as PNG bytes."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {svg}")
    out: dict[int, bytes] = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        out[size] = bytes(data.data())
    del app
    return out


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG entry per size (256 is written as 0)."""
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, images = b"", b""
    for s in sizes:
        data = pngs[s]
        side = 0 if s >= 256 else s
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        images += data
        offset += len(data)
    return header + entries + images


def icns(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding PNG chunks."""
    chunks = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[s])) + pngs[s] for kind, s in ICNS_TYPES if s in pngs
    )
    return b"icns" + struct.pack(">I", 8 + len(chunks)) + chunks


def make_icons(out: Path, svg: Path = SVG) -> dict[str, Path]:
    """Write the PNGs, the .ico and the .icns into ``out``; their paths by kind."""
    out.mkdir(parents=True, exist_ok=True)
    pngs = render_pngs(svg, SIZES)
    paths: dict[str, Path] = {}
    for size, data in pngs.items():
        path = out / f"fairshare-{size}.png"
        path.write_bytes(data)
        paths[f"png{size}"] = path
    paths["ico"] = out / "fairshare.ico"
    paths["ico"].write_bytes(ico(pngs))
    paths["icns"] = out / "fairshare.icns"
    paths["icns"].write_bytes(icns(pngs))
    return paths


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_icons.py OUT_FOLDER")
    for kind, path in make_icons(Path(sys.argv[1])).items():
        print(f"{kind}\t{path}")
