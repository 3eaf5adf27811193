"""FairShare in a Linux desktop's menus, and ``*.fairshare`` files opening in it.

``fairshare --install-desktop`` writes, in the person's own XDG data folder
(``$XDG_DATA_HOME``, else ``~/.local/share``): a desktop entry whose ``Exec`` is the
``fairshare`` that is running (the bundle's or the virtual environment's), a MIME type
``application/x-fairshare`` for ``*.fairshare``, and the app icon in the hicolor theme
(PNG sizes when the bundle carries them, and the SVG). It then refreshes the desktop's
caches with ``update-mime-database``, ``update-desktop-database`` and makes FairShare
the default for its files with ``xdg-mime``, each only when installed.
``--uninstall-desktop`` removes exactly those files, the default it set, and the caches
that only existed because of them.

Pure Python, no Qt: it runs from the command line before any window exists.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from allocator import __version__

APP_ID = "fairshare"
DESKTOP_FILE = f"{APP_ID}.desktop"
MIME_TYPE = "application/x-fairshare"
SUFFIX = ".fairshare"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
BUNDLED_ICONS = "fairshare-icons"  # the bundle's folder of fairshare-<size>.png
TOOL_SECONDS = 30

MIME_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{MIME_TYPE}">
    <comment>FairShare project</comment>
    <sub-class-of type="application/json"/>
    <glob pattern="*{SUFFIX}"/>
    <icon name="{APP_ID}"/>
  </mime-type>
</mime-info>
"""


@dataclass
class DesktopChange:
    """What an install or uninstall did: files written or removed, and notes in words."""

    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def data_home(env: Mapping[str, str] = os.environ) -> Path:
    """The person's XDG data folder."""
    value = env.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path(env.get("HOME") or Path.home()) / ".local" / "share"


