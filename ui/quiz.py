"""The one Streamlit quiz component every page uses, and the progress kept for it.

A question box shows the prompt, an answer form (Enter checks; "Preview" shows what the checker
understood without using an attempt), the verdict, hints one at a time, the worked solution after a
first attempt, and "New numbers" for randomised questions. Refused input (empty, unknown names,
unbalanced brackets...) costs no attempt. Everything that must survive page changes lives in
`st.session_state` under keys no widget owns (leading underscore).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from functools import partial

import streamlit as st

from quizzes import bank, checking, progress
from ui import ask, lecture

PROGRESS = "_progress"  # progress.Progress: per question id
SEEDS = "_variant_seeds"  # seed per question box (box key)
BOXES = "_quiz_boxes"  # per question box: verdict, preview, hints shown
PRACTICE_CURRENT = "_practice_current"  # the question on the practice page
SESSION = "_checker_session"  # a random name for this session, for the checker's fairness limit
APP_RERUN = "_quiz_app_rerun"  # a check changed what other parts of the app show (see question)
EXAMPLES = {  # answers to copy the format of, chosen so that none answers a question
    "number": ("3^-4", "2/7 + 1/5", "37.9%"),
    "integer": ("1000",),
    "expression": ("(N + 1)/(2 D_K)",),
    "shape": ("(3, 224, 224)",),
}


def placeholder(kind: str) -> str:
    """The answer box's grey hint for a kind of question: its examples."""
    lead = "a whole number, e.g. " if kind == "integer" else "e.g. "
    return lead + ", ".join(EXAMPLES[kind])


def get_progress() -> progress.Progress:
    """This session's progress record."""
    return st.session_state.setdefault(PROGRESS, {})


def attempted(question_id: str) -> bool:
    """Whether this session has checked an answer to the question (so its answer may be shown)."""
    return get_progress().get(question_id, progress.Record()).attempts > 0


def exercise_attempted(number: int) -> bool:
    """Whether this session has checked an answer to every part of one of the course's exercises."""
    return all(attempted(q.id) for q in bank.exercises()[number])


def exercise_solved(number: int) -> bool:
    """Whether this session has solved every part of one of the course's exercises."""
    ids = [q.id for q in bank.exercises()[number]]
    return progress.solved_groups(get_progress(), {number: ids}) == [number]


def set_progress(record: progress.Progress) -> None:
    """Replace this session's progress record (after an import)."""
    st.session_state[PROGRESS] = record


def _box(key: str) -> dict:
    return st.session_state.setdefault(BOXES, {}).setdefault(
        key, {"verdict": None, "refused": False, "preview": None, "hints": 0, "revealed": False}
    )


def _reveal(key: str) -> None:
    _box(key)["revealed"] = True


def open_in_practice(question_id: str, seed: int) -> None:
    """Put a question on the practice page with given numbers (an instructor's shared link)."""
    key = practice_key(question_id)
    st.session_state[PRACTICE_CURRENT] = question_id
    st.session_state.setdefault(SEEDS, {})[key] = seed
    st.session_state.setdefault(BOXES, {}).pop(key, None)


def practice_key(question_id: str) -> str:
    """The box key of a question on the practice page."""
    return f"practice:{question_id}"


def _seed(key: str, randomise: bool) -> int:
    seeds = st.session_state.setdefault(SEEDS, {})
    if key not in seeds:
        seeds[key] = random.randrange(1, 1_000_000) if randomise else 0
    return seeds[key]


def session() -> str:
    """This browser session's name for the checker, which limits each session's slow checks."""
    return st.session_state.setdefault(SESSION, uuid.uuid4().hex)


def _submit(key: str, variant: bank.Variant, answer_key: str) -> None:
    answer = st.session_state.get(answer_key) or ""
    verdict = variant.check(answer, session=session())
    box = _box(key)
    typed = variant.question.kind != "choice"
    refused = verdict.interpreted is None if typed else not answer  # costs no attempt
    box.update(verdict=verdict, preview=None, refused=refused)
    if not refused:
        qid = variant.question.id
        before = get_progress().get(qid, progress.Record())
        updated = progress.record_attempt(
            get_progress(), qid, verdict.correct, variant.slip(verdict)
        )
        set_progress(updated)
        if before.attempts == 0 or before.solved != updated[qid].solved:  # sidebar, gated parts
            st.session_state[APP_RERUN] = True


