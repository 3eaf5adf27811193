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
