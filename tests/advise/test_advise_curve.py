"""The learning-curve model: piecewise-linear in log n, labelled extrapolation outside."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harness.advise.curve import log_weights, predict

SIZES = [100, 300, 1000]


def test_at_a_studied_size_the_prediction_is_that_cell() -> None:
    w, pos = log_weights(SIZES, 300)
    assert w.tolist() == [0.0, 1.0, 0.0]
    assert pos.kind == "studied" and pos.text == "at a studied size (300)"


def test_inside_the_sizes_it_interpolates_linearly_in_log_n() -> None:
    n = math.sqrt(300 * 1000)  # the log-midpoint of 300 and 1000
    w, pos = log_weights(SIZES, n)
    assert w == pytest.approx([0.0, 0.5, 0.5])
    assert pos.kind == "interpolation" and pos.sizes == (300, 1000)
    assert predict(SIZES, np.array([70.0, 76.0, 80.0]), n) == pytest.approx(78.0)


def test_beyond_the_largest_size_it_extends_the_last_segment_and_says_how_far() -> None:
    w, pos = log_weights(SIZES, 3000)
    # the line through (log 300, a) and (log 1000, b), evaluated at log 3000
    t = math.log(3000 / 300) / math.log(1000 / 300)
    assert w == pytest.approx([0.0, 1 - t, t])
    assert pos.kind == "extrapolation" and pos.above
    assert pos.text == "extrapolation, 3.0x beyond the largest studied size (1000)"


def test_below_the_smallest_size_it_extends_the_first_segment() -> None:
    w, pos = log_weights(SIZES, 50)
    assert w[2] == 0.0 and w[0] > 1.0 and w.sum() == pytest.approx(1.0)
    assert pos.text == "extrapolation, 2.0x below the smallest studied size (100)"


def test_one_studied_size_gives_a_flat_labelled_extrapolation() -> None:
    w, pos = log_weights([300], 600)
    assert w.tolist() == [1.0]
    assert pos.kind == "extrapolation" and "flat: one studied size (300), 2.0x away" in pos.text


def test_predict_applies_to_every_draw_at_once() -> None:
    draws = np.array([[70.0, 76.0, 80.0], [60.0, 66.0, 70.0]])
    assert predict(SIZES, draws, 300).tolist() == [76.0, 66.0]


def test_no_sizes_or_no_examples_is_refused() -> None:
    with pytest.raises(ValueError):
        log_weights([], 10)
    with pytest.raises(ValueError):
        log_weights(SIZES, 0)
