"""The quiz box as a student meets it, drawn on its own: what its answer box shows."""

import pytest
from streamlit.testing.v1 import AppTest

from quizzes import bank
from ui import quiz

ONE_OF_EACH = {
    kind: next(q.id for q in bank.bank().values() if q.kind == kind) for kind in quiz.EXAMPLES
}


def _box(question_id: str) -> None:
    from ui import quiz

    quiz.question(question_id)


@pytest.mark.parametrize("kind", list(quiz.EXAMPLES))
def test_the_answer_box_shows_every_example_of_its_kind_of_answer(kind):
    at = AppTest.from_function(_box, args=(ONE_OF_EACH[kind],), default_timeout=60).run()
    assert not at.exception, at.exception
    (answer,) = at.text_input
    examples = quiz.EXAMPLES[kind]
    assert examples and all(example in (answer.placeholder or "") for example in examples)
