"""The live class page with AppTest: a host and students on a SQLite file, through the real page."""

from fractions import Fraction

import pytest
import sqlalchemy as sa

from quizzes import bank, classroom, progress
from quizzes.classroom import schema
from ui import ask, lecture, quiz
from ui import classroom as live

PAGE = "app_pages/live_class.py"
QUESTION = "vg-depth-threshold"  # the first question the host's picker offers


@pytest.fixture
def database(tmp_path):
    """A fresh class database for the test, and the server-wide caches emptied around it."""
    path = tmp_path / "classes.sqlite"
    for cached in (live._store, live.class_state, live.live_tally):
        cached.clear()
    yield path
    for cached in (live._store, live.class_state, live.live_tally):
        cached.clear()


@pytest.fixture
def visit(new_app, database):
    """Open the live class page as a new browser session, with the given query parameters."""

    def _visit(**params):
        at = new_app()
        at.secrets["live_class"] = {"sqlite_path": str(database)}
        at.run()
        at.switch_page(PAGE)
        for name, value in params.items():
            at.query_params[name] = value
        at.run()
        assert not at.exception, at.exception
        return at

    return _visit


@pytest.fixture
def store(database, visit):
    """The store the page uses (opened by a first visit)."""
    visit()
    return live._store()


def rerun(at):
    live.class_state.clear()
    live.live_tally.clear()
    at.run()
    assert not at.exception, at.exception
    return at


def text_of(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "error",
                                  "text", "subheader") for e in getattr(at, kind)]  # fmt: skip
    return "\n".join(str(p) for p in parts)


def param(at, name: str) -> str | None:
    """A query parameter the page set (AppTest may hold it as a list)."""
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def start_class(visit):
    at = visit()
    at.button(key="live_start").click().run()
    assert not at.exception, at.exception
    return at, param(at, "class"), param(at, "host")


def test_the_page_opens_on_join_and_start_and_says_how_long_answers_are_kept(visit):
    at = visit()
    assert at.text_input(key="live_code") and at.button(key="live_start")
    assert "deleted 7 days after they start" in text_of(at)


def test_starting_a_class_shows_the_code_the_join_link_and_a_qr_code(visit):
    at, code, secret = start_class(visit)
    shown = text_of(at)
    assert f"{code[:3]} {code[3:]}" in shown
    assert any(f"live_class?class={code}" in c.value for c in at.code)
    assert len(at.get("image")) == 1
    assert len(secret) >= 22


def test_a_host_link_with_a_wrong_secret_gets_no_host_view(visit):
    _, code, secret = start_class(visit)
    at = visit(**{"class": code, "host": secret[:-1] + "x"})
    assert "host link is not valid" in text_of(at)
    assert "live_end" not in [b.key for b in at.button]
    assert param(at, "host") is None


def test_a_student_joins_by_link_and_waits_for_the_question(visit, store):
    _, code, _ = start_class(visit)
    at = visit(**{"class": code})
    token = param(at, "student")
    assert store.student(code, token) is not None
    assert "Waiting for the instructor's question" in text_of(rerun(at))


def test_a_wrong_typed_code_is_refused_politely(visit):
    at = visit()
    at.text_input(key="live_code").input("ACE 379")
    at.button(key="live_join").click().run()
    assert not at.exception
    assert "no running class with that code" in text_of(at)


def open_question(store, code, secret, **options):
    asked = store.ask(code, secret, QUESTION, **options)
    live.class_state.clear()
    return asked


def send(at, asked, text):
    at.text_input(key=f"live:{asked.id}:answer").input(text)
    at.button(key=f"live:{asked.id}:check").click().run()
    assert not at.exception, at.exception
    return at


def test_a_student_answer_is_stored_and_read_back_without_a_verdict_before_the_reveal(visit, store):
    _, code, secret = start_class(visit)
    at = visit(**{"class": code})
    asked = open_question(store, code, secret)
    rerun(at)
    wrong = bank.variant(QUESTION, 0).expected - 1
    send(at, asked, f"{wrong} layers")
    assert f"we read ${wrong}$" in text_of(at)
    assert not any("One layer short" in e.value for e in (*at.error, *at.success))
    assert [a.text for a in store.live(code, asked.id).answers] == [f"{wrong} layers"]


