"""A sweep read into the figures the pages place: means recomputed from the rows by hand."""

from core import course
from core.skip_connections import results

ROWS = [  # two seeds each; plain falls behind from depth 8
    ("plain", 2, 0.10), ("plain", 2, 0.12), ("residual", 2, 0.10), ("residual", 2, 0.14),
    ("plain", 8, 0.40), ("plain", 8, 0.50), ("residual", 8, 0.02), ("residual", 8, 0.03),
]  # fmt: skip
SWEEP = {
    "config": {"depths": [8, 2], "seeds": 2, "steps": 300, "batch_size": 128, "lr": 0.001,
               "width": 32, "activation": "relu"},
    "data": {"name": "digits", "samples": 1797, "features": 64},
    "seconds": 16.98,
    "torch": "2.x",
    "results": [{"family": f, "depth": d, "train_error": e} for f, d, e in ROWS],
}  # fmt: skip


def test_the_deepest_errors_are_the_seed_means_as_percentages():
    read = results.degradation(SWEEP)
    plain, residual = (0.40 + 0.50) / 2, (0.02 + 0.03) / 2
    assert read.deepest == 8
    assert (read.plain_error.text, read.residual_error.text) == (f"{plain:.1%}", f"{residual:.1%}")


def test_the_onset_and_plateau_are_stated_with_their_margins():
    read = results.degradation(SWEEP)
    assert read.onset == 8 and read.plateau_from == 8
    assert read.plateau_best.text == f"{(0.02 + 0.03) / 2:.1%}"
    assert read.plateau_worst.text == f"{(0.10 + 0.14) / 2:.1%}"
    assert read.onset_margin.text == f"{course.ONSET_MARGIN:.0%}"


def test_the_setup_reads_as_the_page_writes_it():
    read = results.degradation(SWEEP)
    assert (read.samples.text, read.lr.text, read.seconds.text) == ("1,797", "0.001", "16.98")
