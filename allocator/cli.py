"""The ``fairshare`` command.

``fairshare`` alone opens the desktop app (``fairshare PATH`` opens a project); the
subcommands are headless and never import Qt. A person can set up a whole partnership
without touching JSON: ``new``, ``import-partners``, ``set``, then ``solve`` and
``export``. Exit status: 0 when every requested scenario solved, 1 when any cannot be
met (or the solver failed), 2 on bad input, with the reason on stderr in words and
never a traceback. ``--json`` output keeps field paths for scripts, and a ``--json``
run refused on bad input also prints a JSON error document on stdout (``error_json``);
text names every place in words.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from allocator import __version__
from allocator.domain.model import Project, Scenario
from allocator.errors import (
    Cancelled,
    FairShareError,
    Problem,
    ProjectFileError,
    SaveError,
    SolverError,
    TableError,
    ValidationError,
)
from allocator.report.render import (
    allowed_text,
    json_safe,
    problem_text,
    problems_text,
    render_results,
    results_json,
    status_of,
    where,
)
from allocator.report.words import status_text

if TYPE_CHECKING:  # named in signatures only: opening the app loads no results code
    from allocator.engine.result import ScenarioResult
    from allocator.formats.tables import ImportPreview

PROJECT_SUFFIX = ".fairshare"


class _Refused(Exception):
    """Bad input: each line is printed after ``fairshare:`` on stderr; exit status 2.

    ``problems`` keep the field paths behind the lines, and ``file`` the file they are
    in, for the JSON error document of a ``--json`` run."""

    def __init__(self, *lines: str, problems: Sequence[Problem] = (), file: str = ""):
        super().__init__("\n".join(lines))
        self.lines = lines
        self.problems = list(problems)
        self.file = file


def error_json(lines: Sequence[str], problems: Sequence[Problem] = (), file: str = "") -> dict:
    """What a ``--json`` run that failed on bad input prints on stdout: the words, each
    problem with its field path (null for the input as a whole) and the file, if any."""
    listed = problems or [Problem("", line) for line in lines]
    return {
        "error": {
            "message": "\n".join(lines),
            "problems": [{"field": p.path or None, "message": p.message} for p in listed],
            "file": file or None,
        }
    }


def _print_error_json(
    lines: Sequence[str], problems: Sequence[Problem] = (), file: str = ""
) -> None:
    print(json.dumps(error_json(lines, problems, file), indent=2, ensure_ascii=False))


def _say(*lines: str) -> None:
    for line in lines:
        print(f"fairshare: {line}", file=sys.stderr)


def _quoted(names: Sequence[str]) -> str:
    """Names in quotes, so that names with commas in them stay readable."""
    return ", ".join(f"'{n}'" for n in names)


class _BadUsage(SystemExit):
    """A usage error: exit status 2, its message kept for a ``--json`` run."""

    def __init__(self, message: str):
        super().__init__(2)
        self.message = message


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # exit 2 with the usage and a plain message
        self.print_usage(sys.stderr)
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise _BadUsage(message)


# ----------------------------------------------------------------------------------
# The commands: what each does, its arguments, and the function that runs it
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    summary: str
    description: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    epilog: str = ""


def _solve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="project file (.fairshare)")
    p.add_argument(
        "--scenario", metavar="NAME", help="solve only this scenario (capitals do not matter)"
    )
    p.add_argument("--json", action="store_true", help="print the whole result as JSON")


def _compare_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="project file (.fairshare)")
    p.add_argument(
        "--baseline",
        metavar="NAME",
        help="the scenario to measure the changes against (capitals do not matter), or "
        "size-proportional (the default): the size-proportional split of the same budget",
    )
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")


def _sweep_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="project file (.fairshare)")
    p.add_argument(
        "--scenario",
        metavar="NAME",
        help="the scenario to sweep (capitals do not matter; default: the chosen scenario)",
    )
    p.add_argument(
        "--param",
        metavar="FIELD",
        required=True,
        help="the setting to vary, named as `fairshare set` names it: a scenario's own "
        "setting (ring_fence, core_share, weights.multiple_disadvantage, "
        "weights.back_office_gap, management_fee, needs_floor, spread_limit, lead_cap) "
        "or a project field (budget.first_year, budget.per_year[1], partners[2].floor)",
    )
    p.add_argument(
        "--partner",
        metavar="NAME",
        help='with a partner\'s field: --partner "Amani Collective" --param floor',
    )
    p.add_argument(
        "--from",
        dest="start",
        metavar="VALUE",
        required=True,
        help="the first value, as you would type it: 0, 30%%, £1.2m",
    )
    p.add_argument("--to", dest="stop", metavar="VALUE", required=True, help="the last value")
    p.add_argument(
        "--steps",
        metavar="N",
        default=str(DEFAULT_STEPS),
        help=f"how many values, both ends included (default: {DEFAULT_STEPS})",
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the whole sweep as JSON")
    out.add_argument(
        "--csv",
        metavar="OUT.csv",
        help="write the table to a .csv file (one row per step) instead of printing it",
    )


DEFAULT_STEPS = 11

_SWEEP_EPILOG = """\
Each step is the split you would get by setting that value (as `fairshare set` does)
and solving; the project file is not changed. The table shows, per value, whether the
scenario can be met, the measures of the split and each partner's grant over all
years, then where a rule starts or stops holding the split and where the scenario
stops being possible.

Exit status: 0 when every step solved, 1 when the scenario cannot be met at some
step, 2 on bad input, 130 when stopped with Ctrl+C.

examples:
  fairshare sweep p.fairshare --scenario needs-weighted --param ring_fence --from 0 --to 60% --steps 13
  fairshare sweep p.fairshare --param management_fee --from 0 --to 25% --csv fee.csv
  fairshare sweep p.fairshare --param budget.first_year --from £900k --to £1.5m --steps 7 --json
  fairshare sweep p.fairshare --partner "Amani Collective" --param floor --from 0 --to £90k
"""

_COMPARE_EPILOG = """\
examples:
  fairshare compare p.fairshare
  fairshare compare p.fairshare --baseline needs-weighted
  fairshare compare p.fairshare --baseline size-proportional --json