def test_the_host_sees_counts_and_bars_with_correctness_hidden_until_the_reveal(visit, store):
    host, code, secret = start_class(visit)
    asked = open_question(store, code, secret)
    variant = bank.variant(QUESTION, 0)
    for text in (str(variant.expected), f"{variant.expected - 1}", "zz"):
        token = store.join(code, None)
        store.answer(code, token, asked.id, classroom.judge(variant, text))
    rerun(host)
    metrics = {m.label: m.value for m in host.metric}
    assert metrics["Answered"] == "3" and metrics["Joined"] == "3"
    assert metrics["Correct"] == "—"
    shown = text_of(host)
    assert "One layer short: **1**" in shown and "Unreadable: 1" in shown
    assert "✅" not in shown
    host.button(key="live_reveal").click().run()
    rerun(host)
    assert {m.label: m.value for m in host.metric}["Correct"] == "33%"
    assert "✅" in text_of(host) and f"**Answer:** {variant.answer_text()}" in text_of(host)


def test_after_the_reveal_the_student_sees_their_verdict_and_it_counts_in_their_progress(
    visit, store
):
    _, code, secret = start_class(visit)
    at = visit(**{"class": code})
    asked = open_question(store, code, secret)
    rerun(at)
    send(at, asked, str(bank.variant(QUESTION, 0).expected))
    store.reveal(code, secret)
    rerun(at)
    assert at.success[0].value.startswith("Correct")
    assert "**Answer:**" in text_of(at)
    assert at.session_state[quiz.PROGRESS][QUESTION] == progress.Record(1, True, 0, True)
    rerun(at)
    assert at.session_state[quiz.PROGRESS][QUESTION].attempts == 1  # counted once


def test_a_closed_question_takes_no_answer_and_says_so(visit, store):
    _, code, secret = start_class(visit)
    at = visit(**{"class": code})
    asked = open_question(store, code, secret)
    rerun(at)
    at.text_input(key=f"live:{asked.id}:answer").input("44")
    store.close(code, secret)
    at.button(key=f"live:{asked.id}:check").click().run()
    assert "Answering had closed" in text_of(at)
    assert store.live(code, asked.id).answers == ()


def test_a_send_whose_run_was_cut_short_is_redrawn_by_the_poll_until_the_question_closes(
    visit, store
):
    """Streamlit may cut the Send's fragment run short for the poll's run: stored, not drawn."""
    _, code, secret = start_class(visit)
    at = visit(**{"class": code})
    asked = open_question(store, code, secret)
    rerun(at)
    send(at, asked, "44")
    assert live.UNSHOWN not in at.session_state  # the box drew "Sent" itself
    cut_short = {live.UNSHOWN: asked.id}  # what a run stopped before the box's outcome leaves
    now = asked.opened_at + 1
    assert live.outcome_unshown(cut_short, live.class_state(code), now, True)  # the poll redraws
    assert not live.outcome_unshown(cut_short, live.class_state(code), now, False)  # in a page
    assert cut_short == {live.UNSHOWN: asked.id}
    store.close(code, secret)
    live.class_state.clear()
    assert not live.outcome_unshown(cut_short, live.class_state(code), now, True)  # closed
    assert cut_short == {}  # shows the stored answer, and the poll stops asking
    assert not live.outcome_unshown({}, live.class_state(code), now, True)


def test_a_full_run_cut_short_before_the_box_leaves_the_outcome_to_be_drawn(
    visit, store, monkeypatch
):
    """A full run begins by noting what it drew; only the box drawing the outcome settles it."""
    import streamlit as st

    _, code, secret = start_class(visit)
    at = visit(**{"class": code})
    asked = open_question(store, code, secret)
    rerun(at)
    send(at, asked, "44")
    at.session_state[live.UNSHOWN] = asked.id  # the Send's own run was cut short
    with monkeypatch.context() as cut:  # the full run the poll asks for stops before the box
        cut.setattr(quiz, "answer_form", lambda *args, **kwargs: st.stop())
        at.run()
    assert at.session_state[live.UNSHOWN] == asked.id  # so the next poll asks again
    assert live.outcome_unshown(at.session_state, live.class_state(code), asked.opened_at, True)
    at.run()  # the full run it asks for: the page's own poll asks for nothing more
    assert "Sent: we read" in text_of(at)
    assert live.UNSHOWN not in at.session_state


