"""The desktop bundle against the source install: size and start-up.

    python bench/bench_bundle.py                  # needs dist/fairshare (./build)
    python bench/bench_bundle.py --runs 11 --bundle path/to/fairshare

(a) Size: the bundle folder unpacked (files, links not followed), in MB, and the Linux
    tarball when there is one.
(b) ``fairshare solve SAMPLE``: the bundled executable against the source one
    (``.venv/bin/fairshare``), each a fresh process, alternating, in the same run; the
    medians of the wall time from launch to exit and their ratio.
(c) The window: ``fairshare`` with ``FAIRSHARE_SMOKE_TEST=1``, which closes the main window
    right after its first frame, offscreen, launch to exit; the same medians and ratio.

Every run has a home, settings and temporary folder of the bench's own (nothing of a
person's is touched) and, for the bundle, a PATH with no Python on it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample.fairshare"
sys.path.insert(0, str(ROOT))

from tests.bundle.conftest import bare_environment, executable_in  # noqa: E402


def unpacked_mb(folder: Path) -> float:
    total = 0
    for top, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(top) / name
            if not path.is_symlink():
                total += path.stat().st_size
    return total / 1e6


def source_executable() -> Path:
    script = Path(sys.executable).parent / "fairshare"
    if not script.exists():
        raise SystemExit(f"no source fairshare beside {sys.executable}: run from .venv")
    return script


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, timeout=300)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command} failed ({done.returncode}): {done.stderr[-2000:]!r}")
    return elapsed


def compare(
    label: str, args: list[str], bundled: Path, source: Path, runs: int, extra: dict[str, str]
) -> tuple[float, float]:
    """Median wall times (s) of the bundled and the source command, alternating."""
    times: dict[str, list[float]] = {"bundle": [], "source": []}
    with tempfile.TemporaryDirectory(prefix="fairshare-bench-bundle-") as tmp:
        for i in range(runs + 1):  # the first round warms the disk cache; not counted
            for kind, exe in (("bundle", bundled), ("source", source)):
                home = Path(tmp) / f"{kind}-{i}"
                env = bare_environment(home)
                if kind == "source":
                    env["PATH"] = os.environ.get("PATH", "")
                env.update(extra)
                elapsed = timed([str(exe), *args], env, Path(tmp))
                if i:
                    times[kind].append(elapsed)
                shutil.rmtree(home, ignore_errors=True)
    b, s = statistics.median(times["bundle"]), statistics.median(times["source"])
    print(
        f"{label:<34} bundle {b * 1000:7.0f} ms   source {s * 1000:7.0f} ms   "
        f"bundle/source {b / s:5.2f}x   (median of {runs})"
    )
    return b, s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "fairshare")
    parser.add_argument("--runs", type=int, default=7, help="runs of each (default 7)")
    args = parser.parse_args()
    bundle = args.bundle.resolve()
    bundled = executable_in(bundle)
    if not bundled.is_file():
        raise SystemExit(f"no bundle at {bundle}: build it with ./build")
    source = source_executable()

    print(f"bundle: {bundle}")
    print(f"size unpacked                      {unpacked_mb(bundle):7.1f} MB")
    for tarball in sorted((bundle.parent).glob("FairShare-*.tar.gz")):
        print(f"tarball {tarball.name:<26} {tarball.stat().st_size / 1e6:7.1f} MB")
    compare("fairshare solve SAMPLE", ["solve", str(SAMPLE)], bundled, source, args.runs, {})
    compare(
        "window to first frame (and close)",
        [],
        bundled,
        source,
        args.runs,
        {"QT_QPA_PLATFORM": "offscreen", "FAIRSHARE_SMOKE_TEST": "1"},
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