"""


def _export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="project file (.fairshare)")
    p.add_argument("out", metavar="OUT.xlsx", help="the workbook to write (must end in .xlsx)")
    p.add_argument(
        "--scenario",
        metavar="NAME",
        help="the scenario for the Summary and partner sheets "
        "(default: the project's chosen scenario)",
    )
    p.add_argument(
        "--baseline",
        metavar="NAME",
        help="what the Scenarios sheet measures the changes against: a scenario (capitals "
        "do not matter), or size-proportional (the default), the size-proportional split of "
        "the same budget; the same comparison as `fairshare compare --baseline`",
    )


def _import_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "table", metavar="TABLE", help="an .xlsx or .csv table laid out like the template"
    )
    p.add_argument("path", help="project file (.fairshare); created if it does not exist")
    existing = p.add_mutually_exclusive_group()
    existing.add_argument(
        "--update",
        dest="on_match",
        action="store_const",
        const="update",
        default="update",
        help="a row naming a partner already in the project (ignoring case and spaces) "
        "updates it with the row's filled cells (the default)",
    )
    existing.add_argument(
        "--skip-existing",
        dest="on_match",
        action="store_const",
        const="skip",
        help="leave partners already in the project as they are; add only the new names",
    )


def _method_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", help="project file (.fairshare): quote its figures")
    p.add_argument(
        "--scenario",
        metavar="NAME",
        help="the scenario whose rules to state, with their values (default: the chosen one)",
    )


def _new_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="the project file to create (ends in .fairshare)")
    p.add_argument("--name", help="the partnership's name (default: from the file name)")
    p.add_argument("--currency", help="three-letter currency code (default: GBP)")
    p.add_argument(
        "--start-year", metavar="YEAR", help="the first year of the grant (default: next year)"
    )
    p.add_argument("--years", metavar="N", help="how many years the grant runs, 1 to 10")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument(
        "--budget",
        metavar="AMOUNT",
        help="the grant in the first year, such as 1200000, £1,200,000 or 1.2m",
    )
    budget.add_argument(
        "--budget-per-year",
        metavar="AMOUNTS",
        nargs="+",
        help="the grant for each year: 1200000,1224000,1248480 (without thousands "
        "separators), or one amount per argument; sets the number of years",
    )
    p.add_argument(
        "--uplift", metavar="SHARE", help="yearly growth of the grant after the first, such as 2%%"
    )
    p.add_argument("--force", action="store_true", help="replace the file if it exists")


def _set_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="project file (.fairshare)")
    p.add_argument(
        "assignments",
        metavar="FIELD=VALUE",
        nargs="*",
        help="a field and its new value, as you would type it: budget.first_year=£1.2m, "
        "years.count=3, scenarios[0].ring_fence=30%%, partners[2].floor=40,000",
    )
    p.add_argument(
        "--scenario",
        metavar="NAME",
        help="the scenario to change: its settings may then be given by their own name "
        "(ring_fence=30%%, weights.back_office_gap=0.5)",
    )
    p.add_argument(
        "--partner",
        metavar="NAME",
        help="the partner to change (name or id): its fields may then be given by their "
        "own name (capacity=£180,000, floor=0)",
    )
    p.add_argument(
        "--list",
        action="store_true",
        help="print every field with its current value, unit and what it allows",
    )
    p.add_argument("--json", action="store_true", help="with --list: print the fields as JSON")


_SET_EPILOG = """\
Every assignment is checked before anything is written: if one is refused, the file
is left exactly as it was. Values are read as a person types them: money as 120000,
120,000, £120k or 1.2m; shares as 30% or 0.3; yes or no; an empty value (FIELD=)
leaves an optional field blank.

Scenarios and partners are addressed in one of two ways:
  by name     fairshare set p.fairshare --scenario "Needs-weighted" ring_fence=30%
              fairshare set p.fairshare --partner "Amani Collective" floor=£40,000
  by position fairshare set p.fairshare scenarios[0].ring_fence=30% partners[1].floor=40000
Names match regardless of capitals. `fairshare set p.fairshare --list` shows every
field's path, its value and what it allows.

examples:
  fairshare set p.fairshare budget.first_year=£1,200,000 budget.annual_uplift=2%
  fairshare set p.fairshare years.start=2027 years.count=3
  fairshare set p.fairshare --scenario needs-weighted management_fee=8% lead_cap=35%
  fairshare set p.fairshare chosen="Needs-weighted"
"""

_NEW_EPILOG = """\
The project gets one needs-weighted scenario, chosen for the bid. Then add partners
and set what is left:
  fairshare new consortium.fairshare --name "Eastbridge Partnership" --budget £1.2m --uplift 2%
  fairshare import-partners partners.xlsx consortium.fairshare
  fairshare set consortium.fairshare --scenario needs-weighted ring_fence=30%
  fairshare solve consortium.fairshare
