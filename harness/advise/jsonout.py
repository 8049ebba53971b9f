"""The advice as JSON for scripts: the same numbers the screen prints, nothing rounded."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

from harness.advise.advice import Advice, StrategyAdvice, UnitAdvice
from harness.advise.rule import THRESHOLD, rule_text

__all__ = ["advice_dict", "advice_json"]


def _clean(value: Any) -> Any:
    """NaN becomes null (JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _strategy(s: StrategyAdvice) -> dict[str, Any]:
    return {
        "strategy": s.strategy,
        "score": s.score,
        "low": s.low,
        "high": s.high,
        "p_within_margin": s.p_within,
        "p_best": s.p_best,
        "position": s.position.kind,
        "position_text": s.position.text,
        "sizes_used": list(s.position.sizes),
        "extrapolation_factor": s.position.factor,
        **asdict(s.cost),
    }


def _unit(u: UnitAdvice) -> dict[str, Any]:
    e = u.evidence
    return {
        "unit": u.unit,
        "label": u.label,
        "recommendation": u.choice.strategy,
        "by": u.choice.by,
        "rival": e.rival,
        "suspect": e.suspect,
        "strategies": [_strategy(s) for s in u.strategies],
        "cells": [asdict(c) for c in e.cells],
        "verdicts": e.verdicts,
        "notes": e.notes,
        "unit_choices": [{"unit": a, "recommendation": b} for a, b in e.unit_choices],
    }


def advice_dict(advice: Advice) -> dict[str, Any]:
    s = advice.study
    return _clean(
        {
            "study": s.name,
            "source": s.source,
            "train_size": advice.train_size,
            "score": s.score_label,
            "unit": "points",
            "margin": s.margin,
            "margin_from": s.margin_from,
            "level": advice.level,
            "threshold": THRESHOLD,
            "rule": rule_text(s.margin),
            "machine": s.machine,
            "recommendation": advice.headline.choice.strategy,
            "by": advice.headline.choice.by,
            "units_agreeing": advice.agree,
            "n_units": len(advice.units),
            "pooled": _unit(advice.pooled) if advice.pooled else None,
            "units": [_unit(u) for u in advice.units],
        }
    )


def advice_json(advice: Advice) -> str:
    return json.dumps(advice_dict(advice), indent=2)
