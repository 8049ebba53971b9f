"""Data files as text: decoded with `dataset.encoding`, a byte-order mark dropped, and checked
once before any trial runs.

Files come from spreadsheets (UTF-8 with a BOM) and older tools (Latin-1, cp1252). A BOM would
otherwise end up in the first column's name; a file that does not decode would fail every
trial the same way, so it is refused up front, naming the file, the byte offset and the option.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from pathlib import Path

from harness.errors import ConfigError
from harness.specs import CONLL_FILES, DataSpec

__all__ = ["check_data_files", "data_files", "read_text"]

BOM = "\ufeff"


def read_text(path: str | Path, encoding: str, key: str) -> str:
    """The file's text; `key` is the setting that names the file (for the error)."""
    raw = Path(path).read_bytes()
    utf8 = codecs.lookup(encoding).name == "utf-8"
    try:
        text = raw.decode("utf-8-sig" if utf8 else encoding)
    except UnicodeDecodeError as exc:
        byte = raw[exc.start : exc.start + 1].hex()
        hint = "latin-1" if utf8 else "utf-8"
        raise ConfigError(
            key,
            f"{path} is not {encoding} text: byte 0x{byte} at byte offset {exc.start} does not "
            f"decode; set dataset.encoding= to the file's encoding (e.g. dataset.encoding={hint})",
        ) from None
    return text.removeprefix(BOM)


def data_files(spec: DataSpec) -> list[tuple[str, Path]]:
    """(setting, path) of every local file the dataset section names (none for the hub)."""
    if spec.format == "hub":
        return []
    named = [
        ("dataset.train_path", spec.train_path),
        ("dataset.val_path", spec.val_path),
        ("dataset.test_path", spec.test_path),
    ]
    if spec.data_dir:  # CoNLL folders: the files it must hold
        named += [("dataset.data_dir", str(Path(spec.data_dir) / f)) for f in CONLL_FILES]
    return [(key, Path(p)) for key, p in named if p]


def check_data_files(specs: Iterable[DataSpec]) -> None:
    """Decode every data file of these trials once (each file once, however many trials read
    it): an undecodable file fails before the first trial, not in every trial."""
    seen: set[tuple[Path, str]] = set()
    for spec in specs:
        for key, path in data_files(spec):
            if (path.resolve(), spec.encoding) in seen or not path.is_file():
                continue  # a missing file is refused by the reader, naming its setting
            seen.add((path.resolve(), spec.encoding))
            read_text(path, spec.encoding, key)
