"""Length-grouped, dynamically padded batches: every example once per epoch, little padding,
a seeded order that changes between epochs."""

from __future__ import annotations

import torch

from harness.data.batching import EncodedSplit, eval_batches, train_batches

PAD = 0


def _split(n: int = 1000, max_len: int = 40, seed: int = 0) -> EncodedSplit:
    """n examples of random lengths 1..max_len; token ids are 1 + the example's index."""
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, max_len + 1, (n,), generator=g)
    ids = torch.full((n, max_len), PAD)
    for i, length in enumerate(lengths.tolist()):
        ids[i, :length] = i + 1
    return EncodedSplit(ids, lengths, torch.arange(n) % 3, key="synthetic")


def _epoch(split: EncodedSplit, generator: torch.Generator) -> list[list[int]]:
    return [b.index.tolist() for b in train_batches(split, 16, generator)]


def test_every_example_exactly_once_per_epoch() -> None:
    split = _split()
    generator = torch.Generator().manual_seed(0)
    for _ in range(3):
        batches = train_batches(split, 16, generator)
        seen = torch.cat([b.index for b in batches])
        assert sorted(seen.tolist()) == list(range(len(split)))
        assert all(len(b.index) <= 16 for b in batches)
        assert len(batches) == 63  # two mega-batches of 800 + 200 examples: 50 + 13 batches


def test_padding_is_trimmed_to_the_longest_in_the_batch() -> None:
    split = _split()
    for batch in [
        *train_batches(split, 16, torch.Generator().manual_seed(0)),
        *eval_batches(split, 64),
    ]:
        lengths = split.lengths[batch.index]
        assert batch.input_ids.shape == (len(batch.index), int(lengths.max()))
        assert torch.equal(batch.attention_mask.sum(1), lengths)
        assert torch.equal(batch.input_ids != PAD, batch.attention_mask.bool())
        assert torch.equal(batch.input_ids[:, 0], batch.index + 1)  # rows are the right examples
        assert torch.equal(batch.labels, split.labels[batch.index])


def test_batches_are_grouped_by_length() -> None:
    split = _split()
    batches = train_batches(split, 16, torch.Generator().manual_seed(0))
    for b in batches:
        lengths = split.lengths[b.index]
        assert torch.equal(lengths, lengths.sort(descending=True).values)
    grouped = sum(b.input_ids.numel() for b in batches)
    shuffled = sum(  # the same batch sizes over a random order
        int(split.lengths[idx].max()) * len(idx)
        for idx in torch.randperm(len(split), generator=torch.Generator().manual_seed(1)).split(16)
    )
    assert grouped < 0.7 * shuffled


def test_order_changes_across_epochs_and_is_seeded() -> None:
    split = _split()
    g1, g2 = torch.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    first, second = _epoch(split, g1), _epoch(split, g1)
    assert first != second  # a new order every epoch
    assert [_epoch(split, g2), _epoch(split, g2)] == [
        first,
        second,
    ]  # the same seed, the same epochs
    assert _epoch(split, torch.Generator().manual_seed(8)) != first


def test_evaluation_batches_are_sorted_and_complete() -> None:
    split = _split()
    batches = list(eval_batches(split, 64))
    order = torch.cat([b.index for b in batches])
    assert sorted(order.tolist()) == list(range(len(split)))
    assert torch.equal(split.lengths[order], split.lengths[order].sort(descending=True).values)


def test_pinning_leaves_tensors_already_on_a_device_alone(monkeypatch) -> None:
    """A frozen prefix cached on the GPU comes back in the batch as a device tensor: only CPU
    tensors are pinned (on CUDA, pinning the cached features failed every cached trial)."""
    from harness.data import batching

    pinned = []
    monkeypatch.setattr(torch.Tensor, "pin_memory", lambda t: pinned.append(t.shape) or t)
    on_device = torch.empty(2, 3, device="meta")
    assert batching._pinned(on_device) is on_device and pinned == []
    batching._pinned(torch.zeros(2))
    assert pinned == [torch.Size([2])]
