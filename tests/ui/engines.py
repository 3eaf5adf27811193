"""Engines for the desktop app's tests: the real engine, watched and held back at will."""

from __future__ import annotations

import threading

from allocator.engine.solve import Engine


class TwoPassEngine(Engine):
    """The real engine; records each solve's detail and scenarios, and holds the full
    solves (the explanations) at a gate the test opens, so the moment between the
    figures and their explanations can be looked at."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, list[str] | None]] = []
        self.full_gate = threading.Event()
        self.full_gate.set()

    def solve(self, project, scenarios=None, should_cancel=None, **options):
        detail = options.get("detail", "full")
        self.calls.append((detail, None if scenarios is None else list(scenarios)))
        if detail == "full":
            self.full_gate.wait(10)
        return super().solve(project, scenarios, should_cancel, **options)


class GatedEngine(Engine):
    """The real engine, holding every solve at a gate the test opens (open at first).

    ``names`` records the project name of each solve as it starts, and ``entered`` is
    set once a solve is waiting at the gate, so a test can act while one is running.
    """

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()

    def solve(self, project, scenarios=None, should_cancel=None, **options):
        self.names.append(project.name)
        self.entered.set()
        self.gate.wait(10)
        return super().solve(project, scenarios, should_cancel, **options)
