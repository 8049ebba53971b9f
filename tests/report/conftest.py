"""Shared fixtures for the report tests: the committed fixture sweeps (one dataset; a suite of
three with a dataset grid axis) and fresh copies of them."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]

FIXTURES = ROOT / "tests" / "fixtures" / "report"
FIXTURE_SWEEP = FIXTURES / "sweep"
GOLDEN = FIXTURES / "golden_report.md"
SUITE = FIXTURES / "suite"
SUITE_SWEEP = SUITE / "sweep"
SUITE_GOLDEN = SUITE / "golden_report.md"


def _load_script(path: Path) -> ModuleType:
    """Import a fixture generator script (it is not part of a package)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_make_fixture() -> ModuleType:
    """The single-dataset fixture generator."""
    return _load_script(FIXTURES / "make_fixture.py")


def load_make_suite() -> ModuleType:
    """The multi-dataset (suite) fixture generator."""
    return _load_script(SUITE / "make_suite.py")


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


@pytest.fixture(scope="session")
def make_suite() -> ModuleType:
    return load_make_suite()


@pytest.fixture(scope="session")
def suite_sweep() -> Path:
    """The committed suite fixture: one sweep with a dataset grid axis (read only)."""
    return SUITE_SWEEP


@pytest.fixture(scope="session")
def built_suite_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report rendered once from the committed suite fixture records."""
    from harness.report import build_report

    return build_report(SUITE_SWEEP, tmp_path_factory.mktemp("suite_report"))


@pytest.fixture(scope="session")
def split_suite(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The same records as the suite fixture, written as one single-dataset sweep per dataset."""
    out = load_make_suite().main(tmp_path_factory.mktemp("split") / "suite", split=True)
    return sorted(p for p in out.iterdir() if p.is_dir())
