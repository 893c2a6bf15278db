"""Faults met through the pages: bad progress files, hostile links, checker workers killed or busy.

Each case ends with a message on the page, no exception, and nothing the student had lost.
"""

import ast
import json
import os
import signal
import time
from pathlib import Path

import pytest

from quizzes import bank, checking, progress
from quizzes.checking import pool
from ui import lecture, quiz

PRACTICE = "app_pages/practice.py"
QID = "vg-depth-threshold"  # an integer answer: 44 on seed 0
BY_WORKER = "sqrt(44^2)"  # right, and irrational on the way, so a worker process judges it
PAGES = sorted(Path(__file__).resolve().parents[2].glob("app_pages/*.py"))


def solved_one(open_page):
    """The practice page after answering QID right: progress worth keeping."""
    at = open_page(PRACTICE, **{quiz.PRACTICE_CURRENT: QID, quiz.SEEDS: {_box(): 0}})
    check(at, "44")
    assert at.session_state[quiz.PROGRESS][QID].solved
    return at


def _box() -> str:
    return quiz.practice_key(QID)


def check(at, text: str):
    at.text_input(key=f"{_box()}:0:answer").input(text)
    at.button(key=f"{_box()}:0:check").click().run()
    assert not at.exception, at.exception
    return at


def upload(at, data: bytes):
    at.file_uploader(key="progress_upload").set_value(("progress.json", data, "application/json"))
    at.run()
    assert not at.exception, at.exception
    return at


def document(questions: object, **fields) -> bytes:
    return json.dumps({"app": progress.APP, "version": 1, "questions": questions} | fields).encode()


ENTRY = {"attempts": 1, "solved": True, "hints_used": 0, "first_try": True}
BAD_FILES = [
    pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), id="an image, not text"),
    pytest.param(b'{"app": "modern-cnns-tutor", "version": 1, "questions": {', id="cut short"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested 100000 deep"),
    pytest.param(b"[" * 50_000 + b"]" * 50_000, id="nested 50000 deep"),
    pytest.param(b" " * (progress.MAX_BYTES + 1), id="over the size limit"),
    pytest.param(document({QID: ENTRY | {"attempts": 10**300}}), id="a huge count"),
    pytest.param(document({QID: ENTRY | {"attempts": 1e308 * 10}}), id="an infinite count"),
    pytest.param(document({QID: ENTRY | {"attempts": "1"}}), id="a count as text"),
    pytest.param(document({QID: ENTRY | {"solved": 1}}), id="a number for yes"),
    pytest.param(document({QID: [1, 2]}), id="a list for an entry"),
    pytest.param(document([QID]), id="a list for the table"),
    pytest.param(document({}, version=3), id="a later version"),
    pytest.param(document({}, version="1"), id="the version as text"),
    pytest.param(document({}, app="another-app"), id="another app"),
    pytest.param(b"null", id="null"),
    pytest.param(
        document({QID: ENTRY}).replace(b'"attempts": 1', b'"attempts": ' + b"9" * 4301),
        id="a number of 4301 digits",
    ),
    pytest.param(
        document({}, version=True),
        id="the version as true",
    ),
]


@pytest.mark.parametrize("data", BAD_FILES)
def test_a_bad_progress_file_is_refused_with_a_message_and_progress_is_kept(open_page, data):
    at = solved_one(open_page)
    before = dict(at.session_state[quiz.PROGRESS])
    upload(at, data)
    errors = [e.value for e in at.error]
    assert errors and errors[-1].endswith("Your progress was not changed.")
    assert at.session_state[quiz.PROGRESS] == before


def test_a_good_progress_file_still_loads_after_a_bad_one(open_page):
    at = solved_one(open_page)
    upload(at, b"{not json")
    other = "sep-ratio-value"
    upload(at, progress.export_json({other: progress.Record(2, True, 1, False)}))
    assert at.session_state[quiz.PROGRESS] == {other: progress.Record(2, True, 1, False)}
    assert any("Loaded progress for 1 question." in s.value for s in at.success)


HOSTILE_QUERY = [
    "1e309",
    "-1",
    "nan",
    "9" * 300,
    "１２",  # full-width digits
    "__import__('os').system('true')",
    "<script>alert(1)</script>",
    "\x00",
]


def link_names(page: Path) -> list[str]:
    """The query names a page's links read: the second argument of every Link(...) call."""
    calls = [
        node
        for node in ast.walk(ast.parse(page.read_text()))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Link"
    ]
    return [
        c.args[1].value for c in calls if len(c.args) > 1 and isinstance(c.args[1], ast.Constant)
    ]


