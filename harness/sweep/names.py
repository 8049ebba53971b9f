"""What a cell and its runs are called where people read them (the MLflow runs table, the
progress line): made in one place, so that retries and adoption find a dead attempt's run by
its name."""

from __future__ import annotations

from harness.sweep.spec import Cell

__all__ = ["cell_label", "run_name"]


def cell_label(cell: Cell) -> str:
    """A cell as the runs table should read it: `lora@300`; other axes first, a group option by
    its value (`sst5 lora@300`), any other axis as key=value (`lr=0.001 lora@300`)."""
    values = dict(cell.values)
    core = "@".join(str(values[k]) for k in ("strategy", "train_size") if k in values)
    short = [k.rsplit(".", 1)[-1] for k in values]
    rest = [
        str(v) if "." not in k and isinstance(v, str) else f"{k if short.count(s) > 1 else s}={v}"
        for (k, v), s in zip(cell.values, short, strict=True)
        if k not in ("strategy", "train_size")
    ]
    return " ".join([*rest, core] if core else rest)


def run_name(cell: Cell, phase: str, number: int | None = None, seed: object = None) -> str:
    """The MLflow run name of a cell's parent run (`lora@300`), a search trial (`lora@300 search
    #4`) or a confirmation seed (`lora@300 seed 2`): the one place names are made, so retries and
    adoption find a dead attempt's run by it."""
    label = cell_label(cell)
    if phase == "cell":
        return label
    return f"{label} search #{number}" if phase == "search" else f"{label} seed {seed}"