def test_a_locked_database_keeps_the_answer_pending_and_sends_it_later(visit, store, monkeypatch):
    _, code, secret = start_class(visit)
    at = visit(**{"class": code})
    asked = open_question(store, code, secret)
    rerun(at)
    real = classroom.Store.answer

    def unavailable(*args, **kwargs):
        raise classroom.Unavailable("locked")

    monkeypatch.setattr(classroom.Store, "answer", unavailable)
    send(at, asked, "44")
    assert "saved and will be sent" in text_of(at)
    assert store.live(code, asked.id).answers == ()
    monkeypatch.setattr(classroom.Store, "answer", real)
    rerun(at)  # the poll sends what is pending
    assert [a.text for a in store.live(code, asked.id).answers] == ["44"]


def test_a_student_link_of_a_class_that_is_gone_offers_the_code_box(visit, database):
    at = visit(**{"class": "ACEFGH", "student": "not-a-token"})
    assert "not for a running class" in text_of(at)
    assert at.text_input(key="live_code")


def test_a_class_that_asks_for_nicknames_shows_them_as_plain_text(visit, store):
    at = visit()
    at.toggle(key="live_nicknames").set_value(True).run()
    at.button(key="live_start").click().run()
    code = param(at, "class")
    student = visit(**{"class": code})
    student.text_input(key="live_nickname").input("**Ada**")
    student.button(key="live_nickname_join").click().run()
    assert "at most 24 letters or digits" in text_of(student)
    student.text_input(key="live_nickname").input("Ada L.")
    student.button(key="live_nickname_join").click().run()
    rerun(student)
    assert [t.value for t in student.text] == ["Your nickname: Ada L."]


def test_ending_the_class_shows_the_report_with_a_csv_download(visit, store):
    host, code, secret = start_class(visit)
    asked = open_question(store, code, secret)
    token = store.join(code, None)
    variant = bank.variant(QUESTION, 0)
    store.answer(code, token, asked.id, classroom.judge(variant, str(variant.expected - 1)))
    rerun(host)
    host.button(key="live_end").click().run()
    rerun(host)
    shown = text_of(host)
    assert "This class has ended" in shown
    assert "1 answered, 0% correct, 0 unreadable. Top slips: One layer short (1)." in shown
    assert host.get("download_button")


def test_the_schema_is_created_in_the_configured_file(visit, database):
    visit()
    with sa.create_engine(f"sqlite:///{database}").connect() as connection:
        assert schema.applied(connection) == schema.VERSION


def test_ask_the_class_turns_the_calculators_setup_into_the_hosts_next_question(
    new_app, database, store
):
    at = new_app()
    at.secrets["live_class"] = {"sqlite_path": str(database)}
    at.session_state[lecture.LECTURE] = True
    at.run()
    at.switch_page("app_pages/skip_connections.py").run()
    at.number_input(key="vg_delta").set_value(0.85).run()
    at.button(key="vg:ask").click().run()
    assert not at.exception, at.exception
    assert "Start a class to ask *Depth at which the gradient" in text_of(at)
    at.switch_page(PAGE)  # AppTest stays on the page it was given; a browser follows
    at.button(key="live_start").click().run()
    assert "**From the page you were on:**" in text_of(at) and "δ = 0.85" in text_of(at)
    at.button(key="live_open_queued").click().run()
    asked = store.state(param(at, "class")).asked
    given = dict(asked.given)
    assert asked.question_id == QUESTION and given["delta"] == "0.85"
    delta, tau = Fraction(given["delta"]), Fraction(given["tau"])
    k, product = 0, Fraction(1)
    while product > tau:  # brute force, not the bank's formula
        k, product = k + 1, product * delta
    assert asked.variant().expected == k


def test_outside_lecture_mode_the_calculator_has_no_ask_button(new_app, database):
    at = new_app()
    at.run()
    at.switch_page("app_pages/skip_connections.py").run()
    assert "vg:ask" not in [b.key for b in at.button]


