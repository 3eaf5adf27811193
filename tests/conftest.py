"""Shared test set-up: Qt always offscreen, the sample project at hand, and Hypothesis
the same on every run.

Hypothesis profiles (``HYPOTHESIS_PROFILE``):

- ``ci`` (the default, what ``./test`` runs): derandomised, so a run gives the same
  examples every time and a failure is met again by the next run; no example database;
  a failure prints the blob that replays it (``@reproduce_failure``).
- ``long``: random examples, a new set every run, and ten times as many per test
  (every test's own ``max_examples`` included). For a search before a release:
  ``HYPOTHESIS_PROFILE=long ./test`` (which allows each test 15 minutes)
"""

import json
import os
from importlib import resources

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["pytester"]  # runs a test file of its own where a test must fail

LONG_FACTOR = 10  # how many times more examples the long profile draws per test

# No deadline in either profile: on a busy machine one slow example is not a failure
# (pytest-timeout bounds each test as a whole).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True, deadline=None)
settings.register_profile("long", derandomize=False, database=None, print_blob=True, deadline=None)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def pytest_report_header(config) -> str:
    return f"hypothesis profile: {PROFILE}"


def pytest_collection_modifyitems(items) -> None:
    """In the long profile every @given test draws LONG_FACTOR times its number of
    examples, its own ``max_examples`` included (a test's own count wins over any
    profile's, so a profile alone cannot raise it)."""
    if PROFILE != "long":
        return
    done: set[int] = set()  # parametrised tests share one function
    for item in items:
        if not isinstance(item, pytest.Function):
            continue
        test = item.function
        if not hasattr(test, "hypothesis") or id(test) in done:
            continue  # not a @given test, or already scaled
        done.add(id(test))
        own = test._hypothesis_internal_use_settings  # where @settings puts a test's own
        test._hypothesis_internal_use_settings = settings(
            own, max_examples=own.max_examples * LONG_FACTOR
        )


@pytest.fixture
def sample_dict() -> dict:
    return json.loads(resources.files("resources").joinpath("sample.fairshare").read_text("utf-8"))


@pytest.fixture
def sample_project(sample_dict):
    from allocator.domain.model import project_from_dict

    return project_from_dict(sample_dict)
