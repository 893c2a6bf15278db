"""The protocol driver: its students drive a real server, and its browser model holds together."""

import asyncio
import random
import tempfile

import pytest
import sqlalchemy as sa
from streamlit.proto.Block_pb2 import Block
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import load, protocol
from bench.protocol import MessageCache, Node, ProtocolError, Student, Tally
from quizzes import bank, classroom
from quizzes.classroom import schema

QUESTION, SEED = "sep-saving-check", 5  # a typed question with hints, on the practice page
CLASS_STUDENTS = 4
FAST_POLLS = {"student_poll_s": 0.5, "host_poll_s": 0.5}  # the class test's polls, for speed


# ---------------------------------------------------------------- against a real server


async def _three_students(base: str) -> tuple[Tally, list[Student], list[list[int]]]:
    tally, pages = Tally(), load.discover_pages()
    students = [Student(base, pages, random.Random(i), tally) for i in range(3)]
    statuses = [[] for _ in students]

    async def one(student: Student, seen: list[int]) -> None:
        await student.arrive(f"/practice?question={QUESTION}&seed={SEED}")
        finish = student.tab._finish  # record how each later run finished
        student.tab._finish = lambda msg: (seen.append(msg.script_finished), finish(msg))
        variant, key = student._question()
        student.tab.set_value(f"{key}:answer", str(variant.expected))
        await student.timed("right", lambda: student.tab.press(f"{key}:check"))
        student._judge("right", variant, str(variant.expected))
        await student.hint()
        await student.preview()

    try:
        await asyncio.wait_for(
            asyncio.gather(*(one(s, seen) for s, seen in zip(students, statuses, strict=True))),
            timeout=25,
        )
    finally:
        await asyncio.gather(*(s.tab.close() for s in students))
    return tally, students, statuses


@pytest.mark.timeout(60)
def test_three_students_answer_ask_a_hint_and_preview_on_a_real_server():
    port = load.free_port()
    with tempfile.TemporaryFile("w+") as log:
        server = load.start_server(port, (), set(load.cores()[1]), log)
        try:
            tally, students, statuses = asyncio.run(_three_students(f"http://127.0.0.1:{port}"))
        finally:
            server.terminate()
            server.wait(timeout=20)
    assert tally.errors == []  # each right answer was marked right, and no exception box came
    assert tally.lost == 0
    for kind in ("arrive", "right", "hint", "preview"):
        assert len(tally.latencies[kind]) == 3, kind
    fragment_run = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    for student, seen in zip(students, statuses, strict=True):
        # the hint and the preview each reran the question box's fragment, not the page
        assert seen[-2:] == [fragment_run, fragment_run], seen
        assert f"practice:{QUESTION}:{SEED}:answer" in student.tab.widgets


async def _class(base: str, server: int, database: str) -> tuple[protocol.Run, Tally]:
    ctx = protocol.Context(base, load.Probe(server), load.discover_pages(), [], random.Random(3),
                           database)  # fmt: skip
    config = protocol.Config(scenario="class", students=CLASS_STUDENTS, window=1.0)
    return await protocol.SCENARIOS["class"](config, ctx), ctx.tally


