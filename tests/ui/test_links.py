"""Link values are read strictly: anything not a plain value within bounds is refused."""

import pytest

from ui.links import Link

NUMBER = Link("k", "delta", "float", 0, 2)
WHOLE = Link("k", "L", "int", 1, 10_000)
CHOICE = Link("k", "act", "choice", choices=("relu", "tanh"))
FLOAT_CHOICE = Link("k", "lr", "choice", choices=(3e-4, 1e-3))
DEPTHS = Link("k", "depths", "ints", choices=(2, 4, 8, 16))
SWITCH = Link("k", "bn", "bool")
NAMES = Link("k", "strategies", "choices", choices=("A", "B", "scratch"))


@pytest.mark.parametrize(
    "link, text, value",
    [
        (NUMBER, "0.9", 0.9),
        (NUMBER, "2", 2.0),
        (WHOLE, "50", 50),
        (CHOICE, "tanh", "tanh"),
        (FLOAT_CHOICE, "0.0003", 3e-4),
        (DEPTHS, "2,16", [2, 16]),
        (SWITCH, "1", True),
        (SWITCH, "0", False),
        (NAMES, "A,scratch", ["A", "scratch"]),
    ],
)
def test_plain_values_within_bounds_are_read(link, text, value):
    assert link.parse(text) == value


@pytest.mark.parametrize(
    "link, text",
    [
        (NUMBER, "2.5"),  # above the bound
        (NUMBER, "-0.1"),
        (NUMBER, "1e309"),
        (NUMBER, "nan"),
        (NUMBER, "inf"),
        (NUMBER, "0x10"),
        (NUMBER, "１"),  # a full-width digit
        (NUMBER, "__import__('os').system('id')"),
        (NUMBER, ""),
        (WHOLE, "3.5"),
        (WHOLE, "0"),
        (WHOLE, "9" * 500),
        (CHOICE, "ReLU"),
        (CHOICE, "relu;drop"),
        (DEPTHS, "2,3"),
        (DEPTHS, "2,,4"),
        (DEPTHS, ""),
        (SWITCH, "yes"),
        (NAMES, "A,D"),
        (NAMES, "A"[:0]),
    ],
)
def test_anything_else_is_refused(link, text):
    assert link.parse(text) is None


@pytest.mark.parametrize(
    "link, value",
    [(NUMBER, 0.05), (WHOLE, 44), (CHOICE, "relu"), (FLOAT_CHOICE, 1e-3), (DEPTHS, [2, 8]),
     (SWITCH, False)],
)  # fmt: skip
def test_a_value_shown_in_a_link_reads_back_as_itself(link, value):
    assert link.parse(link.show(value)) == value


STEPPED = Link("k", "ir_in", "int", 8, 512, step=8)


@pytest.mark.parametrize(("text", "value"), [("8", 8), ("24", 24), ("512", 512), ("13", None)])
def test_a_stepped_link_accepts_only_the_values_on_its_step(text, value):
    assert STEPPED.parse(text) == value
