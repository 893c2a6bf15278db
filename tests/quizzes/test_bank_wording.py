"""The bank's wording on every variant: counts agree with their nouns, and no wrong option gives
itself away with an absolute that test-wise students learn to rule out."""

import re

import pytest

from quizzes import bank

QUESTIONS = list(bank.bank().values())
SEEDS = range(20)
ONE_PLURAL = re.compile(
    r"(?<![\d.,])1 (entries|blocks|groups|layers|images|classes|channels|steps|calls|epochs)\b"
)


def texts(variant: bank.Variant) -> list[str]:
    """Everything a student reads of a variant."""
    messages = [message for _, message in variant.distractors + variant.readings]
    return [variant.prompt, *variant.hints, *variant.solution, *variant.options, *messages]


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.id)
def test_no_variant_says_one_with_a_plural_noun(q):
    found = [
        match.group(0)
        for seed in SEEDS
        for text in texts(bank.variant(q.id, seed))
        for match in ONE_PLURAL.finditer(text)
    ]
    assert found == []


@pytest.mark.parametrize("q", [q for q in QUESTIONS if q.kind == "choice"], ids=lambda q: q.id)
def test_no_wrong_option_says_always(q):
    variant = bank.variant(q.id, 0)
    wrong = [o for o in variant.options if o != variant.expected]
    assert not [o for o in wrong if re.search(r"\balways\b", o, re.IGNORECASE)]
