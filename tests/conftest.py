"""Shared test set-up: Qt always offscreen, the sample project at hand."""

import json
import os
from importlib import resources

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def sample_dict() -> dict:
    return json.loads(resources.files("resources").joinpath("sample.fairshare").read_text("utf-8"))


@pytest.fixture
def sample_project(sample_dict):
    from allocator.domain.model import project_from_dict

    return project_from_dict(sample_dict)
