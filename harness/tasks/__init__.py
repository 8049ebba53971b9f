"""Tasks as interchangeable parts. Each module has one entry point, `task()`, returning a `Task`
(how it reads and encodes its data, its head, how a loss option applies to its logits, how it
scores a split); `conf/task/<name>.yaml` points `_target_` at it, so the config group is the
registry. A dataset names its task with its `task:` key; `task=<name>` overrides it."""

from __future__ import annotations

from functools import lru_cache

from hydra.utils import instantiate
from omegaconf import OmegaConf

from harness.errors import ConfigError
from harness.paths import config_dirs, find_option
from harness.tasks._base import Evaluation, Task, TaskData, TaskParts

__all__ = ["Evaluation", "Task", "TaskData", "TaskParts", "load_task", "task_names"]


def task_names() -> list[str]:
    """The options of conf/task/ (and the user's config folders)."""
    return sorted({p.stem for d in config_dirs() for p in (d / "task").glob("*.yaml")})


@lru_cache(maxsize=16)
def load_task(name: str) -> Task:
    """The task `conf/task/<name>.yaml` points at; unknown names fail naming `dataset.task`."""
    if name not in task_names():
        raise ConfigError("dataset.task", f"unknown value {name!r}", task_names())
    task = instantiate(OmegaConf.load(find_option("task", name)), _convert_="all")
    if not isinstance(task, Task) or task.name != name:
        raise ConfigError("task", f"conf/task/{name}.yaml must build the Task named {name!r}")
    return task