@pytest.mark.parametrize("value", HOSTILE_QUERY)
@pytest.mark.parametrize("page", [p for p in PAGES if link_names(p)], ids=lambda p: p.stem)
def test_a_hostile_link_value_on_any_page_is_ignored_with_a_notice(new_app, page, value):
    names = link_names(page)
    at = new_app()
    for name in names:
        at.query_params[name] = value
    at.run().switch_page(f"app_pages/{page.name}").run()
    assert not at.exception, at.exception
    notice = " ".join(w.value for w in at.warning)
    assert "could not be used" in notice
    assert all(name in notice for name in names)


ENTRY_QUERY = [
    {"question": "__import__('os')", "seed": "0"},
    {"question": QID, "seed": "-1"},
    {"question": QID, "seed": "9" * 400},
    {"question": QID, "seed": "１２"},
    {"question": QID, "seed": "0x10"},
    {"question": "", "seed": ""},
    {"question": "../../etc/passwd"},
    {"lecture": "<script>"},
    {"lecture": "1" * 10_000},
]


@pytest.mark.parametrize(
    "query", ENTRY_QUERY, ids=lambda q: ",".join(f"{k}={v[:12]}" for k, v in q.items())
)
def test_a_hostile_shared_link_leaves_the_app_working(new_app, query):
    at = new_app()
    for name, value in query.items():
        at.query_params[name] = value
    at.run().switch_page(PRACTICE).run()
    assert not at.exception, at.exception
    assert at.session_state[quiz.PRACTICE_CURRENT] in bank.bank()
    assert at.sidebar.toggle(key=lecture.LECTURE).value is False


def test_a_shared_link_to_an_unknown_question_says_it_was_not_found(new_app):
    at = new_app()
    at.query_params["question"] = "no-such-question"
    at.run()
    assert at.warning or at.toast


def checker_processes() -> list[int]:
    """The pids of the answer checker's zygote and workers in this process."""
    workers = [*checking._POOL._idle, checking._POOL._spare]
    return [checking._POOL._zygote._process.pid] + [w._pid for w in workers if w and w._pid]


def test_a_worker_killed_mid_check_gets_a_polite_message_and_the_next_check_works(
    open_page, monkeypatch
):
    at = open_page(PRACTICE, **{quiz.PRACTICE_CURRENT: QID, quiz.SEEDS: {_box(): 0}})
    checking.warm_up()
    real_run, killed = pool.Worker.run, []

    def killed_on_arrival(worker, job, deadline):
        if not killed:  # the first job's worker dies as the job reaches it
            killed.append(worker._pid)
            os.kill(worker._pid, signal.SIGKILL)
            time.sleep(0.05)
        return real_run(worker, job, deadline)

    monkeypatch.setattr(pool.Worker, "run", killed_on_arrival)
    check(at, BY_WORKER)
    assert killed
    assert at.warning[0].value == f"{checking.INTERNAL} No attempt was counted."
    assert QID not in at.session_state[quiz.PROGRESS]
    check(at, BY_WORKER)
    assert at.success[0].value.startswith("Correct")


def test_every_checker_process_killed_is_started_again_by_the_next_checks(open_page):
    at = open_page(PRACTICE, **{quiz.PRACTICE_CURRENT: QID, quiz.SEEDS: {_box(): 0}})
    checking.warm_up()
    for pid in checker_processes():
        os.kill(pid, signal.SIGKILL)
    deadline, said = time.monotonic() + 20, []
    while time.monotonic() < deadline:
        check(at, BY_WORKER)
        if at.success:
            break
        said.append(at.warning[0].value)
        time.sleep(0.5)
    assert at.success and at.success[0].value.startswith("Correct"), said
    assert set(said) <= {
        f"{checking.BUSY} No attempt was counted.",
        f"{checking.INTERNAL} No attempt was counted.",
    }


def test_numbers_drawn_while_every_checker_worker_is_busy_still_get_their_question_box(
    open_page, monkeypatch
):
    bank.bank()  # loaded while the workers are free
    bank.variant.cache_clear()  # so the page builds the variant while the workers are busy
    asked = []

    def busy(*args, **kwargs):
        asked.append(args)
        raise pool.CheckerBusy("no worker was ready in time")

    monkeypatch.setattr(pool.Pool, "call", busy)
    qid, seed = "sep-ratio-formula", 987_651  # an expression: comparing distractors needs a worker
    at = open_page(
        PRACTICE, **{quiz.PRACTICE_CURRENT: qid, quiz.SEEDS: {quiz.practice_key(qid): seed}}
    )
    assert asked, "the checker was never asked, so it was never busy"
    box = f"{quiz.practice_key(qid)}:{seed}"
    assert at.text_input(key=f"{box}:answer") and at.button(key=f"{box}:check")
    assert any(m.value == f"**{bank.bank()[qid].title}**" for m in at.markdown)
