"""Statistics shared by the sweep (when to add confirmation runs) and the report (verdicts).

One analysis, fixed before the data and used by both: per training size, a randomized complete
block model of the confirmation runs (`blocks`), looked at after every confirmation round with
group-sequential boundaries (`sequential`), verdicts corrected within the size (`family`).
"""

from harness.stats.blocks import (
    Contrast,
    SizeAnalysis,
    analyse_size,
    block_frame,
    paired_contrast,
)
from harness.stats.family import SizeVerdicts, decide_size, shaffer
from harness.stats.sequential import LookPlan, nominal_levels, repeated_p

__all__ = [
    "Contrast",
    "LookPlan",
    "SizeAnalysis",
    "SizeVerdicts",
    "analyse_size",
    "block_frame",
    "decide_size",
    "nominal_levels",
    "paired_contrast",
    "repeated_p",
    "shaffer",
]
