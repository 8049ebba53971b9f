"""The rendered report matches the committed golden markdown (numbers compared with tolerance).

Regenerate after an intended change: `UPDATE_GOLDEN=1 .venv/bin/pytest tests/report`.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from pathlib import Path
from types import ModuleType

_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
REL_TOL = 1e-6


def split_numbers(text: str) -> tuple[str, list[float]]:
    """The text with every number replaced by <n>, and the numbers in order."""
    return _NUMBER.sub("<n>", text), [float(x) for x in _NUMBER.findall(text)]


def assert_matches_golden(actual: str, golden: str) -> None:
    """Text equal outside numbers; numbers equal within REL_TOL."""
    skel_a, nums_a = split_numbers(actual)
    skel_g, nums_g = split_numbers(golden)
    diff = "\n".join(
        difflib.unified_diff(
            skel_g.splitlines(), skel_a.splitlines(), "golden", "actual", lineterm=""
        )
    )
    assert skel_a == skel_g, f"report text differs from golden:\n{diff}"
    assert len(nums_a) == len(nums_g)
    bad = [
        (g, a)
        for g, a in zip(nums_g, nums_a, strict=True)
        if not math.isclose(g, a, rel_tol=REL_TOL, abs_tol=1e-12)
    ]
    assert not bad, f"numbers differ from golden (golden, actual): {bad[:10]}"


def test_report_matches_golden(built_report: Path, golden_path: Path) -> None:
    actual = built_report.read_text(encoding="utf-8")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden_path.write_text(actual, encoding="utf-8")
    assert_matches_golden(actual, golden_path.read_text(encoding="utf-8"))


def test_golden_compare_tolerates_tiny_float_noise_only() -> None:
    golden = "p=0.0123456 and 85.3 ± 1.2"
    assert_matches_golden("p=0.01234560001 and 85.3 ± 1.2", golden)
    for wrong in ("p=0.0124 and 85.3 ± 1.2", "p=0.0123456 or 85.3 ± 1.2"):
        try:
            assert_matches_golden(wrong, golden)
        except AssertionError:
            continue
        raise AssertionError(f"{wrong!r} should not match")


def test_fixture_generator_reproduces_committed_records(
    tmp_path: Path, make_fixture: ModuleType, fixture_sweep: Path
) -> None:
    fresh = make_fixture.main(tmp_path / "sweep")
    committed = sorted(
        p.relative_to(fixture_sweep) for p in fixture_sweep.rglob("*") if p.is_file()
    )
    regenerated = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert committed == regenerated
    assert len([p for p in committed if p.suffix == ".json"]) == 74
    for rel in committed:
        assert (fresh / rel).read_bytes() == (fixture_sweep / rel).read_bytes(), rel


def test_golden_covers_every_verdict_and_the_trust_section(golden_path: Path) -> None:
    text = golden_path.read_text(encoding="utf-8")
    for verdict in ("**better**", "**worse**", "**equivalent (±1 point)**"):  # undecided: suite
        assert verdict in text
    assert "\nDecided: 6 of 9 strategy-vs-full comparisons\n" in text
    assert "## Analysis plan" in text and "### Checking the model" in text
    assert "## Trust" in text and "*suspect*: full@100 still_improving" in text
    for figure in ("training_curves.png", "budget_curves.png", "learning_curves.png"):
        assert f"]({figure})" in text
