"""Fixtures for the task tests: the hand-made SQuAD-format fixture and a QA trial's overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

SQUAD = Path(__file__).resolve().parents[1] / "fixtures" / "squad"


@pytest.fixture(scope="session")
def squad_dir() -> Path:
    """tests/fixtures/squad: train.json (16 questions), test.json (6, some with two answers);
    two contexts of 130-180 words with answers near their end, so 128-token windows matter."""
    return SQUAD


@pytest.fixture
def qa_overrides(tiny_overrides: list[str], squad_dir: Path) -> list[str]:
    """A QA trial on the fixture with the tiny model (128 positions: windows of 128, stride 32)."""
    return [
        *tiny_overrides,
        "dataset=squad",
        f"dataset.train_path={squad_dir / 'train.json'}",
        f"dataset.test_path={squad_dir / 'test.json'}",
        "dataset.max_length=128",
        "dataset.doc_stride=32",
        "dataset.train_size=12",
        "dataset.val_size=4",
        "train.batch_size=4",
        "train.drift_examples=4",
    ]
