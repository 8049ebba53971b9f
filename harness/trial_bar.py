"""`harness trial`'s progress bar on a terminal: optimizer step of the budget, the latest
validation score and tqdm's ETA, so a trial that takes minutes is not silent until its summary.
Off when stderr is not a terminal (a log file, a pipe) and under CI, so logs get no bar."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from typing import IO, Any

__all__ = ["TrialBar", "bar_enabled"]

StepHook = Callable[[int], None]


def bar_enabled(stream: IO[str] | None = None, env: Mapping[str, str] | None = None) -> bool:
    """A bar only for a person watching: `stream` (stderr) is a terminal and $CI is unset."""
    stream = sys.stderr if stream is None else stream
    env = os.environ if env is None else env
    if env.get("CI", "").lower() not in ("", "0", "false"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class TrialBar:
    """One tqdm bar per trial, started once the step budget is known."""

    def __init__(self, label: str, stream: IO[str] | None = None):
        self.label, self.stream = label, stream
        self._bar: Any = None

    def begin(self, max_steps: int) -> None:
        from tqdm import tqdm

        self._bar = tqdm(
            total=max_steps,
            desc=self.label,
            unit="step",
            file=self.stream or sys.stderr,
            dynamic_ncols=True,
            leave=False,
            bar_format="{desc}: {n_fmt}/{total_fmt} steps |{bar}| [{elapsed}<{remaining}{postfix}]",
        )

    def at_step(self, step: int) -> None:
        """`step` optimizer steps are done."""
        if self._bar is not None and step > self._bar.n:
            self._bar.update(step - self._bar.n)

    def evaluated(self, step: int, metric: str, value: float) -> None:
        """An evaluation at `step`: its validation score goes on the bar."""
        if self._bar is not None:
            self._bar.set_postfix_str(f"{metric} {value:.3f}", refresh=False)
            self.at_step(step)
            self._bar.refresh()

    def wrap(self, hook: StepHook | None) -> StepHook:
        """The loop's step hook (a strategy's schedule, if any), moving the bar too."""

        def on_step(step: int) -> None:
            if hook is not None:
                hook(step)
            self.at_step(step)

        return on_step

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