"""


def _commands() -> dict[str, Command]:
    return {
        "new": Command(
            "create a project file with one needs-weighted scenario",
            "Create a new project file: the partnership's name, currency, years and grant, "
            "with one needs-weighted scenario chosen for the bid. An existing file is "
            "never replaced unless --force is given.",
            _new_arguments,
            _new,
            _NEW_EPILOG,
        ),
        "import-partners": Command(
            "add partners from an .xlsx or .csv table",
            "Add the partners in a table (laid out like the template in FairShare's "
            "resources) to a project file, creating the project if the file does not "
            "exist. A row naming a partner already in the project updates it (blank "
            "cells leave its values as they are), or is skipped with --skip-existing. "
            "Nothing changes unless every row is good; every problem is listed at once.",
            _import_arguments,
            _import,
        ),
        "set": Command(
            "change fields of a project: the grant, years, scenario settings, partners",
            "Change one or more fields of a project file, or list every field with "
            "--list. All the changes are made together or none is.",
            _set_arguments,
            _set,
            _SET_EPILOG,
        ),
        "solve": Command(
            "solve every scenario (or one) and print the split",
            "Solve every scenario of a project (or the one named) and print each "
            "partner's grant per year, fair share, attainment, what limits it and the "
            "change against the size-proportional split; with --json, the full result.",
            _solve_arguments,
            _solve,
        ),
        "compare": Command(
            "every scenario side by side, against a baseline",
            "Print every scenario side by side against a baseline: what each partner "
            "receives and its change in money and percent (▲ gains, ▼ loses), the measures "
            "of each split and their change, and the settings that differ. The baseline is "
            "the size-proportional split of the same budget unless --baseline names a "
            "scenario.",
            _compare_arguments,
            _compare,
            _COMPARE_EPILOG,
        ),
        "sweep": Command(
            "solve one scenario at a run of values of one setting",
            "Solve one scenario at evenly spaced values of one setting (such as the "
            "ring-fence from 0% to 60% in 13 steps) and print, for each value, whether it "
            "can be met, the measures and each partner's grant, and the points where a rule "
            "starts to hold the split or the scenario stops being possible.",
            _sweep_arguments,
            _sweep,
            _SWEEP_EPILOG,
        ),
        "method": Command(
            "how FairShare decides, in plain words",
            "Print how FairShare decides: need, fair shares, the rule that raises the "
            "worst-off first, every rule a scenario may set, rounding and the "
            "size-proportional comparison; the same text as the workbook's Method sheet. "
            "With a project, for its chosen scenario (or --scenario) and its figures.",
            _method_arguments,
            _method,
        ),
        "export": Command(
            "write the Excel budget workbook",
            "Write the budget workbook for the bid: the project's chosen scenario, or "
            "the one named with --scenario, with every scenario side by side against a "
            "baseline (the size-proportional split unless --baseline names a scenario).",
            _export_arguments,
            _export,
        ),
        **_ANSWER_COMMANDS,
    }


def command_parser(name: str) -> argparse.ArgumentParser:
    """The parser of one subcommand (its ``--help`` says what it does)."""
    c = COMMANDS[name]
    p = _Parser(
        prog=f"fairshare {name}",
        description=textwrap.fill(c.description, width=88, break_on_hyphens=False),
        epilog=c.epilog or None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.arguments(p)
    return p


def top_parser() -> argparse.ArgumentParser:
    width = max(len(n) for n in COMMANDS)
    listing = "\n".join(f"  {n.ljust(width)}  {c.summary}" for n, c in COMMANDS.items())
    p = _Parser(
        prog="fairshare",
        usage="fairshare [PROJECT.fairshare] | fairshare COMMAND ... | fairshare --version",
        description=textwrap.fill(
            "Fair, explained budget splits for charity partnerships. Without a command, "
            "opens the desktop app (on PROJECT when given).",
            width=88,
            break_on_hyphens=False,
        ),
        epilog=f"commands:\n{listing}\n\n`fairshare COMMAND --help` says more about each.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"fairshare {__version__}")
    p.add_argument(
        "--install-desktop",
        action="store_true",
        help="Linux: add FairShare to your applications menu and open .fairshare files in it",
    )
    p.add_argument(
        "--uninstall-desktop",
        action="store_true",
        help="Linux: remove what --install-desktop added",
    )
    return p


# ----------------------------------------------------------------------------------
# Running
# ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in COMMANDS and not argv[0].startswith("-"):
        if not _could_be_project(argv[0]):
            typo = _mistyped_command(argv[0])
            hint = f"did you mean {typo!r}?" if typo else "the commands are " + ", ".join(COMMANDS)
            _say(f"there is no command {argv[0]!r}; {hint}")
            return 2
    if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
        return _open_app(argv)
    # a --json run that fails on bad input also prints a JSON error document on stdout
    as_json = argv[0] in COMMANDS and "--json" in argv[1:]
    try:
        if argv[0] not in COMMANDS:
            top = top_parser().parse_args(argv)  # --help or --version exit
            if top.install_desktop != top.uninstall_desktop:
                return _desktop_entry(install=top.install_desktop)
            top_parser().error("give a command, a project file or one option")
        args = command_parser(argv[0]).parse_intermixed_args(argv[1:])
        return COMMANDS[argv[0]].run(args)
    except _BadUsage as exc:
        if as_json:
            _print_error_json([exc.message])
        raise
    except _Refused as exc:
        _say(*exc.lines)
        if as_json:
            _print_error_json(exc.lines, exc.problems, exc.file)
        return 2
    except ValidationError as exc:
        file = exc.file if isinstance(exc, (ProjectFileError, TableError)) else ""
        lines = _file_lines(file, problems_text(None, exc.problems))
        _say(*lines)
        if as_json:
            _print_error_json(lines, exc.problems, file)
        return 2
    except SaveError as exc:
        _say(str(exc))
        if as_json:
            _print_error_json([str(exc)], file=exc.file)
        return 2
    except SolverError as exc:
        _say(f"the solver could not finish: {exc}")
        return 1
    except (KeyboardInterrupt, Cancelled):
        _say("stopped")
        return 130
    except BrokenPipeError:  # output piped into head or less, which closed early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (FairShareError, OSError) as exc:
        _say(str(exc) or type(exc).__name__)
        if as_json:
            _print_error_json([str(exc) or type(exc).__name__])
        return 2
    except Exception as exc:  # never a traceback for a person; FAIRSHARE_DEBUG shows one
        if os.environ.get("FAIRSHARE_DEBUG"):
            raise
        _say(
            f"could not finish ({type(exc).__name__}: {exc}); "
            "run again with FAIRSHARE_DEBUG=1 to see where"
        )
        return 2


def _could_be_project(word: str) -> bool:
    """Whether ``word`` names a file to open rather than a mistyped command: it exists,
    or looks like a path (a dot or a folder in it)."""
    return os.path.exists(word) or "." in word or os.sep in word or "/" in word


def _desktop_entry(install: bool) -> int:
    from allocator import desktop_entry

    change = desktop_entry.install() if install else desktop_entry.uninstall()
    done = "Installed" if install else "Removed"
    for path in change.files:
        print(f"{done} {path}")
    for note in change.notes:
        _say(note)
    if install:
        print("FairShare is in your applications menu; .fairshare files open in it.")
    elif not change.files:
        print("Nothing to remove: FairShare was not installed in the desktop menus.")
    return 0


def _mistyped_command(word: str) -> str | None:
    """A close command name: 'solv' -> 'solve'."""
    import difflib

    close = difflib.get_close_matches(word, list(COMMANDS), n=1, cutoff=0.6)
    return close[0] if close else None


def _open_app(argv: list[str]) -> int:
    try:
        from ui.app import main as run_app  # Qt only when the app is wanted
    except ImportError as exc:
        print(
            "fairshare: the desktop app is not available in this installation "
            f"({exc}); use the commands: {', '.join(COMMANDS)}",
            file=sys.stderr,
        )
        return 2
    return run_app(argv)


# ----------------------------------------------------------------------------------
# Projects: reading, finding scenarios and partners by name
# ----------------------------------------------------------------------------------


def _file_lines(file: str, lines: Sequence[str]) -> list[str]:
    """Each line names the file it is about (unless it already does)."""
    if not file:
        return list(lines)
    name = str(file)
    return [line if name in line else f"{name}: {line}" for line in lines]


def _names_in_file(path: str) -> Any:
    """Partner and scenario names read loosely from a file the reader refused, so that
    its problems can still be told in words ("Amani Collective's floor")."""
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None

    def named(items: Any) -> list[SimpleNamespace]:
        out = []
        for item in items if isinstance(items, list) else []:
            d = item if isinstance(item, dict) else {}
            name, excluded = d.get("name"), d.get("excluded")
            out.append(
                SimpleNamespace(
                    name=name if isinstance(name, str) else "",
                    excluded=tuple(excluded) if isinstance(excluded, list) else (),
                )
            )
        return out

    years = data.get("years")
    start = years.get("start") if isinstance(years, dict) else None
    return SimpleNamespace(
        partners=named(data.get("partners")),
        scenarios=named(data.get("scenarios")),
        start_year=start if isinstance(start, int) and not isinstance(start, bool) else None,
    )


def _load(path: str) -> Project:
    """The project at ``path``; notes on what was read differently (an old file's
    retired rule) go to stderr."""
    from allocator.formats.files import load_project_with_notes

    try:
        project, notes = load_project_with_notes(Path(path))
    except ValidationError as exc:
        names = _names_in_file(path) if any(p.path for p in exc.problems) else None
        lines = _file_lines(path, problems_text(names, exc.problems))
        raise _Refused(*lines, problems=exc.problems, file=path) from None
    _say(*_file_lines(path, [f"note: {note}" for note in notes]))
    return project


def _require_contents(project: Project, path: str) -> None:
    """A project with no partners or no scenarios has nothing to split: say what to do."""
    lines = []
    if not project.partners:
        lines.append(
            f"{path} has no partners yet: add them with "
            f"`fairshare import-partners TABLE.xlsx {path}`"
        )
    if not project.scenarios:
        lines.append(
            f"{path} has no scenarios: add one in the FairShare app, or start again with "
            f"`fairshare new`"
        )
    if lines:
        raise _Refused(*lines)


def _chosen_scenario(project: Project) -> Scenario:
    """The project's chosen scenario (after _require_contents: there is one)."""
    chosen = project.chosen_scenario
    if chosen is None:
        raise _Refused("the project has no scenarios: add one in the FairShare app")
    return chosen


