"""The top-level facade: every name it promises resolves, and importing it is cheap."""

import subprocess
import sys

import allocator


def test_every_exported_name_resolves():
    missing = [name for name in allocator.__all__ if getattr(allocator, name, None) is None]
    assert not missing


def test_unknown_name_is_an_attribute_error():
    try:
        allocator.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_import_allocator_loads_no_engine_or_qt():
    code = (
        "import sys, allocator\n"
        "heavy = [m for m in sys.modules if m.startswith(('allocator.engine', 'PySide6', 'pulp'))]\n"
        "assert not heavy, heavy\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
