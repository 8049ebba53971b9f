"""Fixtures for the token-classification data tests: a synthetic CoNLL folder per test (the
shared CoNLL-2003 copy is the root conftest's `conll_dir`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def synthetic_conll(tmp_path: Path, write_conll: Callable[..., Path]) -> Path:
    return write_conll(tmp_path / "conll")