@pytest.mark.timeout(60)
def test_a_live_class_stores_every_answer_sent_and_the_host_view_counts_them(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTOR_PREWARM", "0")  # the live class needs no torch
    options, database = protocol.class_database(tmp_path, FAST_POLLS)
    port = load.free_port()
    with tempfile.TemporaryFile("w+") as log:
        server = load.start_server(port, options, set(load.cores()[1]), log)
        try:
            run, tally = asyncio.run(_class(f"http://127.0.0.1:{port}", server.pid, database))
        finally:
            server.terminate()
            server.wait(timeout=20)
    engine = sa.create_engine(database)  # the server's class database, read here on its own
    with engine.connect() as db:
        rows = db.execute(sa.select(schema.answers)).all()
    engine.dispose()
    figures, sent = run.extra["class"], CLASS_STUDENTS * protocol.CLASS_QUESTIONS
    assert tally.errors == [] and tally.lost == 0
    assert figures["answers_sent"] == figures["acknowledged"] == sent
    assert figures["stored"] == len(rows) == sent and figures["lost"] == 0
    assert len(tally.latencies["answer"]) == sent
    assert figures["host_answered_shown"] == [CLASS_STUDENTS] * protocol.CLASS_QUESTIONS
    assert figures["answer_to_host_view_s"]["n"] == sent


def test_an_answer_reaches_the_host_view_at_the_first_count_that_includes_it():
    acked = [10.0, 10.5, 13.0]
    readings = [(9.0, 0), (11.0, 1), (12.0, 2), (14.0, 2), (16.0, 3)]
    # the first is in the count of 11.0, the second in 12.0's, the third only in 16.0's
    assert protocol._to_host_view(acked, readings) == [1.0, 1.5, 3.0]
    assert protocol._to_host_view([20.0], readings) == [None]


def test_an_acknowledged_answer_is_lost_if_not_stored_and_suspect_if_stored_after(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'classes.sqlite'}")
    store = classroom.Store(engine, clock=lambda: 1000.0)  # every answer stored at 1000
    hosted = store.start()
    asked = store.ask(hosted.code, hosted.secret, "vg-depth-threshold")
    variant = asked.variant()
    right = str(variant.expected)
    judged = {t: classroom.judge(variant, t) for t in (right, "((")}
    tokens = [store.join(hosted.code, None) for _ in range(4)]
    for token in (tokens[0], tokens[3]):
        store.answer(hosted.code, token, asked.id, judged["(("])
    engine.dispose()
    sent = [  # (perf_counter, wall clock) of each acknowledgement; none for the third
        protocol.Answer(0, asked.id, tokens[0], "unreadable", "((", judged["(("], 1.0, 1001.0),
        protocol.Answer(0, asked.id, tokens[1], "right", right, judged[right], 2.0, 1002.0),
        protocol.Answer(0, asked.id, tokens[2], "unreadable", "((", judged["(("]),
        protocol.Answer(0, asked.id, tokens[3], "unreadable", "((", judged["(("], 0.5, 999.0),
    ]
    history, fates = protocol._stored(str(engine.url), hosted.code, hosted.secret, sent)
    assert fates == ["stored", "lost", "unacknowledged", "'((' acknowledged before it was stored"]
    assert [a.question_id for a, _ in history] == ["vg-depth-threshold"]


def test_the_class_questions_are_typed_with_a_known_slip_one_per_topic():
    questions = protocol.class_questions()
    assert [q.topic for q in questions] == list(bank.TOPICS)[: protocol.CLASS_QUESTIONS]
    for question in questions:
        variant = bank.variant(question.id)
        texts = protocol.class_answers(variant)
        judged = protocol._judged(variant, texts)  # refuses a text that is not of its kind
        assert all(judged[t].correct for t in texts["right"])
        assert all(judged[t].slip for t in texts["slip"])
        assert all(judged[t].reading is None for t in texts["unreadable"])


# ---------------------------------------------------------------- the browser model


def _cached(hash_: str, fragment: str = "") -> ForwardMsg:
    msg = ForwardMsg(hash=hash_)
    msg.metadata.cacheable = True
    msg.delta.new_element.markdown.body = f"body of {hash_}"
    msg.delta.fragment_id = fragment
    return msg


def test_a_ref_hash_is_answered_with_the_message_the_cache_kept_at_its_new_place():
    cache = MessageCache()
    cache.resolve(_cached("abc"))
    ref = ForwardMsg(ref_hash="abc")
    ref.metadata.delta_path.extend([0, 7])
    full = cache.resolve(ref)
    assert full.delta.new_element.markdown.body == "body of abc"
    assert list(full.metadata.delta_path) == [0, 7]


def test_a_ref_hash_the_cache_does_not_hold_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="miss"):
        MessageCache().resolve(ForwardMsg(ref_hash="never-sent"))


