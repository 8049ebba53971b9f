"""Data: read a text-classification dataset, split it, tokenize once, batch by length."""

from harness.data.batching import Batch, EncodedSplit, eval_batches, train_batches
from harness.data.sources import RawSplits, Rows, read_dataset
from harness.data.splits import Splits, make_splits
from harness.data.tokenize import encode_splits

__all__ = [
    "Batch",
    "EncodedSplit",
    "RawSplits",
    "Rows",
    "Splits",
    "encode_splits",
    "eval_batches",
    "make_splits",
    "read_dataset",
    "train_batches",
]
