"""`harness advise --help` (text only, so the top-level CLI can print it without imports)."""

from __future__ import annotations

__all__ = ["USAGE"]

USAGE = """\
usage: harness advise STUDY train_size=N [margin=POINTS] [out=DIR] [--json[=FILE]]
       harness advise --data my.csv --budget 30m [--test test.csv] [train_size=N] [model=minilm]
                      [text_column=text] [label_column=label] [margin=POINTS] [out=DIR] [--json[=FILE]]

Which fine-tuning strategy for N training examples: per strategy, the predicted test score at N
with a 90 % interval (from the study's confirmation runs; interpolated in log N between studied
sizes, extrapolation labelled) and the cost of one training run at N; then one recommendation:
the cheapest strategy within the margin of the best with probability >= 0.9, else the one most
often best.

STUDY       a report folder (reports/default), a sweep output folder (runs/<name>) or a sweep file
train_size  N, the number of training examples you have
margin      points; default: the sweep file's report.margin, else 1
out         folder for advice.md, learning_curves.png, advice.json
            (default runs/advise/<study>-n<N>; with --data: runs/advise/<csv name>)
--json      print the JSON instead of the screen; --json=FILE writes it there and prints the screen

--data      your own labelled CSV/TSV/JSONL (columns text_column, label_column): runs a pilot study
            sized to --budget on this machine (measured first): full, lora, bitfit, head_only at N
            and a nested smaller size, a short learning-rate search per cell, then confirmation
            runs; then advises from it. Re-running the same command resumes the pilot.
--budget    wall-clock budget of the pilot: 30m, 1h, 1800s (or seconds)
--test      your test split; default: a seeded 20 % of --data is held out as test
model       conf/model option (default minilm; tiny for a smoke run)
"""