def test_cached_messages_expire_after_max_age_runs_and_a_fragment_run_ages_only_its_own():
    cache = MessageCache()
    cache.resolve(_cached("page"))
    cache.resolve(_cached("in-fragment", fragment="f1"))
    for _ in range(3):
        cache.age(2, ["f2"])  # another fragment's runs drop neither, though the count goes on
    assert set(cache.messages) == {"page", "in-fragment"}
    cache.age(2, ["f1"])  # 4 runs old now, and this run is its fragment's
    assert set(cache.messages) == {"page"}
    cache.resolve(ForwardMsg(ref_hash="page"))  # a hit renews it
    cache.age(2, [])
    cache.age(2, [])
    assert set(cache.messages) == {"page"}  # 2 runs old: kept
    cache.age(2, [])
    assert cache.messages == {}


def _element(run: str, fragment: str = "") -> Node:
    element = Element()
    element.markdown.body = run
    return Node(element, "markdown", run, fragment, "page")


def _block(run: str, fragment: str, children: list[Node]) -> Node:
    return Node(Block(), "vertical", run, fragment, "page", children)


def test_a_fragment_run_drops_stale_elements_inside_its_fragment_and_nothing_outside():
    inside = _block("run2", "f1", [_element("run2", "f1"), _element("run1", "f1")])
    other = _block("run1", "f2", [_element("run1", "f2")])
    root = Node(None, "", "run1", "", "page", [_element("run1"), inside, other])
    protocol._clear_stale(root, "run2", ["f1"], False)
    assert [n.proto.markdown.body for n in inside.children] == ["run2"]
    assert len(root.children) == 3 and len(other.children) == 1


def test_a_full_run_drops_everything_it_did_not_draw():
    root = Node(None, "", "", "", "page", [_element("run1"), _element("run2")])
    protocol._clear_stale(root, "run2", [], False)
    assert [n.proto.markdown.body for n in root.children] == ["run2"]


def test_a_select_slider_mounts_with_its_default_option_as_text():
    element = Element()
    slider = element.slider
    slider.id, slider.type = "$$ID-0-k", slider.Type.SELECT_SLIDER
    slider.options.extend(["1", "3", "5"])
    slider.default.append(2)
    assert list(protocol.mounted_state(element, None).string_array_value.data) == ["5"]


def test_a_radio_without_a_default_mounts_as_an_id_with_no_value():
    element = Element()
    element.radio.id = "$$ID-0-r"
    element.radio.options.extend(["a", "b"])
    state = protocol.mounted_state(element, None)
    assert state.id == "$$ID-0-r" and state.WhichOneof("value") is None


def test_the_class_line_has_the_form_the_issue_asks_for():
    result = {"students": 30, "class": {"answers_sent": 90, "stored": 90, "lost": 0,
                                        "answer_to_host_view_s": {"p95": 2.345}}}  # fmt: skip
    assert protocol.class_line(result) == (
        "class: students 30, answers sent 90, stored 90, lost 0, p95 answer-to-host-view 2.3 s"
    )


def test_the_polls_line_gives_the_cost_of_one_refresh_or_says_none_was_seen():
    polls = {"window_s": 10.0, "runs": 1004, "server_cpu_s": 3.1, "cpu_ms_per_refresh": 3.09}
    assert protocol.polls_line({"class": {"polls": polls}}) == (
        "polls: 1004 refreshes in 10 s with only polling, server CPU per refresh 3.09 ms"
    )
    none = {"window_s": 10.0, "runs": 0, "server_cpu_s": 0.0, "cpu_ms_per_refresh": None}
    assert protocol.polls_line({"class": {"polls": none}}).endswith("per refresh n/a")


def test_the_closing_line_has_the_form_the_issue_asks_for():
    result = {"students": 150, "actions": 412, "errors": 0, "lost": 0,
              "latency_s": {"p95": 1.234}, "server_cpu_s_per_action": 0.0456,
              "peak_server_pss_mb": 987}  # fmt: skip
    assert protocol.line(result) == (
        "load: students 150, actions 412, errors 0, lost 0, p95 1.23 s, "
        "server CPU per action 0.046 s, peak memory 987 MB"
    )