def _preview(key: str, variant: bank.Variant, answer_key: str) -> None:
    _box(key)["preview"] = variant.interpret(st.session_state.get(answer_key) or "")


def _hint(key: str, question_id: str) -> None:
    _box(key)["hints"] += 1
    set_progress(progress.record_hint(get_progress(), question_id))


def _new_numbers(key: str) -> None:
    st.session_state[SEEDS][key] = random.randrange(1, 1_000_000)
    st.session_state[BOXES].pop(key, None)


def question(question_id: str, *, key: str | None = None, course_numbers: bool = True) -> None:
    """One question box; `course_numbers` starts on the course's numbers, else on random ones.

    The box is an st.fragment: checking, previewing, a hint or new numbers rerun the box alone,
    not the whole page (a topic page's full rerun costs about 0.3 s of server CPU). A check that
    changes what the rest of the app shows (a first attempt opens answer-gated sections; a solve
    changes the sidebar's progress) asks for one full rerun through APP_RERUN.
    """
    _question_box(question_id, key or question_id, course_numbers)


@st.fragment
def _question_box(question_id: str, key: str, course_numbers: bool) -> None:
    if st.session_state.pop(APP_RERUN, False):  # the entrypoint clears it on every full run
        st.rerun(scope="app")
    seed = _seed(key, randomise=not course_numbers)
    variant = bank.variant(question_id, seed)
    q, box = variant.question, _box(key)
    record = get_progress().get(question_id, progress.Record())
    with st.container(border=True, key=f"quiz-{key}"):
        badge = " ✅" if record.solved else ""
        st.markdown(f"**{q.title}**{badge}")
        st.markdown(variant.prompt)
        prefix = f"{key}:{seed}"
        answer_form(
            variant, prefix, partial(_submit, key, variant), partial(_preview, key, variant)
        )
        _show_feedback(box)
        shown = min(box["hints"], len(variant.hints))
        for i, hint in enumerate(variant.hints[:shown], 1):
            st.markdown(f"💡 **Hint {i}.** {hint}")
        row = st.container(horizontal=True, vertical_alignment="center")
        if shown < len(variant.hints):
            row.button(
                f"Hint {shown + 1} of {len(variant.hints)}",
                key=f"{key}:{seed}:hint",
                on_click=_hint,
                args=(key, question_id),
            )
        if q.randomised:
            row.button("New numbers", key=f"{key}:{seed}:new", on_click=_new_numbers, args=(key,))
        if record.attempts:
            row.caption(f"Attempts: {record.attempts} · hints used: {record.hints_used}")
        if lecture.on():
            with row:
                ask.button(question_id, variant.params, key=f"{key}:{seed}")
            _lecture_reveal(key, variant, box, row)
        elif record.attempts > 0:
            with st.expander("Worked solution"):
                solution(variant)


def solution(variant: bank.Variant) -> None:
    """The worked solution, one numbered step a line."""
    for i, step in enumerate(variant.solution, 1):
        st.markdown(f"{i}. {step}")


def _lecture_reveal(key: str, variant: bank.Variant, box: dict, row) -> None:
    """In lecture mode the answer and the solution wait for the instructor's click."""
    if not box["revealed"]:
        row.button(
            "Reveal the answer", key=f"{key}:{variant.seed}:reveal", on_click=_reveal, args=(key,)
        )
        return
    st.markdown(f"**Answer:** {variant.answer_text()}")
    solution(variant)


def answer_form(
    variant: bank.Variant,
    prefix: str,
    on_check: Callable[[str], None],
    on_preview: Callable[[str], None],
    check_label: str = "Check",
) -> None:
    """The answer box: a radio for choice questions, else a text box; Enter or Check submits.

    Its widgets' keys are `prefix` + ":form", ":answer", ":check" and ":preview"; the callbacks
    get the answer's key. The live class asks with the same box as every other page.
    """
    q = variant.question
    answer_key = f"{prefix}:answer"
    with st.form(key=f"{prefix}:form", border=False, enter_to_submit=True):
        if q.kind == "choice":
            st.radio("Your answer", variant.options, index=None, key=answer_key)
        else:
            st.text_input(
                "Your answer",
                key=answer_key,
                max_chars=checking.MAX_CHARS,
                placeholder=placeholder(q.kind),
            )
        buttons = st.container(horizontal=True)
        buttons.form_submit_button(
            check_label,
            type="primary",
            key=f"{prefix}:check",
            on_click=on_check,
            args=(answer_key,),
        )
        if q.kind != "choice":
            buttons.form_submit_button(
                "Preview", key=f"{prefix}:preview", on_click=on_preview, args=(answer_key,)
            )


