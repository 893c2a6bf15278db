"""Slips no one authored: wrong answers a student is likely to reach from the expected formula.

STACK and PrairieLearn need every anticipated mistake written by hand. Here, for a question whose
expected answer is a formula of its parameters (or variables), the formula is rebuilt with them
as symbols and changed in the small ways students slip: an exponent off by one, a square left
out, a factor or a term left out, two quantities swapped, a factor of 2 too many or too few, a
percentage mixed up with a fraction, the fraction upside down. Each changed formula, evaluated on
the variant's numbers, becomes a distractor whose message names the slip (never the answer), and
is tried only after the question's own distractors. Slips that equal the answer or an authored
distractor for these numbers are dropped by the caller.
It deliberately leaves out student text: like the rest of the bank it only handles trusted values.
"""

from __future__ import annotations

import itertools

import sympy as sp

MAX_SLIPS = 24  # per variant; each is one more comparison when an answer is wrong
LEAD = "Not quite: your answer is what you get with "


def _tex(expr: sp.Expr) -> str:
    return f"${sp.latex(expr)}$"


def _changes(expr: sp.Expr, swappable: list[sp.Symbol], fraction: bool):
    """Changed versions of the formula, each with the slip it stands for."""
    found: list[tuple[sp.Expr, str]] = []
    for node in sp.preorder_traversal(expr):
        if node.is_Pow and (not node.exp.is_number or node.exp.is_Integer and node.exp > 1):
            base, exponent = node.args
            if exponent == 2:
                found.append((expr.xreplace({node: base}), f"the square on {_tex(base)} left out"))
            else:
                fewer = base ** (exponent - 1)
                found.append((expr.xreplace({node: fewer}), f"one factor of {_tex(base)} too few"))
            more = base ** (exponent + 1)
            found.append((expr.xreplace({node: more}), f"one factor of {_tex(base)} too many"))
        elif node.is_Mul:
            for factor in node.args:
                if not factor.is_number:
                    rest = node.func(*(a for a in node.args if a is not factor))
                    found.append((expr.xreplace({node: rest}), f"{_tex(factor)} left out"))
    if expr.is_Add:  # a term of the whole answer, not one inside an exponent
        for term in expr.args:
            found.append((expr - term, f"the term {_tex(term)} left out"))
    for a, b in itertools.combinations(swappable, 2):
        found.append((expr.xreplace({a: b, b: a}), f"{_tex(a)} and {_tex(b)} swapped"))
    found += [(2 * expr, "a factor of 2 too many"), (expr / 2, "a factor of 2 too few")]
    if fraction:  # an answer below one, or a formula: mixed up with its reciprocal or percent
        found += [
            (1 / expr, "the fraction upside down (its reciprocal)"),
            (100 * expr, "the value in percent but without the % sign"),
            (expr / 100, "a percentage divided by 100 once too often"),
        ]
    return found


def slips(formula: sp.Expr, values: dict[sp.Symbol, sp.Expr]) -> list[tuple[sp.Expr, str]]:
    """(wrong value, message) for each slip of a formula at the given numbers, distinct values.

    Without values the formula is an answer in variables, and slips stay formulas. Only whole
    numbers of 2 or more are swapped with each other (channel counts, sides: the quantities
    students mix up), never a factor with a depth.
    """
    swappable = sorted(
        (s for s, v in values.items() if v.is_Integer and v > 1 and s in formula.free_symbols),
        key=str,
    )
    expected = formula.xreplace(values)
    fraction = not (values and sp.simplify(expected).is_Integer)
    seen: set = set()
    out = []
    for changed, slip in _changes(formula, swappable, fraction):
        value = sp.simplify(changed.xreplace(values)) if values else changed
        if value.has(sp.zoo, sp.nan, sp.oo) or value in seen or value == expected:
            continue
        seen.add(value)
        out.append((value, LEAD + slip + "."))
        if len(out) == MAX_SLIPS:
            break
    return out