def find_scenario(project: Project, name: str) -> int:
    """The scenario called ``name``: exactly, or ignoring capitals when only one matches."""
    names = [s.name for s in project.scenarios]
    if name in names:
        return names.index(name)
    folded = [j for j, n in enumerate(names) if n.casefold() == name.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    if folded:
        raise _Refused(
            f"{len(folded)} scenarios are called {name!r} apart from capitals: "
            f"{_quoted([names[j] for j in folded])}; give the name exactly"
        )
    if not names:
        raise _Refused(f"no scenario called '{name}'; the project has no scenarios")
    raise _Refused(f"no scenario called '{name}'; the scenarios are: {_quoted(names)}")


def find_partner(project: Project, name: str) -> int:
    """The partner with this id or name (capitals do not matter when only one matches)."""
    for i, p in enumerate(project.partners):
        if p.id == name or p.name == name:
            return i
    key = name.strip().casefold()
    folded = [
        i
        for i, p in enumerate(project.partners)
        if p.name.strip().casefold() == key or p.id.casefold() == key
    ]
    if len(folded) == 1:
        return folded[0]
    names = [p.name for p in project.partners]
    if folded:
        raise _Refused(
            f"{len(folded)} partners are called {name!r} apart from capitals; give the name "
            "exactly or the partner's id"
        )
    if not names:
        raise _Refused(f"no partner called '{name}'; the project has no partners")
    raise _Refused(f"no partner called '{name}'; the partners are: {_quoted(names)}")


def _solve_all(project: Project, names: list[str] | None = None) -> list[ScenarioResult]:
    from allocator.engine.solve import Engine

    try:
        return list(Engine().solve(project, names))
    except ValidationError as exc:  # inputs the engine refuses outright
        raise _Refused(*problems_text(project, exc.problems), problems=exc.problems) from None


def _exit_code(results: Sequence[ScenarioResult]) -> int:
    statuses = [status_of(r) for r in results]
    if "invalid" in statuses:
        return 2
    return 0 if all(s == "optimal" for s in statuses) else 1


def _invalid_json(project: Project, results: Sequence[ScenarioResult], file: str) -> dict:
    """The ``error`` of a JSON document whose scenarios the inputs stop (exit status 2)."""
    problems = [p for r in results if status_of(r) == "invalid" for p in r.problems]
    if not problems:
        return {}
    unique = list(dict.fromkeys(problems))
    return error_json(problems_text(project, unique), unique, file)


def _report_unsolved(project: Project, results: Sequence[ScenarioResult]) -> None:
    """On stderr: what stops each scenario, in words."""
    invalid = [r for r in results if status_of(r) == "invalid"]
    if invalid:
        which = _quoted([r.name for r in invalid])
        lines = problems_text(project, [p for r in invalid for p in r.problems])
        _say(f"cannot solve {which} until {'this is' if len(lines) == 1 else 'these are'} fixed:")
        _say(*(f"  {line}" for line in lines))
    for r in results:
        status = status_of(r)
        if status not in ("optimal", "invalid"):
            words = status_text(status)
            _say(f"scenario '{r.name}' {words}: {r.message}")


# ----------------------------------------------------------------------------------
# solve, compare, export, import-partners
# ----------------------------------------------------------------------------------


def _solve(args: argparse.Namespace) -> int:
    project = _load(args.path)
    _require_contents(project, args.path)
    names = None
    if args.scenario:
        names = [project.scenarios[find_scenario(project, args.scenario)].name]
    results = _solve_all(project, names)
    if args.json:
        doc = results_json(project, results) | _invalid_json(project, results, args.path)
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print(render_results(project, results))
    _report_unsolved(project, results)
    return _exit_code(results)


def _compare(args: argparse.Namespace) -> int:
    from allocator.report.baseline import compare_to_baseline, resolve_baseline
    from allocator.report.compare import render_comparison

    project = _load(args.path)
    _require_contents(project, args.path)
    try:  # a name that fits no scenario is refused before anything is solved
        baseline = resolve_baseline([s.name for s in project.scenarios], args.baseline)
    except ValidationError as exc:
        raise _Refused(*(f"--baseline: {p.message}" for p in exc.problems)) from None
    results = _solve_all(project)
    comparison = compare_to_baseline(project, results, baseline)
    if args.json:
        doc = json_safe(comparison.to_json()) | _invalid_json(project, results, args.path)
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print(render_comparison(project, comparison, results))
    _report_unsolved(project, [r for r in results if status_of(r) == "invalid"])
    return _exit_code(results)


# ----------------------------------------------------------------------------------
# sweep
# ----------------------------------------------------------------------------------

_SWEEP_OPTIONS = {"param": "--param", "from": "--from", "to": "--to", "steps": "--steps"}
_SCENARIO_PATH = re.compile(r"^scenarios\[(\d+)\]")


def _sweep(args: argparse.Namespace) -> int:
    from allocator.report.render import render_sweep
    from allocator.report.sweep import sweep

    out = _csv_target(args.csv) if args.csv else None
    project = _load(args.path)
    _require_contents(project, args.path)
    if args.scenario:
        j = find_scenario(project, args.scenario)
    else:
        j = [s.name for s in project.scenarios].index(_chosen_scenario(project).name)
    name = project.scenarios[j].name
    path, spec = _sweep_param(project, j, args.param, args.partner)
    start = _sweep_value(project, spec, path, "--from", args.start)
    stop = _sweep_value(project, spec, path, "--to", args.stop)
    steps = _sweep_steps(args.steps)
    if start == stop:
        raise _Refused(
            f"--from and --to are the same ({args.start.strip()}): give two different values"
        )
    _check_sweepable(project, j, path)

    stopping = _StopOnInterrupt()
    progress = _SweepProgress(spec.words or spec.label) if sys.stderr.isatty() else None
    try:
        with stopping:
            result = sweep(
                project,
                name,
                args.param if args.partner is None else path,
                start,
                stop,
                steps,
                should_cancel=stopping.is_set,
                progress=progress,
            )
    except ValidationError as exc:
        lines = [
            f"{_SWEEP_OPTIONS[p.path]}: {p.message}"
            if p.path in _SWEEP_OPTIONS
            else problem_text(project, p)
            for p in exc.problems
        ]
        raise _Refused(*lines) from None
    finally:
        if progress is not None:
            progress.clear()

    if result.cancelled:
        done = f"stopped after {len(result.steps)} of {result.count} steps"
        if out is not None:
            _say(f"{done}; nothing was written to {out}")
            return 130
        _print_sweep(result, args.json, render_sweep)
        _say(done)
        return 130
    if out is not None:
        from allocator.formats.csvfile import write_csv

        write_csv(result.to_csv_rows(), out)
        print(
            f"Wrote {out}: {result.count} steps of {result.words} from "
            f"{result.steps[0].shown} to {result.steps[-1].shown} for scenario '{name}'."
        )
        for e in result.events:
            print(f"  {e.words}")
    else:
        _print_sweep(result, args.json, render_sweep)
    unmet = [s for s in result.steps if not s.ok]
    if not unmet:
        return 0
    shown = [s.shown for s in unmet]
    listed = ", ".join(shown[:6]) + (f" and {len(shown) - 6} more" if len(shown) > 6 else "")
    verb = "cannot be met" if all(s.status == "infeasible" for s in unmet) else "does not solve"
    _say(
        f"scenario '{name}' {verb} at {len(unmet)} of {result.count} steps "
        f"({result.words} {listed})"
    )
    return 1


def _print_sweep(result: Any, as_json: bool, render: Callable[[Any], str]) -> None:
    if as_json:
        print(json.dumps(json_safe(result.to_json()), indent=2, ensure_ascii=False))
    else:
        print(render(result))


def _sweep_param(project: Project, j: int, param: str, partner: str | None) -> tuple[str, Any]:
    """The full field path swept and its description, or _Refused naming --param."""
    from allocator.report.sweep import resolve_param

    text = param.strip()
    if partner is not None:
        i = find_partner(project, partner)
        if text.startswith("partners["):
            raise _Refused(
                f"--param {text!r} already names a partner: leave out --partner, or give "
                "the partner's field by its own name (--param floor)"
            )
        text = f"partners[{i}].{text}"
    try:
        path, _scope, spec = resolve_param(project, j, text)
    except ValidationError as exc:
        raise _Refused(*(f"--param: {p.message}" for p in exc.problems)) from None
    return str(path), spec


def _sweep_value(project: Project, spec: Any, path: str, option: str, text: str) -> float:
    """--from or --to read as a person types it ("30%", "£1.2m") and checked against the
    field's range, or _Refused saying what the field allows."""
    from dataclasses import replace

    from allocator.domain.fields import parse_value

    allowed = allowed_text(replace(spec, optional=False))  # a sweep needs a figure
    try:
        value = parse_value(spec, text, path)
    except ValidationError as exc:
        lines = []
        for p in exc.problems:
            bound = any(w in p.message for w in ("at most", "at least", "greater than"))
            lines.append(f"{option}: {p.message}" + ("" if bound else f" (allowed: {allowed})"))
        raise _Refused(*lines) from None
    if value is None:
        raise _Refused(f"{option}: give a value (allowed: {allowed})")
    return float(value)


def _sweep_steps(text: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise _Refused(f"--steps: must be a whole number such as 13, got {text!r}") from None


def _check_sweepable(project: Project, j: int, path: str) -> None:
    """What stops the scenario solving, apart from the swept field itself, is refused
    up front (as ``solve`` refuses it): every step would fail the same way."""
    from allocator.domain.edits import validate

    problems = []
    for p in validate(project):
        where_ = str(p.path)
        m = _SCENARIO_PATH.match(where_)
        if (m and int(m.group(1)) != j) or where_ == path:
            continue
        problems.append(p)
    if problems:
        lines = problems_text(project, problems)
        name = project.scenarios[j].name
        verb = "this is" if len(lines) == 1 else "these are"
        raise _Refused(f"cannot sweep '{name}' until {verb} fixed:", *(f"  {t}" for t in lines))


class _StopOnInterrupt:
    """Ctrl+C asks the sweep to stop after the current step (it keeps what is done); a
    second Ctrl+C stops at once."""

    def __init__(self) -> None:
        self._stop = False
        self._old: Any = None

    def is_set(self) -> bool:
        return self._stop

    def _handle(self, signum: int, frame: Any) -> None:
        self._stop = True
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def __enter__(self) -> _StopOnInterrupt:
        try:
            self._old = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: Ctrl+C cannot reach us anyway
            self._old = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


class _SweepProgress:
    """ "Sweeping ring-fence: 5 of 13 steps" on one line of a terminal's stderr."""

    def __init__(self, words: str) -> None:
        self.words = words
        self.shown = 0.0
        self.width = 0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if 0 < done < total and now - self.shown < 0.1:
            return
        self.shown = now
        text = f"Sweeping {self.words}: {done} of {total} steps"
        self.width = max(self.width, len(text))
        sys.stderr.write("\r" + text.ljust(self.width))
        sys.stderr.flush()

    def clear(self) -> None:
        if self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


def _csv_target(text: str) -> Path:
    """The .csv file to write, checked before anything is solved."""
    out = Path(text)
    if out.suffix.lower() != ".csv":
        raise _Refused(
            f"the table is written as a .csv file, such as {out.with_suffix('.csv').name}; "
            f"got {out.name!r}"
        )
    if out.is_dir():
        raise _Refused(f"{out} is a folder, not a .csv file")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise _Refused(f"cannot write {out}: the folder {folder} does not exist")
    return out


def _export(args: argparse.Namespace) -> int:
    from allocator.formats.workbook import write_workbook
    from allocator.report.baseline import resolve_baseline

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise _Refused(
            f"the workbook must be an Excel file ending in .xlsx, such as "
            f"{out.with_suffix('.xlsx').name}; got {out.name!r}"
        )
    project = _load(args.path)
    _require_contents(project, args.path)
    if args.scenario:
        scenario = project.scenarios[find_scenario(project, args.scenario)]
        why = ""
    else:
        scenario = _chosen_scenario(project)
        why = ", the project's chosen scenario"
    try:  # a name that fits no scenario is refused before anything is solved
        baseline = resolve_baseline([s.name for s in project.scenarios], args.baseline)
    except ValidationError as exc:
        raise _Refused(*(f"--baseline: {p.message}" for p in exc.problems)) from None
    results = _solve_all(project)
    chosen = next(r for r in results if r.name == scenario.name)
    if status_of(chosen) == "invalid":
        _report_unsolved(project, [chosen])
        raise _Refused(f"nothing was written to {out}")
    warnings = write_workbook(project, results, out, scenario.name, baseline)
    for w in warnings:
        _say(f"warning: {w}")
    print(f"Wrote {out} with the scenario '{scenario.name}'{why}.")
    if args.baseline is not None:
        print(f"The Scenarios sheet compares every scenario against {_baseline_words(baseline)}.")
    if not chosen.ok:
        _report_unsolved(project, [chosen])
        return 1
    return 0


def _baseline_words(baseline: str) -> str:
    from allocator.report.baseline import SIZE_PROPORTIONAL

    if baseline == SIZE_PROPORTIONAL:
        return "the size-proportional split (the bigger slice)"
    return f"the scenario '{baseline}'"


def _method(args: argparse.Namespace) -> int:
    from allocator.report.method import method_text

    project = scenario = None
    if args.path:
        project = _load(args.path)
        if args.scenario:
            scenario = project.scenarios[find_scenario(project, args.scenario)]
        else:
            scenario = project.chosen_scenario
    elif args.scenario:
        raise _Refused("--scenario needs a project file: fairshare method PROJECT --scenario NAME")
    blocks = []
    for heading, paragraph in method_text(project, scenario):
        text = textwrap.fill(paragraph, width=88, break_on_hyphens=False)
        blocks.append(f"{heading}\n{'-' * len(heading)}\n{text}" if heading else text)
    print("\n\n".join(blocks))
    return 0


def _name_from_file(path: Path) -> str:
    name = path.stem.replace("_", " ").strip()
    return name or "New partnership"


def _import(args: argparse.Namespace) -> int:
    from allocator.formats.files import save_project
    from allocator.formats.tables import preview_import

    target = Path(args.path)
    existing = _load(args.path) if target.exists() else None
    try:
        preview = preview_import(
            Path(args.table),
            existing,
            project_name=None if existing else _name_from_file(target),
            on_match=args.on_match,
        )
    except ValidationError as exc:
        lines = problems_text(None, exc.problems)
        raise _Refused(*_file_lines(args.table, lines)) from None
    if not preview.ok or preview.project is None:
        lines = problems_text(None, preview.error().problems)
        raise _Refused(*_file_lines(args.table, lines))
    for w in preview.warnings:
        _say(f"warning: {w}")
    changed = existing is None or preview.project != existing
    if changed:
        save_project(preview.project, target)
    print(_import_summary(preview, target, changed))
    return 0


def _import_summary(preview: ImportPreview, target: Path, changed: bool) -> str:
    """What an import added, updated (field by field) and skipped, in words."""
    currency = preview.project.currency if preview.project is not None else "GBP"
    added = len(preview.with_outcome("added"))
    head = f"Added {added} partner{'s' * (added != 1)} to {target}"
    more = [
        f"{outcome} {len(preview.with_outcome(outcome))}"
        for outcome in ("updated", "unchanged", "skipped")
        if preview.with_outcome(outcome)
    ]
    lines = [head + ("; " + ", ".join(more) if more else "")]
    for step in preview.plan:
        if step.outcome == "updated":
            changes = "; ".join(c.text(currency) for c in step.changes)
            lines.append(f"  updated {step.name!r} (row {step.row}): {changes}")
        elif step.outcome in ("skipped", "unchanged"):
            lines.append(f"  {step.outcome} {step.name!r} (row {step.row})")
    if not changed:
        lines.append(f"Nothing changed; {target} was not written")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------
# new
# ----------------------------------------------------------------------------------


def _split_amounts(values: Sequence[str]) -> list[str]:
    """One argument per amount, or one argument holding them all: by commas when no
    thousands separators are used, else by semicolons or spaces."""
    if len(values) > 1:
        return [v for v in values if v.strip()]
    text = values[0].strip()
    for separator in (";", " "):
        if separator in text:
            return [v for v in text.split(separator) if v.strip()]
    return [v for v in text.split(",") if v.strip()]


def _new(args: argparse.Namespace) -> int:
    from allocator.domain.edits import new_project, set_field
    from allocator.formats.files import save_project

    target = Path(args.path)
    if target.suffix.lower() != PROJECT_SUFFIX:
        raise _Refused(
            f"a project file's name ends in {PROJECT_SUFFIX}, such as "
            f"{target.with_suffix(PROJECT_SUFFIX).name}; got {target.name!r}"
        )
    if target.exists() and not args.force:
        raise _Refused(
            f"{target} already exists; nothing was changed. Give --force to replace it "
            f"(the old file is kept as {target.name}.bak)"
        )
    if target.is_dir():
        raise _Refused(f"{target} is a folder, not a project file")
    if args.uplift is not None and args.budget_per_year:
        raise _Refused("--uplift goes with --budget; --budget-per-year gives every year's grant")
    project = new_project(name=_name_from_file(target))
    amounts = _split_amounts(args.budget_per_year) if args.budget_per_year else []
    years = args.years if args.years is not None else (str(len(amounts)) if amounts else None)
    options = [
        ("--name", "name", args.name),
        ("--currency", "currency", args.currency),
        ("--start-year", "years.start", args.start_year),
        ("--years" if args.years is not None else "--budget-per-year", "years.count", years),
        ("--budget", "budget.first_year", args.budget),
        ("--uplift", "budget.annual_uplift", args.uplift),
    ]
    problems: list[str] = []
    for option, path, value in options:
        if value is None:
            continue
        try:
            project = set_field(project, path, value)
        except ValidationError as exc:
            problems += [f"{option}: {p.message} (allowed: {_allowed(path)})" for p in exc.problems]
    if amounts and not problems:
        if len(amounts) != project.year_count:
            problems.append(
                f"--budget-per-year gives {len(amounts)} amounts for {project.year_count} years; "
                "give one amount per year"
            )
        for k, text in enumerate(amounts[: project.year_count]):
            try:
                project = set_field(project, f"budget.per_year[{k}]", text)
            except ValidationError as exc:
                problems += [
                    f"--budget-per-year, amount {k + 1}: {p.message}" for p in exc.problems
                ]
    if problems:
        raise _Refused(*problems, f"{target} was not created")
    try:
        _check_saveable(project)
    except _Refused as exc:
        raise _Refused(*exc.lines, f"{target} was not created") from None
    save_project(project, target)
    print(f"Created {target}: {_project_summary(project)}")
    steps = []
    if project.budget.per_year is None and project.budget.first_year is None:
        steps.append(f"fairshare set {_arg(target)} budget.first_year=AMOUNT")
    steps.append(f"fairshare import-partners TABLE.xlsx {_arg(target)}")
    steps.append(f"fairshare set {_arg(target)} --list")
    print("Next: " + "\n      ".join(steps))
    return 0


def _arg(path: Path | str) -> str:
    text = str(path)
    return f'"{text}"' if re.search(r"[\s'\"$&;|<>()]", text) else text


def _allowed(path: str) -> str:
    from allocator.domain.fields import spec_for

    return allowed_text(spec_for(path))


def _project_summary(project: Project) -> str:
    from allocator.domain.text import money, pct

    years = project.years
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]} to {years[-1]}"
    b = project.budget
    cur = project.currency
    if b.per_year is not None:
        grant = "grant " + ", ".join(
            money(v, cur) if v is not None else "not set" for v in b.per_year
        )
    elif b.first_year is None:
        grant = "grant not set yet"
    else:
        grant = f"grant {money(b.first_year, cur)} in the first year"
        if b.annual_uplift:
            grant += f", {'rising' if b.annual_uplift > 0 else 'falling'} "
            grant += f"{pct(abs(b.annual_uplift), 1).replace('.0%', '%')} a year"
    scenarios = _quoted([s.name for s in project.scenarios])
    chosen = project.chosen_scenario
    return (
        f"'{project.name}', {cur}, {len(years)} year{'s' if len(years) != 1 else ''} "
        f"({span}), {grant}; scenario {scenarios}"
        + (", chosen for the bid" if chosen is not None else "")
        + "."
    )


