"""Desktop app benchmarks: start-up, edit to screen, and a 1,000-partner project.

    python bench/bench_app.py            # full run; writes bench/APP_RESULTS.md
    python bench/bench_app.py --quick    # fewer repetitions; prints only

(a) Launch of ``fairshare SAMPLE`` to its painted main window (the end of its first
    paint), against a bare PySide6 window with a QTableView and a QChartView, each in
    a fresh process, alternating, in the same run; the medians and their ratio. Also: launch to the
    window with its Compare and Sweep tabs built (they are built just after the first
    frame), and to the first results on screen.
(b) Edit to updated results on screen at 30 partners: the time from a capacity edit
    to the repaint of the results table showing the new figures; how the results
    model told its views (dataChanged in place, or a reset).
(c) 1,000 partners x 5 years: edit to results on screen, the longest gap in the GUI
    event loop meanwhile (a 5 ms QTimer records the gaps between its ticks), and the
    process's peak memory (resource.getrusage).
(d) With --instructions: (a) to the first frame counted in instructions under valgrind,
    which does not vary with the machine's speed, and the enum values PySide built.

Every part runs in its own process with Qt offscreen (unless a display is asked for
with --display), settings and recovery files in a folder of the bench's own (and Qt's
test mode where the bench makes the application), so nothing of a person's is touched.
The launch in (a) is the real command, ``fairshare SAMPLE``, through its entry point.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

FRAME_MS = 16.7


# ----------------------------------------------------------------------------------
# helpers that run inside a child process
# ----------------------------------------------------------------------------------


def _app():
    from PySide6.QtCore import QCoreApplication, QStandardPaths
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    QStandardPaths.setTestModeEnabled(True)
    QCoreApplication.setOrganizationName("FairShareBench")
    QCoreApplication.setApplicationName("FairShare")
    return app


class PaintWatch:
    """Records when a widget is painted (an event filter on it)."""

    def __init__(self, widget, on_first=None):
        from PySide6.QtCore import QEvent, QObject

        class Filter(QObject):
            def __init__(self, outer):
                super().__init__()
                self.outer = outer

            def eventFilter(self, obj, event):
                if event.type() == QEvent.Type.Paint:
                    self.outer.times.append(time.perf_counter())
                    if len(self.outer.times) == 1 and on_first is not None:
                        on_first()
                return False

        self.times: list[float] = []
        self._filter = Filter(self)
        widget.installEventFilter(self._filter)

    def painted_after(self, t: float) -> bool:
        return any(x >= t for x in self.times)


class ResultWatch:
    """Notes when the document's results become current, inside the event loop.

    A slot on ``resultsChanged`` notes the moment the results arrive, so a repaint in
    the same pass of the event loop is seen as coming after them (checking only between
    ``processEvents`` calls would miss it and wait for a later repaint).
    """

    def __init__(self, doc) -> None:
        self.doc = doc
        self.at: float | None = None
        doc.resultsChanged.connect(self.note)
        self.note()

    def note(self, *_args) -> None:
        if self.at is None and self.doc.result_is_current():
            self.at = time.perf_counter()


def _spin_until(app, done, timeout=120.0) -> bool:
    from PySide6.QtCore import QEventLoop

    end = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > end:
            return False
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        time.sleep(0.0005)
    return True


def _first_frame_timer(window, frame: list[float]) -> PaintWatch:
    """Note (wall clock) when the window's first frame is on screen.

    The first frame is on screen when the window's first paint has finished: a zero
    timer started at that paint fires once it and the events already queued with it
    are done (work the window itself queues from its paint comes later).
    """
    from PySide6.QtCore import QTimer

    return PaintWatch(
        window, on_first=lambda: QTimer.singleShot(0, lambda: frame.append(time.time()))
    )


def _enum_values_built() -> int:
    """How many enum values PySide has built Python types for so far.

    PySide builds a class's Python type, with every enum in it (through Python's own
    enum module), the first time the class is used; the module dictionaries hold only
    the classes built so far.
    """
    import enum

    total = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith("PySide6.Qt"):
            continue
        for cls in list(vars(module).values()):
            if isinstance(cls, type):
                for member in list(vars(cls).values()):
                    if isinstance(member, enum.EnumMeta):
                        total += len(member.__members__)
    return total


def _end_at_first_frame() -> None:
    """The ``frame`` mode: report the enum values built and leave at once."""
    print(json.dumps({"enum_values": _enum_values_built()}), flush=True)
    os._exit(0)


def child_launch_bare(started: float, frame_only: bool = False) -> dict:
    """A bare window with a table and a chart, shown; when its first frame was done."""
    app = _app()
    from PySide6.QtCharts import QBarSeries, QBarSet, QChart, QChartView
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QMainWindow, QSplitter, QTableView

    window = QMainWindow()
    split = QSplitter()
    table = QTableView()
    model = QStandardItemModel(7, 5)
    for r in range(7):
        for c in range(5):
            model.setItem(r, c, QStandardItem(f"{(r + 1) * (c + 1) * 1000:,}"))
    table.setModel(model)
    chart = QChart()
    series = QBarSeries()
    bars = QBarSet("Grant")
    bars.append([float(x) for x in range(7)])
    series.append(bars)
    chart.addSeries(series)
    split.addWidget(table)
    split.addWidget(QChartView(chart))
    window.setCentralWidget(split)
    window.resize(1400, 880)
    frame: list[float] = []
    _watch = _first_frame_timer(window, frame)  # kept: the filter lives as long as this
    window.show()
    _spin_until(app, lambda: bool(frame))
    if frame_only:
        _end_at_first_frame()
    return {"painted": frame[0] - started}


def child_launch_app(started: float, frame_only: bool = False) -> dict:
    """``fairshare SAMPLE`` as a person starts it: the command line's entry point
    opens the app, which makes its own QApplication and runs its own event loop.

    The only thing added is a watch on the window ``run`` builds (through
    ``ui.app.create_main_window``, wrapped here): the end of its first frame, the
    moment every tab is built with nothing queued, and the first results on screen;
    then the event loop is asked to end. The parent gives this process its own
    settings and data folders, so nothing of a person's is read or written.
    """
    import allocator.cli  # the `fairshare` script's own first import
    import ui.app  # what `fairshare PATH` imports next

    made = ui.app.create_main_window
    out: dict[str, float] = {}
    keep: list[object] = []

    def build_and_watch(path=None):
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication, QTableView

        window = made(path)
        frame: list[float] = []
        table = window.findChild(QTableView, "resultsTable")
        vp = PaintWatch(table.viewport())
        arrived = ResultWatch(window.document)
        keep.extend([vp, arrived])
        poll = QTimer(window)
        poll.setInterval(1)

        def check() -> None:
            if frame and "painted" not in out:
                out["painted"] = frame[0] - started
            if "painted" in out and "ready" not in out and window._more_tabs_built:
                out["ready"] = time.time() - started
            if arrived.at is not None and vp.painted_after(arrived.at) and "results" not in out:
                out["results"] = time.time() - started
            if len(out) == 3:
                poll.stop()
                window.document.undo_stack.setClean()
                QApplication.instance().quit()

        poll.timeout.connect(check)

        def first_frame_done() -> None:
            if frame_only:
                _end_at_first_frame()
            frame.append(time.time())
            poll.start()  # only now: nothing of the bench's runs before the first frame

        keep.append(PaintWatch(window, on_first=lambda: QTimer.singleShot(0, first_frame_done)))
        return window

    ui.app.create_main_window = build_and_watch
    code = allocator.cli.main([str(ROOT / "resources" / "sample.fairshare")])
    if code != 0 or len(out) != 3:
        raise RuntimeError(f"fairshare exited {code} with {out}")
    return out


def _project_file(n: int, years: int) -> str:
    from instances import make_project

    data = make_project(n, years)
    data.setdefault("format", "fairshare-project")
    data.setdefault("version", 1)
    fd, path = tempfile.mkstemp(suffix=".fairshare", prefix=f"bench-{n}x{years}-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f)
    return path


def _edit_loop(window, edits: int, warmup: int) -> dict:
    """Capacity edits, each timed from set_field to the results table's repaint."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QTableView

    app = QApplication.instance()
    doc = window.document
    table = window.findChild(QTableView, "resultsTable")
    model = table.model()
    counts = {"dataChanged": 0, "modelReset": 0, "layoutChanged": 0, "rowsInserted": 0}
    model.dataChanged.connect(
        lambda *a: counts.__setitem__("dataChanged", counts["dataChanged"] + 1)
    )
    model.modelReset.connect(lambda *a: counts.__setitem__("modelReset", counts["modelReset"] + 1))
    model.layoutChanged.connect(
        lambda *a: counts.__setitem__("layoutChanged", counts["layoutChanged"] + 1)
    )
    model.rowsInserted.connect(
        lambda *a: counts.__setitem__("rowsInserted", counts["rowsInserted"] + 1)
    )
    vp = PaintWatch(table.viewport())
    arrived = ResultWatch(doc)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    _spin_until(app, lambda: doc.result_is_current(), timeout=600)
    project = doc.project
    n = len(project.partners)
    times, gaps, solve_ms = [], [], []
    for k in range(warmup + edits):
        if k == warmup:
            for key in counts:
                counts[key] = 0
        i = 1 + (k * 7) % (n - 1)
        capacity = float(doc.project.partners[i].capacity)
        value = capacity + (1000 if k % 2 == 0 else -1000)  # always a real change
        ticks.clear()
        timer.start()
        app.processEvents()
        t0 = time.perf_counter()
        ticks.append(t0)
        before = doc.project
        assert doc.set_field(f"partners[{i}].capacity", round(value, -2)) is None
        assert doc.project is not before
        arrived.at = None

        def done():
            arrived.note()
            return arrived.at is not None and vp.painted_after(arrived.at)

        ok = _spin_until(app, done, timeout=600)
        t1 = time.perf_counter()
        timer.stop()
        if not ok:
            raise RuntimeError("results did not arrive")
        if k >= warmup:
            times.append((t1 - t0) * 1000)
            points = [*ticks, t1]
            gaps.append(max(b - a for a, b in zip(points, points[1:], strict=False)) * 1000)
            solve_ms.append(doc.last_solve_ms or 0.0)
    return {
        "edit_to_screen_ms": times,
        "longest_gap_ms": gaps,
        "solve_ms": solve_ms,
        "model_signals": counts,
        "status": str(getattr(doc.result().status, "value", doc.result().status)),
    }


