"""Fixtures for the token-classification data tests: a synthetic CoNLL folder (always) and the
shared CoNLL-2003 copy (skipped cleanly when ../shared is absent: its licence forbids vendoring)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SHARED_CONLL = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "conll2003"


def load_conll_fixtures() -> ModuleType:
    """tests/data/conll_fixtures.py, imported by path (tests are not a package)."""
    spec = importlib.util.spec_from_file_location(
        "conll_fixtures", Path(__file__).with_name("conll_fixtures.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def synthetic_conll(tmp_path: Path) -> Path:
    return load_conll_fixtures().write_conll(tmp_path / "conll")


@pytest.fixture
def conll_dir() -> Path:
    """The shared CoNLL-2003 copy, or a clean skip."""
    if not all((SHARED_CONLL / f).is_file() for f in ("train.txt", "valid.txt", "test.txt")):
        pytest.skip(f"CoNLL-2003 not found at {SHARED_CONLL} (licence: not vendored)")
    return SHARED_CONLL
