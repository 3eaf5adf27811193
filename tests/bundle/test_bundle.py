"""The bundled ``fairshare`` does what the source ``fairshare`` does, with no Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from tests.bundle.conftest import ROOT, SAMPLE, bare_environment, executable_in


def real_files(folder: Path) -> list[Path]:
    """Every file under ``folder``, links not followed (the bundle links libraries)."""
    return [
        Path(top) / name
        for top, _dirs, names in os.walk(folder)
        for name in names
        if not (Path(top) / name).is_symlink()
    ]


def files_in(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in real_files(folder)}


def test_no_python_is_on_the_path_it_runs_with(home):
    env = bare_environment(home)
    for folder in env["PATH"].split(os.pathsep):
        assert not (Path(folder) / "python3").exists()
    assert Path(sys.executable).parent.as_posix() not in env["PATH"].split(os.pathsep)


def test_solve_json_is_the_sources(run_bundle):
    bundled = run_bundle("solve", str(SAMPLE), "--json")
    assert bundled.returncode == 0, bundled.stderr
    source = subprocess.run(
        [sys.executable, "-m", "allocator.cli", "solve", str(SAMPLE), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert source.returncode == 0, source.stderr
    assert json.loads(bundled.stdout) == json.loads(source.stdout)


def test_export_writes_a_workbook_openpyxl_reads(run_bundle, tmp_path):
    out = tmp_path / "budget.xlsx"
    done = run_bundle("export", str(SAMPLE), str(out))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    assert len(book.sheetnames) >= 2
    assert any(cell.value for row in book.worksheets[0].iter_rows() for cell in row)


def test_bad_input_exits_2_with_words_and_no_traceback(run_bundle, tmp_path):
    missing = tmp_path / "nowhere.fairshare"
    done = run_bundle("solve", str(missing))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "fairshare:" in done.stderr


def test_help_and_version(run_bundle):
    helped = run_bundle("--help")
    assert helped.returncode == 0 and "solve" in helped.stdout
    assert "smoke" not in helped.stdout.lower()
    version = run_bundle("--version")
    assert version.returncode == 0 and version.stdout.startswith("fairshare ")


@pytest.mark.parametrize("with_path", [False, True], ids=["first-start", "a-project"])
def test_the_window_opens_offscreen_and_closes_cleanly(bundle, run_bundle, home, with_path):
    before = files_in(bundle)
    args = [str(SAMPLE)] if with_path else []
    done = run_bundle(*args, QT_QPA_PLATFORM="offscreen", FAIRSHARE_SMOKE_TEST="1")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    # nothing written into the bundle, nothing left in the temporary folder; the
    # settings are the only thing in the person's home
    assert files_in(bundle) == before
    assert not any((home / "tmp").iterdir())
    written = {p.relative_to(home).parts[0] for p in home.rglob("*") if p.is_file()}
    assert written <= {"config", "data", "cache"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG desktops only")
def test_install_desktop_points_at_the_bundle_and_installs_png_icons(run_bundle, bundle, home):
    done = run_bundle("--install-desktop")
    assert done.returncode == 0, done.stderr
    entry = (home / "data" / "applications" / "fairshare.desktop").read_text(encoding="utf-8")
    assert f"Exec={executable_in(bundle)} %f" in entry or str(executable_in(bundle)) in entry
    icons = home / "data" / "icons" / "hicolor"
    assert (icons / "256x256" / "apps" / "fairshare.png").read_bytes().startswith(b"\x89PNG")
    assert (icons / "16x16" / "apps" / "fairshare.png").is_file()
    undone = run_bundle("--uninstall-desktop")
    assert undone.returncode == 0, undone.stderr
    assert not (home / "data" / "applications" / "fairshare.desktop").exists()
    assert not (icons / "256x256").exists()


def test_the_bundle_carries_no_webengine_quick_or_cbc(bundle):
    names = [name.lower() for _top, dirs, files in os.walk(bundle) for name in dirs + files]
    for unwanted in ("webengine", "qt6quick", "qt6qml", "qt63d", "cbc"):
        assert not any(unwanted in n for n in names), unwanted


def test_the_bundle_is_at_most_250_mb(bundle):
    size = sum(p.stat().st_size for p in real_files(bundle))
    assert size <= 250 * 1024 * 1024, f"{size / 1e6:.0f} MB"


def test_a_second_launch_hands_its_project_to_the_running_app(bundle, run_bundle, home):
    env = {**bare_environment(home), "QT_QPA_PLATFORM": "offscreen"}
    first = subprocess.Popen(
        [str(executable_in(bundle))],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not any((home / "tmp").iterdir()):  # its socket: the first one listens
            assert first.poll() is None, "the first FairShare ended"
            assert time.monotonic() < deadline, "the first FairShare never listened"
            time.sleep(0.05)
        second = run_bundle(str(SAMPLE), QT_QPA_PLATFORM="offscreen", timeout=60)
        assert second.returncode == 0, second.stderr
        assert first.poll() is None
    finally:
        first.terminate()
        first.wait(timeout=30)