def _check_saveable(project: Project) -> None:
    """What is saved must read back: a project the reader would refuse is never written."""
    from allocator.formats.files import dumps_project, loads_project

    try:
        loads_project(dumps_project(project))
    except ValidationError as exc:
        raise _Refused(*problems_text(project, exc.problems)) from None


# ----------------------------------------------------------------------------------
# set
# ----------------------------------------------------------------------------------


def _parse_assignment(text: str) -> tuple[str, str]:
    field, sep, value = text.partition("=")
    if not sep or not field.strip():
        raise _Refused(
            f"{text!r} is not FIELD=VALUE: write for example budget.first_year=1200000 "
            "(`fairshare set PATH --list` shows every field)"
        )
    return field.strip(), value


def _field_path(project: Project, field: str, scenario: int | None, partner: int | None) -> str:
    """The full path of ``field``: relative to the scenario or partner when one is given."""
    from allocator.domain.fields import FIELDS, pattern_of

    patterns = {spec.pattern for spec in FIELDS}
    relative = pattern_of(field)
    if scenario is not None and f"scenarios[].{relative}" in patterns:
        return f"scenarios[{scenario}].{field}"
    if partner is not None and f"partners[].{relative}" in patterns:
        return f"partners[{partner}].{field}"
    return field


def _unknown_field(project: Project, field: str) -> str:
    import difflib

    from allocator.domain.fields import FIELDS

    keys = sorted({s.pattern.split("].")[-1] for s in FIELDS} | {s.pattern for s in FIELDS})
    close = difflib.get_close_matches(field.split("].")[-1], keys, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"there is no field {field!r}{hint} (`fairshare set PATH --list` shows every field; "
        "scenario and partner fields need --scenario NAME, --partner NAME, or a path such "
        "as scenarios[0].ring_fence)"
    )


