"""What `harness trial --help` reads from conf/: keys, their values and comments."""

from __future__ import annotations

from harness.usage import key_docs, yaml_key_docs


def test_yaml_key_docs_dots_sections_joins_comment_lines_and_skips_list_items() -> None:
    text = (
        "# a file comment\n"
        "defaults:\n"
        "  - model: minilm\n"
        "seed: 0   # training seed\n"
        "model:\n"
        "  random_init:\n"
        "    hidden_size: 32   # width\n"
        "                      # of every layer\n"
        "  family: bert\n"
        "train:\n"
        "  # a section comment, not a key's\n"
        "  max_steps: 40\n"
    )
    assert yaml_key_docs(text) == [
        ("seed", "0", "training seed"),
        ("model.random_init.hidden_size", "32", "width of every layer"),
        ("model.family", "bert", ""),
        ("train.max_steps", "40", ""),
    ]


def test_key_docs_reads_the_root_config() -> None:
    rows = {key: (value, doc) for key, value, doc in key_docs()}
    assert rows["seed"][0] == "0" and rows["train.max_steps"][0] == "300"
    assert "defaults" not in rows and not any(k.startswith("defaults") for k in rows)
