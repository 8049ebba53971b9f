"""What `harness advise` leaves behind: advice.md, the figure and advice.json in one folder,
and the text for the screen."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.advise.args import AdviseArgs

if TYPE_CHECKING:
    from harness.advise.advice import Advice

__all__ = ["slug", "write_advice"]


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", text).strip("_") or "study"


def write_advice(
    advice: Advice,
    out_dir: Path,
    args: AdviseArgs,
    extra: Mapping[str, Any] | None = None,
    preface: Sequence[str] = (),
) -> str:
    """advice.md, the figure and advice.json in out_dir; returns what goes to stdout. `extra`
    joins the JSON and `preface` leads the screen and advice.md (the pilot's account)."""
    from harness.advise.jsonout import advice_dict
    from harness.advise.markdown import advice_markdown
    from harness.advise.plot import plot_advice
    from harness.advise.screen import screen_text

    out_dir.mkdir(parents=True, exist_ok=True)
    figure = plot_advice(advice, out_dir / "learning_curves.png")
    markdown = advice_markdown(advice, figure.name, preface)
    (out_dir / "advice.md").write_text(markdown, encoding="utf-8")
    text = json.dumps({**advice_dict(advice), **(extra or {})}, indent=2)
    (out_dir / "advice.json").write_text(text + "\n", encoding="utf-8")
    if args.json_file is not None:
        args.json_file.parent.mkdir(parents=True, exist_ok=True)
        args.json_file.write_text(text + "\n", encoding="utf-8")
    if args.json:
        return text
    return "\n".join([*preface, *([""] if preface else []), screen_text(advice, out_dir)])