def _resolve(
    project: Project, field: str, value: str, scenario: int | None, partner: int | None
) -> tuple[str, Any]:
    """The path to set and the value to hand to set_field, or a _Refused line."""
    from allocator.domain.fields import spec_for
    from allocator.domain.paths import FieldPath

    text = _field_path(project, field, scenario, partner)
    try:
        path = FieldPath.parse(text)
    except ValidationError:
        raise _Refused(_unknown_field(project, field)) from None
    try:
        spec = spec_for(path)
    except KeyError:
        raise _Refused(_unknown_field(project, field)) from None
    if spec.pattern == "chosen" and value.strip():
        value = project.scenarios[find_scenario(project, value)].name
    return str(path), value


def _set(args: argparse.Namespace) -> int:
    if args.list:
        if args.assignments:
            raise _Refused("give either --list or FIELD=VALUE assignments, not both")
        return _list_fields(args)
    if args.json:
        raise _Refused("--json goes with --list")
    if not args.assignments:
        raise _Refused(
            "nothing to set: give FIELD=VALUE, for example budget.first_year=1200000, "
            f"or see every field with `fairshare set {_arg(args.path)} --list`"
        )
    from allocator.domain.fields import spec_for
    from allocator.domain.paths import FieldPath
    from allocator.formats.files import save_project

    project = _load(args.path)
    try:
        changed, targets = _assign(project, args)
    except _Refused as exc:
        raise _Refused(*exc.lines, f"nothing was changed in {args.path}") from None
    if changed == project:
        print("Nothing to change: every field already has that value.")
        return 0
    save_project(changed, Path(args.path))
    for path, _value in targets:
        spec = spec_for(path)
        before = _value_at(project, FieldPath.parse(path))
        after = _value_at(changed, FieldPath.parse(path))
        place = _capital(where(changed, path))
        shown = _shown(spec, after, changed.currency)
        if before == after:
            print(f"{place}: {shown} (unchanged)")
        else:
            print(f"{place}: {shown} (was {_shown(spec, before, project.currency)})")
    _report_still_to_fix(changed)
    return 0


