"""The built desktop bundle, run as a person would: no Python on PATH, a home of its own.

These tests run only when ``FAIRSHARE_BUNDLE`` names the built folder
(``./test --bundle`` builds it with ``./build`` and sets it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "sample.fairshare"
PYTHON_NAMES = ("python", "python3", "python3.11", "python3.12", "python3.13", "python.exe")


def bundle_folder() -> Path | None:
    value = os.environ.get("FAIRSHARE_BUNDLE", "")
    return Path(value).resolve() if value else None


def executable_in(folder: Path) -> Path:
    return folder / ("fairshare.exe" if sys.platform == "win32" else "fairshare")


def path_without_python(path: str) -> str:
    """PATH with every folder that holds a Python interpreter (or a venv) left out."""
    kept = []
    for folder in path.split(os.pathsep):
        if not folder or any((Path(folder) / name).exists() for name in PYTHON_NAMES):
            continue
        kept.append(folder)
    return os.pathsep.join(kept)


def bare_environment(home: Path) -> dict[str, str]:
    """What a person's session gives the app: no Python anywhere, a fresh home."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "CONDA", "FAIRSHARE_", "QT_", "PYTEST"))
    }
    for name in ("config", "data", "cache", "tmp"):
        (home / name).mkdir(parents=True, exist_ok=True)
    env.update(
        PATH=path_without_python(env.get("PATH", "")),
        HOME=str(home),
        USERPROFILE=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        TMPDIR=str(home / "tmp"),
        TEMP=str(home / "tmp"),
        TMP=str(home / "tmp"),
    )
    return env


@pytest.fixture(scope="session")
def bundle() -> Path:
    folder = bundle_folder()
    if folder is None:
        pytest.skip("FAIRSHARE_BUNDLE does not name a built bundle (./test --bundle builds one)")
    if not executable_in(folder).is_file():
        pytest.fail(f"FAIRSHARE_BUNDLE={folder} holds no fairshare executable")
    return folder


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def run_bundle(bundle, home, tmp_path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the bundled ``fairshare`` with arguments, from a folder of its own."""
    env = bare_environment(home)
    work = tmp_path / "work"
    work.mkdir()

    def run(*args: str, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(executable_in(bundle)), *args],
            env={**env, **extra},
            cwd=work,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
