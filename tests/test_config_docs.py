"""docs/configs.md's generated part is what conf/ gives now, and it lists every option's keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.config import GROUPS
from harness.config_docs import BEGIN, END, main, render_config_groups, update_page
from harness.paths import conf_dir

PAGE = Path(__file__).resolve().parents[1] / "docs" / "configs.md"


def _leaves(node: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, value in node.items():
        if isinstance(value, dict) and value:
            out += _leaves(value, f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key}")
    return out


def test_docs_configs_md_generated_part_is_current() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert update_page(page) == page, (
        "docs/configs.md is stale: run `python -m harness.config_docs`"
    )
    assert main(["--check"]) == 0


def test_every_option_is_linked_with_every_key_it_sets() -> None:
    """The keys are read from the YAML text (for its comments): check them against the parsed YAML."""
    doc = render_config_groups()
    for group in GROUPS:
        for path in sorted((conf_dir() / group).glob("*.yaml")):
            assert f"[`{path.stem}`](../conf/{group}/{path.name})" in doc
            text = path.read_text(encoding="utf-8")
            data = yaml.safe_load(text) or {}
            prefix = "" if "# @package _global_" in text else f"{group}."
            row = next(line for line in doc.splitlines() if f"../conf/{group}/{path.name})" in line)
            for key in _leaves(data):
                if key not in ("_target_", "_partial_"):
                    assert f"`{prefix}{key}=" in row, (group, path.stem, key)


def test_the_default_of_each_group_is_bold_and_the_main_keys_are_listed() -> None:
    doc = render_config_groups()
    assert "**full**" in doc and "**minilm**" in doc and "**sst2**" in doc
    assert "| `train.max_steps` | `300` |" in doc and "| `seed` | `0` |" in doc


def test_update_page_keeps_the_hand_written_text_and_refuses_a_page_without_markers() -> None:
    page = f"# Configs\n\nby hand\n\n{BEGIN}\nstale generated text\n{END}\n\nafter\n"
    fresh = update_page(page)
    assert fresh.startswith("# Configs\n\nby hand\n\n") and fresh.endswith(f"{END}\n\nafter\n")
    assert "stale generated text" not in fresh and render_config_groups() in fresh
    with pytest.raises(ValueError, match="no generated part"):
        update_page("# Configs\n")