def _assign(project: Project, args: argparse.Namespace) -> tuple[Project, list[tuple[str, Any]]]:
    """Every assignment applied to ``project``, or _Refused naming each one refused."""
    from allocator.domain.edits import set_field

    scenario = find_scenario(project, args.scenario) if args.scenario else None
    partner = find_partner(project, args.partner) if args.partner else None
    refused: list[str] = []
    targets: list[tuple[str, Any]] = []
    changed = project
    for text in args.assignments:  # each in turn, so the messages follow the command
        try:
            field, value = _parse_assignment(text)
            path, value = _resolve(project, field, value, scenario, partner)
        except _Refused as exc:
            refused += exc.lines
            continue
        try:
            changed = set_field(changed, path, value)
        except ValidationError as exc:
            for p in exc.problems:
                line = problem_text(project, Problem(p.path or path, p.message))
                if "must" in p.message or "blank" in p.message:  # about the value typed
                    line += f" (allowed: {_allowed_at(p.path or path)})"
                refused.append(line)
            continue
        targets.append((path, value))
    if refused:
        raise _Refused(*refused)
    _check_saveable(changed)
    return changed, targets


def _allowed_at(path: str) -> str:
    from allocator.domain.fields import spec_for

    try:
        return allowed_text(spec_for(path))
    except KeyError:
        return "see `fairshare set PATH --list`"


def _value_at(project: Project, path: Any) -> Any:
    try:
        return path.get(project)
    except (LookupError, AttributeError, TypeError):
        return None


def _shown(spec: Any, value: Any, currency: str) -> str:
    """A value as a sentence shows it: money with its symbol, in whole units."""
    from allocator.domain.text import money
    from allocator.report.render import value_text

    if spec.kind == "money" and value is not None:
        return money(value, currency)
    return value_text(spec, value, currency)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _report_still_to_fix(project: Project) -> None:
    """After a change: what still stops a solve (a note, not a refusal: a person may set
    fields in any order)."""
    from allocator.domain.edits import validate

    problems = validate(project)
    if problems:
        lines = problems_text(project, problems)
        print("Before it can be solved:")
        for line in lines:
            print(f"  - {line}")


def _list_fields(args: argparse.Namespace) -> int:
    from allocator.domain.fields import FIELDS
    from allocator.report.render import field_listing, listing_json, render_field_listing

    project = _load(args.path)
    scenario = find_scenario(project, args.scenario) if args.scenario else None
    partner = find_partner(project, args.partner) if args.partner else None
    only = scenario is not None or partner is not None
    project_specs = [s for s in FIELDS if not s.pattern.startswith(("partners[]", "scenarios[]"))]
    scenario_specs = [s for s in FIELDS if s.pattern.startswith("scenarios[].")]
    partner_specs = [s for s in FIELDS if s.pattern.startswith("partners[].")]
    groups: list[tuple[str, list[dict]]] = []
    if not only:
        paths = []
        for spec in project_specs:
            if spec.pattern == "budget.per_year[]":
                paths += [f"budget.per_year[{k}]" for k in range(project.year_count)]
            else:
                paths.append(spec.pattern)
        items = field_listing(project, paths)
        for item in items:
            item["note"] = _budget_note(project, item["path"])
        groups.append(("Project", items))
    for j, s in enumerate(project.scenarios):
        if only and j != scenario:
            continue
        paths = [spec.pattern.replace("scenarios[]", f"scenarios[{j}]") for spec in scenario_specs]
        title = f"Scenario '{s.name}' (or: --scenario \"{s.name}\" FIELD=VALUE)"
        groups.append((title, field_listing(project, paths)))
    for i, p in enumerate(project.partners):
        if only and i != partner:
            continue
        paths = [spec.pattern.replace("partners[]", f"partners[{i}]") for spec in partner_specs]
        title = f"Partner '{p.name}', id {p.id} (or: --partner \"{p.name}\" FIELD=VALUE)"
        groups.append((title, field_listing(project, paths)))
    if args.json:
        print(json.dumps(listing_json(project, groups), indent=2, ensure_ascii=False))
    else:
        print(render_field_listing(project, groups))
    return 0


def _budget_note(project: Project, path: str) -> str:
    """The budget is either a first year with an uplift or every year's figure."""
    per_year = project.budget.per_year is not None
    if path.startswith("budget.per_year") and not per_year:
        return "(from the first year)"
    if path in ("budget.first_year", "budget.annual_uplift") and per_year:
        return "(not used: set per year)"
    return ""


# ----------------------------------------------------------------------------------
# Needs questionnaires out and answers back; the choice of scenario on record
# ----------------------------------------------------------------------------------


def _questionnaires_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="project file (.fairshare)")
    p.add_argument(
        "outdir", metavar="OUTDIR", help="the folder to write them in (created if absent)"
    )
    p.add_argument(
        "--partner",
        metavar="NAME",
        action="append",
        help="only this partner (name or id); give it again for more",
    )


