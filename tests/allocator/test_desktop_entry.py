"""``fairshare --install-desktop`` and ``--uninstall-desktop`` in a throwaway XDG home."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from defusedxml import ElementTree

from allocator import desktop_entry
from allocator.cli import main

ROOT = Path(__file__).resolve().parents[2]
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


@pytest.fixture
def xdg(tmp_path, monkeypatch) -> dict[str, str]:
    """XDG folders of the test's own, empty, set in the environment."""
    data, config = tmp_path / "data", tmp_path / "config"
    data.mkdir()
    config.mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    return dict(os.environ)


@pytest.fixture
def pngs(tmp_path) -> Path:
    folder = tmp_path / "bundle-icons"
    folder.mkdir()
    for n in desktop_entry.HICOLOR_SIZES:
        (folder / f"fairshare-{n}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([n % 256]))
    return folder


def everything_under(*folders: str) -> list[Path]:
    return sorted(p for f in folders for p in Path(f).rglob("*"))


def test_install_writes_the_entry_the_mime_type_and_the_icons(xdg, pngs):
    home = Path(xdg["XDG_DATA_HOME"])
    change = desktop_entry.install("/opt/FairShare/fairshare", icons=pngs, run_tools=False)
    assert set(change.files) == set(desktop_entry.installed_paths(home))
    entry = (home / "applications" / "fairshare.desktop").read_text(encoding="utf-8")
    assert entry.startswith("[Desktop Entry]\n")
    assert "Exec=/opt/FairShare/fairshare %f\n" in entry
    assert "MimeType=application/x-fairshare;\n" in entry
    assert "Icon=fairshare\n" in entry
    for n in desktop_entry.HICOLOR_SIZES:
        png = home / "icons" / "hicolor" / f"{n}x{n}" / "apps" / "fairshare.png"
        assert png.read_bytes() == (pngs / f"fairshare-{n}.png").read_bytes()
    assert (home / "icons/hicolor/scalable/apps/fairshare.svg").read_text().startswith("<svg")


def test_the_mime_type_is_valid_shared_mime_info_xml(xdg):
    desktop_entry.install("/x/fairshare", run_tools=False)
    path = Path(xdg["XDG_DATA_HOME"]) / "mime" / "packages" / "fairshare.xml"
    root = ElementTree.parse(path).getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    (mime,) = root.findall(f"{MIME_NS}mime-type")
    assert mime.get("type") == "application/x-fairshare"
    assert [g.get("pattern") for g in mime.findall(f"{MIME_NS}glob")] == ["*.fairshare"]
    assert mime.find(f"{MIME_NS}comment").text == "FairShare project"


def test_from_source_the_svg_icon_is_installed_and_exec_is_the_running_fairshare(xdg):
    change = desktop_entry.install(run_tools=False)
    home = Path(xdg["XDG_DATA_HOME"])
    assert not any(p.suffix == ".png" for p in change.files)
    entry = (home / "applications" / "fairshare.desktop").read_text(encoding="utf-8")
    exe = desktop_entry.running_executable()
    assert f"Exec={desktop_entry.exec_quote(exe)} %f" in entry


def test_uninstall_leaves_nothing_behind(xdg, pngs):
    before = everything_under(xdg["XDG_DATA_HOME"], xdg["XDG_CONFIG_HOME"])
    desktop_entry.install("/opt/fairshare", icons=pngs)  # the tools too, where installed
    removed = desktop_entry.uninstall()
    assert Path(xdg["XDG_DATA_HOME"]) / "applications" / "fairshare.desktop" in removed.files
    assert everything_under(xdg["XDG_DATA_HOME"], xdg["XDG_CONFIG_HOME"]) == before


def test_uninstall_keeps_what_others_put_there(xdg):
    home, config = Path(xdg["XDG_DATA_HOME"]), Path(xdg["XDG_CONFIG_HOME"])
    other = home / "applications" / "other.desktop"
    other.parent.mkdir()
    other.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\n")
    listing = config / "mimeapps.list"
    listing.write_text("[Default Applications]\ntext/plain=other.desktop\n")
    desktop_entry.install("/opt/fairshare", run_tools=False)
    listing.write_text(listing.read_text() + "application/x-fairshare=fairshare.desktop\n")
    desktop_entry.uninstall(run_tools=False)
    assert other.exists()
    assert listing.read_text() == "[Default Applications]\ntext/plain=other.desktop\n"
    assert not (home / "mime").exists()
    assert not (home / "icons").exists()


@pytest.mark.parametrize(
    "path, quoted",
    [
        ("/opt/fairshare/fairshare", "/opt/fairshare/fairshare"),
        ("/home/a b/fairshare", '"/home/a b/fairshare"'),
        ('/odd/"$x`%\\/fairshare', '"/odd/\\\\"\\\\$x\\\\`%%\\\\\\\\/fairshare"'),
    ],
)
def test_exec_paths_are_quoted_as_the_specification_says(path, quoted):
    assert desktop_entry.exec_quote(path) == quoted


def test_the_command_installs_and_uninstalls(xdg, capsys):
    assert main(["--install-desktop"]) == 0
    out = capsys.readouterr().out
    assert "fairshare.desktop" in out and "applications menu" in out
    assert main(["--uninstall-desktop"]) == 0
    assert "Removed" in capsys.readouterr().out
    assert main(["--uninstall-desktop"]) == 0
    assert "Nothing to remove" in capsys.readouterr().out


def test_the_options_are_in_help_and_import_no_qt(xdg):
    code = (
        "import sys\n"
        "from allocator.cli import main\n"
        "assert main(['--install-desktop']) == 0\n"
        "assert main(['--uninstall-desktop']) == 0\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'ui'))\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    helped = subprocess.run(
        [sys.executable, "-m", "allocator.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert "--install-desktop" in helped.stdout


@pytest.mark.skipif(shutil.which("xdg-mime") is None, reason="xdg-utils is not installed")
def test_xdg_mime_names_fairshare_the_default(xdg, tmp_path):
    desktop_entry.install("/opt/fairshare/fairshare")
    query = ["xdg-mime", "query", "default", "application/x-fairshare"]
    done = subprocess.run(query, capture_output=True, text=True, timeout=60, env=xdg)
    assert done.stdout.strip() == "fairshare.desktop"
    if shutil.which("update-mime-database"):
        project = tmp_path / "plan.fairshare"
        project.write_text('{"format": "fairshare-project"}', encoding="utf-8")
        kind = subprocess.run(
            ["xdg-mime", "query", "filetype", str(project)],
            capture_output=True,
            text=True,
            timeout=60,
            env=xdg,
        )
        assert kind.stdout.strip() == "application/x-fairshare"
    desktop_entry.uninstall()
    done = subprocess.run(query, capture_output=True, text=True, timeout=60, env=xdg)
    assert done.stdout.strip() != "fairshare.desktop"