def test_opening_the_join_link_again_in_the_same_tab_keeps_the_seat(visit, store):
    _, code, _ = start_class(visit)
    at = visit(**{"class": code})
    token = param(at, "student")
    at.query_params.clear()
    at.query_params["class"] = code
    rerun(at)
    assert param(at, "student") == token
    assert store.live(code, None).joined == 1


def test_a_database_out_of_reach_after_the_reveal_is_a_message_and_the_view_returns(
    visit, store, monkeypatch
):
    _, code, secret = start_class(visit)
    at = visit(**{"class": code})
    asked = open_question(store, code, secret)
    rerun(at)
    send(at, asked, str(bank.variant(QUESTION, 0).expected))
    store.reveal(code, secret)
    real = classroom.Store.mine

    def unavailable(*args, **kwargs):
        raise classroom.Unavailable("away")

    monkeypatch.setattr(classroom.Store, "mine", unavailable)
    rerun(at)
    assert "out of reach for a moment" in text_of(at)
    assert QUESTION not in at.session_state[quiz.PROGRESS]
    monkeypatch.setattr(classroom.Store, "mine", real)
    rerun(at)
    assert at.success[0].value.startswith("Correct")
    assert at.session_state[quiz.PROGRESS][QUESTION].solved


def test_progress_files_dropped_on_the_report_add_up_per_question_with_slips(visit):
    host, _, _ = start_class(visit)
    one = progress.record_attempt({}, QUESTION, False, "One layer short")
    one = progress.record_attempt(one, QUESTION, True)
    two = progress.record_attempt({}, QUESTION, False, "One layer short")
    files = [
        ("ana.json", progress.export_json(one), "application/json"),
        ("ben.json", progress.export_json(two), "application/json"),
        ("bad.json", b"{not json", "application/json"),
    ]
    host.file_uploader(key="live_progress_files").set_value(files).run()
    assert not host.exception, host.exception
    shown = text_of(host)
    title = bank.bank()[QUESTION].title
    assert f"**{title}**: 2 attempted, 1 solved" in shown
    assert "One layer short: 2" in [t.value.strip() for t in host.text]
    assert "bad.json: That file is not valid JSON" in shown


@pytest.mark.parametrize("page", ["skip_connections", "transfer_learning"])
def test_in_lecture_mode_every_quiz_box_on_a_topic_page_can_be_asked_of_the_class(
    new_app, database, page
):
    at = new_app()
    at.secrets["live_class"] = {"sqlite_path": str(database)}
    at.session_state[lecture.LECTURE] = True
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    boxes = {b.key for b in at.button if b.key and b.key.endswith(":reveal")}
    asks = {b.key for b in at.button if b.key and b.key.endswith(":ask")}
    assert boxes and {k.removesuffix(":reveal") + ":ask" for k in boxes} <= asks


@pytest.mark.parametrize(
    ("page", "inputs", "ask_key", "question_id", "given"),
    [
        (
            "separable_convolutions",
            {"sep_in": 32, "sep_out": 48},
            "sep:ask",
            "sep-standard-params",
            {"D_K": "3", "M": "32", "N": "48"},
        ),
        (
            "separable_convolutions",
            {"sep_out": 96},
            "sep-ratio:ask",
            "sep-ratio-value",
            {"D_K": "3", "N": "96"},
        ),
        (
            "skip_connections",
            {"pj_c": 32, "pj_out": 96, "pj_stride": 2},
            "pj:ask",
            "skip-shortcut-params",
            {"C_in": "32", "C_out": "96", "s": "2"},
        ),
        (
            "transfer_learning",
            {"tl_decay": 0.5, "tl_groups": 4},
            "tl:ask",
            "tl-lr-checkpoint",
            {"decay": "0.5", "groups": "4"},
        ),
    ],
)
def test_in_lecture_mode_each_calculator_asks_its_question_on_the_numbers_set_in_it(
    new_app, database, page, inputs, ask_key, question_id, given
):
    at = new_app()
    at.secrets["live_class"] = {"sqlite_path": str(database)}
    at.session_state[lecture.LECTURE] = True
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    for key, value in inputs.items():
        at.number_input(key=key).set_value(value).run()
    at.button(key=ask_key).click().run()
    assert not at.exception, at.exception
    queued_id, queued = at.session_state[ask.ASKING]
    assert queued_id == question_id
    assert given.items() <= dict(queued).items()