def _read_answers_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="project file (.fairshare)")
    p.add_argument("files", metavar="FILE", nargs="+", help="returned questionnaires (.xlsx)")
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")


def _choose_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="project file (.fairshare)")
    p.add_argument("scenario", metavar="SCENARIO", help="the scenario chosen for the bid")
    p.add_argument("--reason", metavar="TEXT", required=True, help="why the partnership chose it")
    p.add_argument(
        "--by", metavar="TEXT", default="", help="who agreed it, such as 'the partnership board'"
    )


def _decisions_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="project file (.fairshare)")
    p.add_argument("--json", action="store_true", help="print the history as JSON")


_ANSWERS_EPILOG = """\
Each file is matched to its partner by the identifier the questionnaire carries, never
by its name. Every problem is named by file, sheet, row and question. An answer not
among the choices, a formula in an answer cell, a workbook from another project,
partner or questionnaire version, or a changed layout refuses the whole run: the
project file is then left exactly as it was (exit status 2). Questions left blank are
listed and left out of the scores. When a partner sent more than one return, the newest
(by the file's modification time) is used, and the run says so.

examples:
  fairshare questionnaires p.fairshare out/
  fairshare read-answers p.fairshare returns/*.xlsx --dry-run
  fairshare read-answers p.fairshare returns/*.xlsx
"""

_CHOOSE_EPILOG = """\
The scenario is solved, and the date, the reason, who agreed it, each partner's total,
the measures and a fingerprint of the settings and the partners' figures are added to
the project's history of choices. `fairshare decisions` lists them, and marks a choice
whose scenario changed afterwards; the exported workbook has them on its Decisions sheet.

examples:
  fairshare choose p.fairshare "Needs-weighted" --reason "Meets the ring-fence" --by "the partnership board"
  fairshare decisions p.fairshare --json
"""


def _questionnaires(args: argparse.Namespace) -> int:
    from allocator.formats.questionnaire import write_questionnaires

    project = _load(args.path)
    if not project.partners:
        raise _Refused(f"{args.path} has no partners to send a questionnaire to")
    ids = None
    if args.partner:
        ids = [project.partners[find_partner(project, name)].id for name in args.partner]
    out = Path(args.outdir)
    if out.exists() and not out.is_dir():
        raise _Refused(f"{out} is a file, not a folder")
    for f in write_questionnaires(project, out, ids):
        print(f"Wrote {f.path} for {f.partner_name}.")
    return 0


def _score_words(value: float | None) -> str:
    return "blank" if value is None else f"{value:.3f}"


def _print_answers(preview: Any) -> None:
    from allocator.domain import needs

    for item in preview.partners:
        print(f"{item.partner_name} (from {Path(item.file).name})")
        for b in item.breakdown:
            for line in b.lines:
                answer = "not answered" if line.answer is None else f"'{line.answer}'"
                print(f"  {line.topic}: {answer}")
        for key in needs.GROUPS:
            before, after = item.before[key], item.after[key]
            same = " (unchanged)" if before == after else ""
            print(
                f"  {needs.GROUP_NAMES[key].capitalize()} score: "
                f"{_score_words(before)} -> {_score_words(after)}{same}"
            )
        for change in item.facts:
            print(f"  {change.label}: {change.old_text or 'blank'} -> {change.new_text or 'blank'}")
        if not item.facts:
            print("  Facts: confirmed as on record")
    for problem in preview.problems:
        kind = "refused" if problem.refuses else "note"
        print(f"{kind}: {problem.text()}")


def _read_answers(args: argparse.Namespace) -> int:
    from allocator.formats.answers import apply_answers, read_answers
    from allocator.formats.files import save_project

    project = _load(args.path)
    preview = read_answers(project, args.files)
    _print_answers(preview)
    if not preview.ok:
        raise _Refused(
            f"{len(preview.refusals)} problem(s) refuse these answers; nothing was changed "
            f"in {args.path}"
        )
    if args.dry_run:
        print(f"Dry run: nothing was changed in {args.path}.")
        return 0
    if not preview.partners:
        print(f"No answers to apply; {args.path} is unchanged.")
        return 0
    changed = apply_answers(project, preview)
    save_project(changed, Path(args.path))
    names = ", ".join(item.partner_name for item in preview.partners)
    print(f"Saved the answers of {names} in {args.path}.")
    return 0


def _choose(args: argparse.Namespace) -> int:
    from allocator.formats.files import save_project
    from allocator.report.choice import date_words, record_choice

    project = _load(args.path)
    _require_contents(project, args.path)
    name = project.scenarios[find_scenario(project, args.scenario)].name
    changed = record_choice(project, name, args.reason, args.by, time_today())
    save_project(changed, Path(args.path))
    d = changed.decisions[-1]
    who = f" by {d.agreed_by}" if d.agreed_by else ""
    print(f"Chose '{name}' for the bid on {date_words(d.date)}{who}: {d.reason}")
    return 0


def time_today() -> Any:
    """Today's date (a function, so that tests may stand in for the clock)."""
    import datetime

    return datetime.date.today()


def _decisions(args: argparse.Namespace) -> int:
    from allocator.report.choice import date_words, decision_history

    project = _load(args.path)
    history = decision_history(project)
    if args.json:
        print(json.dumps([json_safe(e.to_json()) for e in history], indent=2, ensure_ascii=False))
        return 0
    if not history:
        print(f"No choice is on record in {args.path}: `fairshare choose` records one.")
        return 0
    for e in history:
        d = e.decision
        who = f" by {d.agreed_by}" if d.agreed_by else ""
        mark = f"  [{e.note}]" if e.changed else ""
        print(f"{date_words(d.date)}: '{d.scenario}' chosen{who}{mark}")
        print(textwrap.indent(textwrap.fill(d.reason, width=84), "    "))
    return 0


_ANSWER_COMMANDS = {
    "questionnaires": Command(
        "write each partner's needs questionnaire as an .xlsx to fill in",
        "Write one needs questionnaire workbook per partner (or per --partner) into "
        "OUTDIR: what it is for and how the answers are scored, the partner's facts to "
        "confirm or correct, and every needs question with its answers in a dropdown.",
        _questionnaires_arguments,
        _questionnaires,
        _ANSWERS_EPILOG,
    ),
    "read-answers": Command(
        "read returned needs questionnaires into the project",
        "Read returned needs questionnaires: for each partner, its answers, its two "
        "scores before and after, and the facts it corrected, with every problem by "
        "file, sheet, row and question. The project changes only when no problem "
        "refuses the answers (never with --dry-run).",
        _read_answers_arguments,
        _read_answers,
        _ANSWERS_EPILOG,
    ),
    "choose": Command(
        "record the scenario chosen for the bid, with the reason",
        "Choose the scenario that goes into the bid and put the choice on record: the "
        "date, the reason, who agreed it, each partner's total and the measures.",
        _choose_arguments,
        _choose,
        _CHOOSE_EPILOG,
    ),
    "decisions": Command(
        "list the recorded choices of scenario, newest first",
        "List the recorded choices of scenario for the bid, newest first, marking a "
        "choice whose scenario's settings or partners' figures changed afterwards.",
        _decisions_arguments,
        _decisions,
        _CHOOSE_EPILOG,
    ),
}

COMMANDS: dict[str, Command] = _commands()
SUBCOMMANDS = tuple(COMMANDS)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
