"""What `harness trial --help` and `--cfg` print: the config groups, the main keys, a config.

The help is read from conf/ itself (the groups are the registry; the comments in
conf/config.yaml document the keys), so it cannot drift from what composes.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from harness.config import GROUPS, compose_config, compose_trial, group_options
from harness.errors import ConfigError
from harness.paths import CONFIG_PATH_ENV, conf_dir

__all__ = ["CFG_PARTS", "config_text", "key_docs", "trial_help", "yaml_key_docs"]

CFG_PARTS = ("job", "hydra", "all")  # as Hydra's `--cfg`
_KEY = re.compile(r"^(?P<indent> *)(?P<key>\w+):\s*(?P<value>[^#]*?)\s*(?:#\s*(?P<doc>.*))?$")
_MORE = re.compile(r"^\s+#\s*(?P<doc>.*)$")

FLAGS = """\
flags:
  -h, --help             this help: config groups, their options and the main keys
  -m, --multirun         run the product of comma-separated values, one trial each
                         (strategy=full,lora dataset.train_size=100,300: 4 trials; no Optuna)
  -c, --cfg {job,hydra,all}
                         print the composed config (YAML) and exit; nothing is trained
  --resolve              with --cfg: resolve ${...} interpolations
  -cd, --config-dir DIR  also search DIR for options (DIR/strategy/mine.yaml: strategy=mine);
                         repeatable. ${ENV} ({pathsep}-separated) does the same
"""


def yaml_key_docs(text: str) -> list[tuple[str, str, str]]:
    """(dotted key, value as written, comment) for each valued key of a conf/ YAML file.

    Read from the text, not the parsed YAML, because the comments are the documentation; a key
    without a value opens a section (`train:`), whose keys are dotted under it; an indented
    comment line right after a key continues that key's comment."""
    rows: list[tuple[str, str, str]] = []
    sections: list[tuple[int, str]] = []  # (indent, key) of the open sections
    last: int | None = None
    for line in text.splitlines():
        more = _MORE.match(line)
        if more and last is not None:
            key, value, doc = rows[last]
            rows[last] = (key, value, f"{doc} {more['doc']}".strip())
            continue
        m = _KEY.match(line)
        last = None
        if not m:  # blank, a section comment, an item of a list
            continue
        indent = len(m["indent"])
        sections = [(i, k) for i, k in sections if i < indent]
        if not m["value"]:
            sections.append((indent, m["key"]))
            continue
        rows.append((".".join([*(k for _, k in sections), m["key"]]), m["value"], m["doc"] or ""))
        last = len(rows) - 1
    return rows


def key_docs() -> list[tuple[str, str, str]]:
    """(dotted key, default, comment) for each documented key of conf/config.yaml."""
    return yaml_key_docs((conf_dir() / "config.yaml").read_text(encoding="utf-8"))


def trial_help() -> str:
    """`harness trial --help`: usage, flags, every group with its options, the main keys."""
    import os

    choices = compose_config([]).hydra.runtime.choices
    lines = [
        "usage: harness trial [-h] [-m] [--cfg {job,hydra,all}] [--resolve] [--config-dir DIR]"
        " [key=value ...]",
        "",
        "One fine-tuning trial, composed by Hydra from conf/ and the overrides: group=option,",
        "key=value, +key=value (add), ~key (delete); e.g. strategy=top_k strategy.k=2",
        "",
        FLAGS.replace("{ENV}", CONFIG_PATH_ENV).replace("{pathsep}", os.pathsep),
        "config groups (group=option; * the default):",
    ]
    for group in GROUPS:
        opts = [f"{o}*" if o == choices.get(group) else o for o in group_options(group)]
        lines.append(
            textwrap.fill(
                ", ".join(opts), 100, initial_indent=f"  {group:<15}", subsequent_indent=" " * 17
            )
        )
    lines += ["", "main keys (key=value; default shown; a group's own keys: --cfg job):"]
    for key, value, doc in key_docs():
        lines.append(f"  {f'{key}={value}':<30} {doc}".rstrip())
    return "\n".join(lines)


def config_text(overrides: Sequence[str], part: str, resolve: bool = False) -> str:
    """The composed config as YAML, like Hydra's `--cfg job|hydra|all` (hydra: Hydra's own node)."""
    cfg = compose_trial(overrides)  # with the head the task picks, as the trial will run
    job = OmegaConf.masked_copy(cfg, [str(k) for k in cfg if k != "hydra"])
    texts = []
    if part in ("hydra", "all"):
        texts.append(OmegaConf.to_yaml(OmegaConf.masked_copy(cfg, ["hydra"])))
    if part in ("job", "all"):
        if resolve:
            try:
                OmegaConf.resolve(job)
            except OmegaConfBaseException as exc:
                key = str(getattr(exc, "full_key", "") or "--resolve")
                raise ConfigError(key, str(exc).splitlines()[0]) from None
        texts.append(OmegaConf.to_yaml(job))
    return "".join(texts).rstrip("\n")