def child_edits(n: int, years: int, edits: int, warmup: int) -> dict:
    app = _app()
    from ui.app import create_main_window

    path = _project_file(n, years)
    try:
        t0 = time.perf_counter()
        window = create_main_window(path)
        window.resize(1400, 880)
        window.show()
        _spin_until(app, lambda: window.document.result_is_current(), timeout=600)
        app.processEvents()
        first = (time.perf_counter() - t0) * 1000
        out = _edit_loop(window, edits, warmup)
        out["open_to_results_ms"] = first
        out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        window.document.undo_stack.setClean()
        window.close()
    finally:
        os.unlink(path)
    return out


# ----------------------------------------------------------------------------------
# the parent: runs the children and reports
# ----------------------------------------------------------------------------------


def _run_child(args: list[str], env: dict) -> dict:
    started = time.time()
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args, "--started", repr(started)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def launch_instructions(env: dict) -> int:
    """(d) Launch to the end of the first frame counted in instructions.

    Run under valgrind's callgrind, the count is the same from run to run whatever
    else the machine is doing, so a change to start-up can be judged by one run of
    each (this machine's speed varies by half from minute to minute). Also prints how
    many enum values PySide built Python types for on the way.
    """
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    counts: dict[str, float] = {}
    values: dict[str, int] = {}
    for kind in ("bare", "app"):
        child = [sys.executable, __file__, "--child", "launch", kind, "frame"]
        plain = subprocess.run(child, env=env, capture_output=True, text=True, timeout=600)
        if plain.returncode != 0:
            raise RuntimeError(f"child {kind} failed:\n{plain.stderr[-3000:]}")
        values[kind] = json.loads(plain.stdout.strip().splitlines()[-1])["enum_values"]
        grind = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *child],
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        found = [ln for ln in grind.stderr.splitlines() if "Collected :" in ln]
        if grind.returncode != 0 or not found:
            raise RuntimeError(f"valgrind {kind} failed:\n{grind.stderr[-3000:]}")
        counts[kind] = int(found[-1].split(":")[-1]) / 1e6
    print("(d) Launch to the end of the first frame, in instructions (callgrind)")
    print(
        f"    bare PySide6 window:    {counts['bare']:8,.0f} M  ({values['bare']:,} enum values built)"
    )
    print(
        f"    fairshare SAMPLE:       {counts['app']:8,.0f} M  ({values['app']:,} enum values built)"
    )
    print(f"    ratio: {counts['app'] / counts['bare']:.2f}x")
    return 0


