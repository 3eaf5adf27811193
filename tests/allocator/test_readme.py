"""Every command in the README runs as written, with what ships, and says what it shows.

Each fenced block's command lines (``fairshare ...``, ``.venv/bin/fairshare ...`` or
``$ fairshare ...``) run in order in a temporary folder holding copies of the files they
name, through ``allocator.cli.main`` in this process. A command exits 0 unless its line
ends with a comment saying ``# exit status N`` (the README's way of saying that the
scenario cannot be met). Lines under a ``$ fairshare`` command, up to the next command,
are its output: each one shown (``...`` marks what is left out, blank lines are not
compared) must be a line of what the command prints, stdout then stderr, in order.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from allocator.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PREFIXES = ("$ fairshare ", ".venv/bin/fairshare ", "fairshare ")
EXIT = re.compile(r"#\s*exit status (\d+)")


@dataclass
class Example:
    line: int  # where the command is in the README, counted from 1
    text: str  # the command as written, prompt and comment included
    argv: list[str]
    status: int
    shown: list[str] = field(default_factory=list)


def _command(text: str, line: int) -> Example | None:
    for prefix in PREFIXES:
        if text.startswith(prefix):
            words = shlex.split(text[len(prefix) :], comments=True)
            found = EXIT.search(text)
            return Example(line, text, words, int(found.group(1)) if found else 0)
    return None


def readme_blocks(text: str = README) -> list[list[Example]]:
    """The command examples of each fenced block that has any, in README order."""
    blocks: list[list[Example]] = []
    inside, current = False, []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("```"):
            if inside and current:
                blocks.append(current)
            inside, current = not inside, []
            continue
        if not inside:
            continue
        example = _command(raw, number)
        if example is not None:
            current.append(example)
        elif current and current[-1].text.startswith("$ "):
            current[-1].shown.append(raw.rstrip())
    return blocks


BLOCKS = readme_blocks()


def _copy_named_files(argv: list[str], folder: Path) -> None:
    """Copies of the shipped files a command names, at the same place under ``folder``."""
    for word in argv:
        source = ROOT / word
        if "/" in word and source.is_file() and not (folder / word).exists():
            (folder / word).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / word)


def _in_order(shown: list[str], said: list[str]) -> str | None:
    """The first shown line missing from ``said`` (in order), or None when all are there."""
    lines = [line.rstrip() for line in said]
    at = 0
    for want in shown:
        if not want.strip() or want.strip() == "...":
            continue
        try:
            at = lines.index(want, at) + 1
        except ValueError:
            return want
    return None


def test_the_readme_has_command_examples_to_check():
    commands = [e.argv[0] for block in BLOCKS for e in block]
    assert {"new", "import-partners", "set", "solve", "compare", "sweep", "export"} <= set(commands)
    assert any(e.shown for block in BLOCKS for e in block)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"line{b[0].line}" for b in BLOCKS])
def test_every_readme_command_runs_as_written(block, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for example in block:
        where = f"README.md line {example.line}: {example.text}"
        # never the desktop app: every example is a headless command
        assert example.argv and example.argv[0] in COMMANDS, where
        _copy_named_files(example.argv, tmp_path)
        try:
            status = main(list(example.argv))
        except SystemExit as exc:  # argparse refusing the command line
            status = int(exc.code or 0)
        out, err = capsys.readouterr()
        assert status == example.status, f"{where}\nexit status {status}\n{out}\n{err}"
        assert "Traceback" not in out + err, where
        missing = _in_order(example.shown, (out + err).splitlines())
        assert missing is None, f"{where}\nshown but not printed: {missing!r}\n{out}\n{err}"


def test_the_readers_of_the_readme_see_what_the_test_checks():
    """The parser itself: prompts, comments with an exit status, output under a command."""
    text = (
        "```\n"
        "$ fairshare solve a.fairshare  # exit status 1\n"
        "Needs-weighted  [cannot be met]\n"
        "...\n"
        ".venv/bin/fairshare export a.fairshare b.xlsx\n"
        "```\n"
        "fairshare solve outside.fairshare\n"
    )
    [[first, second]] = readme_blocks(text)
    assert first.argv == ["solve", "a.fairshare"] and first.status == 1
    assert first.shown == ["Needs-weighted  [cannot be met]", "..."]
    assert second.argv == ["export", "a.fairshare", "b.xlsx"] and second.status == 0
    assert _in_order(first.shown, ["x", "Needs-weighted  [cannot be met]"]) is None
    assert _in_order(["b", "a"], ["a", "b"]) == "a"


def test_the_readmes_json_error_is_what_a_refused_file_prints(tmp_path, monkeypatch, capsys):
    """The README's JSON error document: `fairshare solve p.fairshare --json` on the
    sample with its third partner's capacity at -5."""
    start = README.index('```json\n{\n  "error"')
    shown = json.loads(README[README.index("\n", start) : README.index("```", start + 3)])
    data = json.loads((ROOT / "resources" / "sample.fairshare").read_text(encoding="utf-8"))
    data["partners"][2]["capacity"] = -5
    monkeypatch.chdir(tmp_path)
    Path("p.fairshare").write_text(json.dumps(data), encoding="utf-8")
    assert main(["solve", "p.fairshare", "--json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out) == shown
    assert f"fairshare: {shown['error']['message']}" in err
