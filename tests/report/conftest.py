"""Shared fixtures for the report tests: the committed fixture sweep and a fresh copy of it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]

FIXTURES = ROOT / "tests" / "fixtures" / "report"
FIXTURE_SWEEP = FIXTURES / "sweep"
GOLDEN = FIXTURES / "golden_report.md"


def load_make_fixture() -> ModuleType:
    """Import the fixture generator script (it is not part of a package)."""
    spec = importlib.util.spec_from_file_location("make_fixture", FIXTURES / "make_fixture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def fixture_sweep() -> Path:
    """The committed fixture sweep folder (read only)."""
    return FIXTURE_SWEEP


@pytest.fixture(scope="session")
def golden_path() -> Path:
    """The committed golden report."""
    return GOLDEN


@pytest.fixture(scope="session")
def make_fixture() -> ModuleType:
    return load_make_fixture()


@pytest.fixture(scope="session")
def built_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report rendered once from the committed fixture records."""
    from harness.report import build_report

    return build_report(FIXTURE_SWEEP, tmp_path_factory.mktemp("report"))


@pytest.fixture
def sweep_copy(tmp_path: Path, make_fixture: ModuleType) -> Path:
    """A fresh, writable fixture sweep to damage in partial-sweep tests."""
    return make_fixture.main(tmp_path / "sweep")
