"""The ``fairshare`` command.

``fairshare`` alone opens the desktop app (``fairshare PATH`` opens a project); the
subcommands below are headless and never import Qt. Exit status: 0 when every
requested scenario solved, 1 when any is infeasible (or the solver failed), 2 on bad
input, with the reason on stderr and never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from allocator.domain.model import Project, ValidationError
from allocator.engine.result import ScenarioResult
from allocator.report.render import json_safe, render_results, results_json

SUBCOMMANDS = ("solve", "compare", "export", "import-partners")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # exit 2 with a plain message, as argparse does, no usage spam
        self.print_usage(sys.stderr)
        print(f"fairshare: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="fairshare", description="Fair, explained budget splits for charity partnerships."
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    s = sub.add_parser("solve", help="solve every scenario (or one) and print the split")
    s.add_argument("path", help="project file (.fairshare)")
    s.add_argument("--scenario", help="solve only this scenario")
    s.add_argument("--json", action="store_true", help="print the result as JSON")
    c = sub.add_parser("compare", help="scenarios side by side")
    c.add_argument("path")
    c.add_argument("--json", action="store_true")
    e = sub.add_parser("export", help="write the Excel budget workbook")
    e.add_argument("path")
    e.add_argument("out", help="workbook to write (.xlsx)")
    e.add_argument(
        "--scenario", help="scenario for the Summary and partner sheets (default: the first)"
    )
    i = sub.add_parser(
        "import-partners", help="add partners from an xlsx or csv table to a project"
    )
    i.add_argument("table", help="table laid out like the template in FairShare's resources")
    i.add_argument("path", help="project file (created if absent)")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SUBCOMMANDS and not argv[0].startswith("-")):
        return _open_app(argv)
    args = _parser().parse_args(argv)
    try:
        if args.command == "solve":
            return _solve(args)
        if args.command == "compare":
            return _compare(args)
        if args.command == "export":
            return _export(args)
        if args.command == "import-partners":
            return _import(args)
    except ValidationError as exc:
        for path, message in exc.problems:
            print(
                f"fairshare: {path}: {message}" if path else f"fairshare: {message}",
                file=sys.stderr,
            )
        return 2
    except KeyboardInterrupt:
        print("fairshare: stopped", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head or less, which closed early
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    _parser().print_help()
    return 2


def _open_app(argv: list[str]) -> int:
    try:
        from ui.app import run  # noqa: PLC0415 - Qt only when the app is wanted
    except ImportError as exc:
        print(
            "fairshare: the desktop app is not available in this installation "
            f"({exc}); use the subcommands: {', '.join(SUBCOMMANDS)}",
            file=sys.stderr,
        )
        return 2
    return run(argv)


def _load(path: str) -> Project:
    from allocator.formats.files import load_project

    return load_project(Path(path))


def _exit_code(results: list[ScenarioResult]) -> int:
    return 0 if all(r.ok for r in results) else 1


def _solve(args) -> int:
    from allocator.engine.solve import solve

    project = _load(args.path)
    results = solve(project, [args.scenario] if args.scenario else None)
    if args.json:
        print(json.dumps(results_json(project, results), indent=2, ensure_ascii=False))
    else:
        print(render_results(project, results))
    for r in results:
        if not r.ok:
            print(f"fairshare: scenario {r.name!r} is {r.status}: {r.message}", file=sys.stderr)
    return _exit_code(results)


def _compare(args) -> int:
    from allocator.report.compare import compare, render_compare

    project = _load(args.path)
    table = compare(project)
    if args.json:
        print(json.dumps(json_safe(table), indent=2, ensure_ascii=False))
    else:
        print(render_compare(project, table))
    return 0 if all(s["status"] == "optimal" for s in table["scenarios"]) else 1


def _export(args) -> int:
    from allocator.engine.solve import solve
    from allocator.formats.workbook import write_workbook

    project = _load(args.path)
    if args.scenario:
        project.scenario(args.scenario)
    results = solve(project)
    warnings = write_workbook(project, results, Path(args.out), args.scenario)
    for w in warnings:
        print(f"fairshare: warning: {w}", file=sys.stderr)
    print(f"Wrote {args.out}")
    chosen = next((r for r in results if r.name == args.scenario), results[0] if results else None)
    return 0 if chosen is None or chosen.ok else 1


def _import(args) -> int:
    from allocator.formats.files import load_project, save_project
    from allocator.formats.tables import import_partners

    target = Path(args.path)
    existing = load_project(target) if target.exists() else None
    project, warnings = import_partners(Path(args.table), existing, project_name=target.stem)
    save_project(project, target)
    for w in warnings:
        print(f"fairshare: warning: {w}", file=sys.stderr)
    added = len(project.partners) - (len(existing.partners) if existing else 0)
    print(f"Added {added} partner{'s' if added != 1 else ''} to {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