def _median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions; write nothing")
    parser.add_argument(
        "--display", action="store_true", help="use the real display, not offscreen"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--started", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--only", choices=["a", "b", "c"], help="run one part only (writes nothing)"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="launch to the first frame in instructions (valgrind) instead of time",
    )
    args = parser.parse_args()

    if args.child:
        what = args.child[0]
        if what == "launch":
            launch = child_launch_app if args.child[1] == "app" else child_launch_bare
            result = launch(args.started, frame_only=args.child[2:] == ["frame"])
        else:
            n, years, edits, warmup = (int(x) for x in args.child[1:5])
            result = child_edits(n, years, edits, warmup)
        print(json.dumps(result))
        return 0

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    if not args.display:
        # offscreen with a desktop-sized screen: the window opens at the size it has on
        # a real desktop, not squeezed into the platform's own 800x800 screen
        from ui.offscreen import desktop_platform

        env["QT_QPA_PLATFORM"] = desktop_platform("bench")
    # like an installed app: compiled modules cached (outside the work tree)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "fairshare-bench-pycache")
    # the launched app keeps its settings and recovery files here, never in a person's own
    home = tempfile.mkdtemp(prefix="fairshare-bench-home-")
    atexit.register(shutil.rmtree, home, True)
    env["XDG_CONFIG_HOME"] = str(Path(home) / "config")
    env["XDG_DATA_HOME"] = str(Path(home) / "data")
    if args.instructions:
        return launch_instructions(env)
    runs = 3 if args.quick else 9
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    from PySide6 import __version__ as pyside_version

    say(
        f"Python {platform.python_version()}, PySide6 {pyside_version}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Qt platform {env.get('QT_QPA_PLATFORM', 'default').split(':')[0]}"
    )
    say()
    figures: dict[str, float] = {}

    if args.only in (None, "a"):
        app_t, bare_t, results_t, ready_t = [], [], [], []
        _run_child(["launch", "bare"], env)  # warm the file cache for both
        _run_child(["launch", "app"], env)
        for _ in range(runs):
            bare_t.append(_run_child(["launch", "bare"], env)["painted"] * 1000)
            a = _run_child(["launch", "app"], env)
            app_t.append(a["painted"] * 1000)
            results_t.append(a["results"] * 1000)
            ready_t.append(a["ready"] * 1000)
        ratio = _median(app_t) / _median(bare_t)
        figures.update(launch_app=_median(app_t), launch_bare=_median(bare_t), ratio=ratio)
        say(f"(a) Launch to a painted window, median of {runs} fresh processes each")
        say(f"    bare PySide6 window (QTableView + QChartView): {_median(bare_t):7.0f} ms")
        say(f"    FairShare main window on the sample:           {_median(app_t):7.0f} ms")
        say(f"    ratio: {ratio:.2f}x (target: within 1.5x)")
        say(f"    FairShare with every tab built, nothing queued: {_median(ready_t):7.0f} ms")
        say(f"    FairShare to the first results on screen:      {_median(results_t):7.0f} ms")
        say()

    if args.only in (None, "b"):
        b = _run_child(["edits", "30", "3", str(10 if args.quick else 40), "5"], env)
        med = _median(b["edit_to_screen_ms"])
        figures.update(edit30=med)
        say("(b) Edit to updated results on screen, 30 partners x 3 years")
        say(
            f"    median {med:.1f} ms over {len(b['edit_to_screen_ms'])} capacity edits "
            f"(p90 {statistics.quantiles(b['edit_to_screen_ms'], n=10)[-1]:.1f} ms; "
            f"one frame is {FRAME_MS} ms); of which solving {_median(b['solve_ms']):.1f} ms"
        )
        s = b["model_signals"]
        say(
            f"    results model: dataChanged {s['dataChanged']}, modelReset {s['modelReset']}, "
            f"layoutChanged {s['layoutChanged']}, rowsInserted {s['rowsInserted']}"
        )
        say()

    if args.only in (None, "c"):
        c = _run_child(["edits", "1000", "5", str(3 if args.quick else 7), "1"], env)
        med = _median(c["edit_to_screen_ms"])
        gap = max(c["longest_gap_ms"])
        figures.update(edit1000=med, gap1000=gap, rss1000=c["peak_rss_mb"])
        say("(c) 1,000 partners x 5 years")
        say(f"    open to first results on screen: {c['open_to_results_ms']:.0f} ms")
        say(
            f"    edit to results on screen: median {med:.0f} ms over "
            f"{len(c['edit_to_screen_ms'])} edits (max {max(c['edit_to_screen_ms']):.0f} ms; "
            f"target 1,000 ms); solving {_median(c['solve_ms']):.0f} ms"
        )
        say(
            f"    longest event-loop gap while an edit was solved: {gap:.0f} ms "
            f"(median of the per-edit longest {_median(c['longest_gap_ms']):.0f} ms; target 100 ms)"
        )
        say(f"    peak memory: {c['peak_rss_mb']:.0f} MB (target 400 MB); status {c['status']}")
        s = c["model_signals"]
        say(f"    results model: dataChanged {s['dataChanged']}, modelReset {s['modelReset']}")
        say()

    if not args.quick and args.only is None:
        out = ROOT / "bench" / "APP_RESULTS.md"
        head = [
            "# Desktop app benchmark figures",
            "",
            f"From `python bench/bench_app.py` (full run) on {time.strftime('%Y-%m-%d')}.",
            "Each part runs in fresh processes, Qt offscreen, with settings of the bench's own.",
            "",
            "```",
        ]
        out.write_text("\n".join([*head, *lines, "```", ""]), "utf-8")
        print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