def config_home(env: Mapping[str, str] = os.environ) -> Path:
    """The person's XDG config folder (where ``xdg-mime default`` records the default)."""
    value = env.get("XDG_CONFIG_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path(env.get("HOME") or Path.home()) / ".config"


def running_executable() -> Path:
    """The ``fairshare`` that is running: the bundle's executable, or the script beside
    the virtual environment's Python."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve()
    script = Path(sys.executable).parent / ("fairshare.exe" if os.name == "nt" else "fairshare")
    if script.exists():
        return script
    return Path(sys.argv[0]).resolve()


def bundled_icons() -> Path | None:
    """The folder of PNG icons inside the bundle (None when running from source)."""
    base = getattr(sys, "_MEIPASS", None)
    if base is None:
        return None
    folder = Path(base) / BUNDLED_ICONS
    return folder if folder.is_dir() else None


def exec_quote(path: str | os.PathLike[str]) -> str:
    """One Exec argument as the Desktop Entry Specification wants it."""
    text = os.fspath(path)
    if re.fullmatch(r"[A-Za-z0-9_./+,:@=-]+", text):
        return text
    inner = re.sub(r'(["`$\\])', r"\\\1", text)
    quoted = f'"{inner}"'.replace("%", "%%")
    return quoted.replace("\\", "\\\\")  # the string escape of every desktop-file value


def desktop_entry_text(executable: str | os.PathLike[str]) -> str:
    exe = exec_quote(executable)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.0\n"
        "Name=FairShare\n"
        "GenericName=Budget split planner\n"
        "Comment=Fair, explained budget splits for charity partnerships\n"
        f"Exec={exe} %f\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "Categories=Office;Finance;\n"
        f"MimeType={MIME_TYPE};\n"
        f"StartupWMClass={APP_ID}\n"
        f"X-FairShare-Version={__version__}\n"
    )


def installed_paths(home: Path) -> list[Path]:
    """Every file an install may write, in the order it writes them."""
    icons = home / "icons" / "hicolor"
    return [
        home / "applications" / DESKTOP_FILE,
        home / "mime" / "packages" / f"{APP_ID}.xml",
        *(icons / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in HICOLOR_SIZES),
        icons / "scalable" / "apps" / f"{APP_ID}.svg",
    ]


def _write(path: Path, data: bytes, change: DesktopChange) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    change.files.append(path)


def _run(command: list[str], env: Mapping[str, str], change: DesktopChange) -> None:
    """Run a desktop tool when it is installed; a failure is told, never fatal."""
    tool = shutil.which(command[0])
    if tool is None:
        change.notes.append(f"{command[0]} is not installed; skipped")
        return
    try:
        done = subprocess.run(
            [tool, *command[1:]],
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=TOOL_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        change.notes.append(f"{command[0]} could not run: {exc}")
        return
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        change.notes.append(
            f"{command[0]} failed ({done.returncode})" + (f": {reason[-1]}" if reason else "")
        )


def _tool_env(home: Path, env: Mapping[str, str]) -> dict[str, str]:
    return {**env, "XDG_DATA_HOME": str(home)}


def install(
    executable: str | os.PathLike[str] | None = None,
    icons: Path | None = None,
    env: Mapping[str, str] = os.environ,
    run_tools: bool = True,
) -> DesktopChange:
    """Install the desktop entry, the MIME type and the icons for this person.

    ``executable`` defaults to the running ``fairshare``; ``icons`` to the bundle's PNG
    folder (from source only the SVG is installed).
    """
    home = data_home(env)
    exe = Path(executable) if executable is not None else running_executable()
    folder = icons if icons is not None else bundled_icons()
    paths = installed_paths(home)
    change = DesktopChange()
    _write(paths[0], desktop_entry_text(exe).encode("utf-8"), change)
    _write(paths[1], MIME_XML.encode("utf-8"), change)
    for size, path in zip(HICOLOR_SIZES, paths[2:-1], strict=True):
        png = folder / f"{APP_ID}-{size}.png" if folder is not None else None
        if png is not None and png.is_file():
            _write(path, png.read_bytes(), change)
    svg = resources.files("resources").joinpath("icons", "app.svg").read_bytes()
    _write(paths[-1], svg, change)
    if run_tools:
        tool_env = _tool_env(home, env)
        _run(["update-mime-database", str(home / "mime")], tool_env, change)
        _run(["update-desktop-database", str(home / "applications")], tool_env, change)
        _run(["xdg-mime", "default", DESKTOP_FILE, MIME_TYPE], tool_env, change)
    return change


def _forget_default(env: Mapping[str, str], change: DesktopChange) -> None:
    """Take the ``MIME_TYPE=fairshare.desktop`` default out of ``mimeapps.list``."""
    listing = config_home(env) / "mimeapps.list"
    if not listing.is_file():
        return
    lines = listing.read_text(encoding="utf-8").splitlines()
    mine = f"{MIME_TYPE}={DESKTOP_FILE}"
    kept = [line for line in lines if line.strip().replace(" ", "").rstrip(";") != mine]
    if kept == lines:
        return
    if all(not line.strip() or line.strip().startswith("[") for line in kept):
        listing.unlink()  # only empty sections were left: the file was there for FairShare
    else:
        listing.write_text("\n".join(kept) + "\n", encoding="utf-8")
    change.files.append(listing)


def _prune(home: Path, change: DesktopChange) -> None:
    """Remove caches and folders that only existed for FairShare's files."""
    mime = home / "mime"
    packages = mime / "packages"
    if mime.is_dir() and not (packages.is_dir() and any(packages.iterdir())):
        shutil.rmtree(mime)  # with no packages left, everything in it is generated cache
    applications = home / "applications"
    cache = applications / "mimeinfo.cache"
    if cache.is_file() and not any(applications.glob("*.desktop")):
        cache.unlink()
    for path in installed_paths(home):
        folder = path.parent
        while folder != home and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def uninstall(env: Mapping[str, str] = os.environ, run_tools: bool = True) -> DesktopChange:
    """Remove what :func:`install` wrote, and FairShare's default for its files."""
    home = data_home(env)
    change = DesktopChange()
    for path in installed_paths(home):
        if path.is_file():
            path.unlink()
            change.files.append(path)
    _forget_default(env, change)
    if run_tools:
        tool_env = _tool_env(home, env)
        if (home / "mime" / "packages").is_dir():
            _run(["update-mime-database", str(home / "mime")], tool_env, change)
        if (home / "applications").is_dir():
            _run(["update-desktop-database", str(home / "applications")], tool_env, change)
    _prune(home, change)
    return change