def _show_feedback(box: dict) -> None:
    show_preview(box["preview"])
    if box["verdict"] is not None:
        show_verdict(box["verdict"], box["refused"])


def show_preview(preview: checking.Interpretation | None) -> None:
    """What the checker read, or why it could not read it; nothing before a preview."""
    if preview is None:
        return
    if preview.ok:
        st.info(f"We read your answer as: ${preview.latex}$", icon="🔎")
    else:
        st.warning(preview.message, icon="✋")


def show_verdict(verdict: checking.Verdict, refused: bool) -> None:
    """A verdict: right, wrong, or refused (which costs no attempt), with what was read."""
    understood = f" (we read: ${verdict.interpreted}$)" if verdict.interpreted else ""
    if verdict.correct:
        st.success(verdict.message + understood, icon="✅")
    elif refused:
        st.warning(verdict.message + " No attempt was counted.", icon="✋")
    else:
        st.error(verdict.message + understood, icon="❌")


def end_of_topic(topic: str, *, inline: tuple[str, ...] = ()) -> None:
    """The end-of-topic quiz, one question at a time: the course's own questions on its numbers,
    then practice on fresh numbers.

    `inline` lists the questions the page has already asked in its sections; they are left out.
    One box is drawn, not the whole set: a page open costs a question box's server time once
    instead of once per question (about 5 ms each), and a student meets one question at a time.
    A picker jumps to any question and marks the solved ones; Previous and Next step through.
    """
    st.subheader("End-of-topic quiz")
    questions = [q for q in bank.by_topic(topic) if q.id not in inline]
    if not questions:
        return
    ordered = [q for q in questions if q.course_question]
    ordered += [q for q in questions if not q.course_question]
    ids = [q.id for q in ordered]
    pick = f"quiz-pick:{topic}"
    if st.session_state.get(pick) not in ids:
        st.session_state[pick] = ids[0]
    solved = {qid for qid in ids if get_progress().get(qid, progress.Record()).solved}
    titles = {q.id: q.title for q in ordered}
    st.markdown(
        f"{len(ids)} questions: the course's own first, on its numbers, then practice on fresh "
        f"numbers each time. Solved so far: **{len(solved)} of {len(ids)}**."
    )
    row = st.container(horizontal=True, vertical_alignment="bottom")
    with row:
        st.selectbox(
            "Question",
            ids,
            format_func=lambda qid: (
                f"{ids.index(qid) + 1}. {titles[qid]}" + (" ✅" if qid in solved else "")
            ),
            key=pick,
            width=420,
        )
        at = ids.index(st.session_state[pick])
        st.button(
            "← Previous", key=f"{pick}:back", disabled=at == 0, on_click=_step, args=(pick, ids, -1)
        )
        st.button(
            "Next →",
            key=f"{pick}:forward",
            disabled=at == len(ids) - 1,
            on_click=_step,
            args=(pick, ids, 1),
        )
    current = ordered[at]
    if current.course_question:
        st.caption("One of the course's own questions, on its numbers.")
    else:
        st.caption("Practice on fresh numbers: press *New numbers* for another set.")
    question(current.id, key=f"quiz:{current.id}", course_numbers=current.course_question)


def _step(pick: str, ids: list[str], by: int) -> None:
    at = ids.index(st.session_state[pick]) + by
    st.session_state[pick] = ids[max(0, min(len(ids) - 1, at))]


def sidebar_summary() -> None:
    """Per-topic progress in the sidebar."""
    rows = progress.summary(get_progress(), ((q.id, q.topic) for q in bank.bank().values()))
    st.sidebar.markdown("**Your progress**")
    for topic, label in bank.TOPICS.items():
        if topic not in rows:
            continue
        row = rows[topic]
        st.sidebar.progress(
            row["solved"] / row["questions"],
            text=f"{label}: {row['solved']} of {row['questions']} solved",
        )
    groups = {n: [q.id for q in qs] for n, qs in bank.exercises().items()}
    solved = progress.solved_groups(get_progress(), groups)
    st.sidebar.progress(
        len(solved) / len(groups),
        text=f"The week's exercises: {len(solved)} of {len(groups)} solved",
    )
