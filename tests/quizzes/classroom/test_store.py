"""quizzes.classroom.store on SQLite and PostgreSQL: host rights, joining, upserts, time, limits."""

import pytest
import sqlalchemy as sa

from quizzes import bank, classroom
from quizzes.classroom import keys, schema, store
from quizzes.classroom.store import Judged, Refused, Store, Unavailable

QUESTION = "vg-depth-threshold"


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def judged(text: str, correct: bool = False, slip: str | None = None) -> Judged:
    """An answer as the checker would have judged it (the store never judges)."""
    return Judged(text, text, text, correct, "Correct." if correct else "Not quite.", slip)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def make(engine, clock):
    """A Store on the test's engine with the test's clock; settings may be changed."""
    return lambda **settings: Store(engine, classroom.Settings(**settings), clock)


@pytest.fixture
def room(make):
    """A store, a class with a question open, and one student in it."""
    s = make()
    hosted = s.start()
    token = s.join(hosted.code, "10.0.0.1")
    asked = s.ask(hosted.code, hosted.secret, QUESTION)
    return s, hosted, token, asked


def rows(engine, table) -> list:
    with engine.connect() as connection:
        return connection.execute(sa.select(table)).all()


def test_a_new_database_gets_the_schema_and_migrating_again_changes_nothing(make, engine):
    make()
    with engine.connect() as connection:
        assert schema.applied(connection) == schema.VERSION
    assert schema.migrate(engine) == schema.VERSION
    assert len(rows(engine, schema.versions)) == schema.VERSION


def test_a_database_from_a_newer_app_is_refused_not_misread(make, engine):
    make()
    with engine.begin() as connection:
        connection.execute(schema.versions.insert().values(version=99, applied_at=0))
    with pytest.raises(Unavailable, match="newer than this app"):
        make()


def test_a_class_code_avoids_look_alikes_and_the_secret_is_stored_only_as_a_hash(make, engine):
    hosted = make().start()
    assert len(hosted.code) == keys.CODE_LENGTH
    assert not set(hosted.code) & set("0O1IL2Z5S8B")
    assert len(hosted.secret) >= 22  # 128 bits in URL-safe base64
    stored = [str(value) for row in rows(engine, schema.classes) for value in row]
    assert hosted.secret not in " ".join(stored)
    assert keys.digest(hosted.secret) in stored


def test_every_host_action_with_a_wrong_secret_is_refused_and_changes_nothing(room):
    s, hosted, _, asked = room
    before = s.state(hosted.code)
    wrong = hosted.secret[:-2] + "xx"
    for act in (s.close, s.reveal, s.clear, s.end):
        with pytest.raises(Refused, match="host link"):
            act(hosted.code, wrong)
    with pytest.raises(Refused, match="host link"):
        s.ask(hosted.code, wrong, QUESTION)
    assert s.state(hosted.code) == before
    assert not s.is_host(hosted.code, wrong) and s.is_host(hosted.code, hosted.secret)


def test_a_typed_code_may_be_lower_case_and_spaced(make):
    s = make()
    hosted = s.start()
    typed = f" {hosted.code[:3].lower()} - {hosted.code[3:]} "
    token = s.join(typed, "10.0.0.2")
    assert s.student(hosted.code, token) is not None


def test_a_wrong_code_is_refused_and_too_many_from_one_address_block_it(make):
    s = make(join_failures=3)
    hosted = s.start()
    for _ in range(3):
        with pytest.raises(Refused, match="no running class"):
            s.join("AAAAAA", "10.0.0.3")
    with pytest.raises(Refused, match="wait a few minutes"):
        s.join(hosted.code, "10.0.0.3")
    assert s.join(hosted.code, "10.0.0.4")  # another address is not blocked


def test_the_failure_limit_holds_across_servers_sharing_the_database(engine, clock):
    first = Store(engine, classroom.Settings(join_failures=2), clock)
    second = Store(engine, classroom.Settings(join_failures=2), clock)
    hosted = first.start()
    for s in (first, second):
        with pytest.raises(Refused):
            s.join("CCCCCC", "10.0.0.5")
    with pytest.raises(Refused, match="wait a few minutes"):
        first.join(hosted.code, "10.0.0.5")


def test_failures_older_than_the_window_no_longer_count(make, clock):
    s = make(join_failures=1, failure_window_s=60)
    hosted = s.start()
    with pytest.raises(Refused):
        s.join("CCCCCC", "10.0.0.6")
    clock.now += 61
    assert s.join(hosted.code, "10.0.0.6")


def test_a_full_class_turns_the_next_student_away_politely(make):
    s = make(max_students=2)
    hosted = s.start()
    s.join(hosted.code, None)
    s.join(hosted.code, None)
    with pytest.raises(Refused, match="full"):
        s.join(hosted.code, None)


def test_too_many_running_classes_refuse_a_new_one(make):
    s = make(max_open_classes=2)
    first = s.start()
    s.start()
    with pytest.raises(Refused, match="limit"):
        s.start()
    s.end(first.code, first.secret)
    assert s.start()


def test_nicknames_are_dropped_unless_the_class_asked_for_them(make):
    s = make()
    plain = s.start()
    named = s.start(nicknames=True)
    assert s.student(plain.code, s.join(plain.code, None, "Ada")).nickname is None
    assert s.student(named.code, s.join(named.code, None, "Ada L.")).nickname == "Ada L."
    assert s.nicknames(named.code, named.secret) == ["Ada L."]


@pytest.mark.parametrize(
    "nickname", ["<b>x</b>", "**bold**", "[a](javascript:x)", "a" * 25, "a  b", "$x$", "-a"]
)
def test_a_nickname_with_markup_or_too_long_is_refused_with_the_rule(make, nickname):
    s = make()
    hosted = s.start(nicknames=True)
    with pytest.raises(Refused, match="at most 24 letters or digits"):
        s.join(hosted.code, None, nickname)


def test_an_answer_changed_twice_is_one_answer_whose_last_text_counts(room, engine):
    s, hosted, token, asked = room
    revisions = [s.answer(hosted.code, token, asked.id, judged(t)) for t in ("28", "30", "29")]
    assert revisions == [1, 2, 3]
    stored = rows(engine, schema.answers)
    assert len(stored) == 1 and stored[0].text == "29"
    assert s.mine(asked.id, token).text == "29"


def test_a_retried_answer_never_counts_twice(room):
    s, hosted, token, asked = room
    for _ in range(5):
        s.answer(hosted.code, token, asked.id, judged("29", True))
    assert len(s.live(hosted.code, asked.id).answers) == 1


def test_a_token_of_another_class_cannot_answer(room, make):
    s, hosted, _, asked = room
    other = s.start()
    stranger = s.join(other.code, None)
    with pytest.raises(Refused, match="not in this class"):
        s.answer(hosted.code, stranger, asked.id, judged("1"))
    with pytest.raises(Refused, match="not in this class"):
        s.answer(hosted.code, "made-up", asked.id, judged("1"))


def test_no_answer_is_taken_after_the_close_or_after_the_class_ended(room, clock):
    s, hosted, token, asked = room
    clock.now += 5
    s.close(hosted.code, hosted.secret)
    clock.now += 1
    with pytest.raises(Refused, match="closed"):
        s.answer(hosted.code, token, asked.id, judged("29"))
    s.end(hosted.code, hosted.secret)
    with pytest.raises(Refused, match="ended"):
        s.join(hosted.code, None)
    with pytest.raises(Refused, match="ended"):
        s.ask(hosted.code, hosted.secret, QUESTION)


def test_an_answer_sent_before_the_close_still_counts_when_it_arrives_after(room, clock):
    s, hosted, token, asked = room
    sent = clock.now + 2
    clock.now += 10
    s.close(hosted.code, hosted.secret)
    clock.now += 30  # the database was away; the page sends it again now
    assert s.answer(hosted.code, token, asked.id, judged("29"), sent_at=sent) == 1


def test_a_countdown_closes_answering_by_itself_after_a_short_grace(room, clock):
    s, hosted, token, _ = room
    asked = s.ask(hosted.code, hosted.secret, QUESTION, seconds=30)
    clock.now += 31
    assert s.state(hosted.code).asked.phase(clock.now) == "closed"
    assert s.answer(hosted.code, token, asked.id, judged("29")) == 1  # within the grace
    clock.now += s.settings.grace_s
    with pytest.raises(Refused, match="closed"):
        s.answer(hosted.code, token, asked.id, judged("28"))


def test_a_class_never_ended_stops_taking_writes_after_its_hours(room, clock):
    s, hosted, token, asked = room
    clock.now += s.settings.class_hours * 3600 + 1
    with pytest.raises(Refused, match="ended"):
        s.join(hosted.code, None)
    with pytest.raises(Refused, match="ended"):
        s.close(hosted.code, hosted.secret)


def test_the_polled_signature_changes_on_host_actions_and_the_countdown_not_on_answers(room, clock):
    s, hosted, token, asked = room
    seen = s.state(hosted.code).signature(clock.now, s.settings)
    s.answer(hosted.code, token, asked.id, judged("29"))
    s.join(hosted.code, None)
    assert s.state(hosted.code).signature(clock.now, s.settings) == seen
    s.ask(hosted.code, hosted.secret, QUESTION, seconds=10)
    opened = s.state(hosted.code).signature(clock.now, s.settings)
    assert opened != seen
    clock.now += 11
    assert s.state(hosted.code).signature(clock.now, s.settings) != opened


def test_asking_again_closes_the_previous_question_and_numbers_them_in_order(room):
    s, hosted, _, first = room
    given = bank.given_values(QUESTION, {"delta": 0.85})
    second = s.ask(hosted.code, hosted.secret, QUESTION, given=given)
    history = s.history(hosted.code, hosted.secret)
    assert [a.position for a, _ in history] == [1, 2]
    assert history[0][0].closed_at is not None and history[1][0].closed_at is None
    assert second.given == given and second.variant().params["delta"] == bank.exact("0.85")
    assert s.state(hosted.code).asked.id == second.id != first.id


def test_a_reveal_closes_answering_and_clear_takes_the_question_off_screen(room, clock):
    s, hosted, _, asked = room
    s.reveal(hosted.code, hosted.secret)
    state = s.state(hosted.code)
    assert state.asked.phase(clock.now) == "revealed" and state.asked.closed_at is not None
    s.clear(hosted.code, hosted.secret)
    assert s.state(hosted.code).asked is None


def test_the_host_reads_joined_counts_and_every_answer_of_the_question(room):
    s, hosted, token, asked = room
    other = s.join(hosted.code, None)
    s.answer(hosted.code, token, asked.id, judged("29", True))
    s.answer(hosted.code, other, asked.id, judged("28", slip="One layer short"))
    live = s.live(hosted.code, asked.id)
    assert live.joined == 2
    assert sorted(a.text for a in live.answers) == ["28", "29"]


def test_retention_deletes_old_classes_with_everything_in_them(room, engine, clock, make):
    s, hosted, token, asked = room
    s.answer(hosted.code, token, asked.id, judged("29"))
    clock.now += s.settings.retention_days * 86400 / 2
    newer = s.start()
    clock.now += s.settings.retention_days * 86400 / 2 + 1
    assert s.purge() == 1
    assert s.state(hosted.code) is None and s.state(newer.code) is not None
    for table in (schema.answers, schema.asked, schema.students):
        assert rows(engine, table) == []


def test_a_stale_or_hostile_token_is_no_student(room):
    s, hosted, _, _ = room
    for token in ("", "x" * 10_000, "' OR 1=1 --", "\x00"):
        assert s.student(hosted.code, token) is None


def test_an_unreachable_database_is_unavailable_not_a_crash(tmp_path):
    missing = sa.create_engine(f"sqlite:///{tmp_path}/no/such/folder/db.sqlite")
    with pytest.raises(Unavailable):
        Store(missing)


def test_a_locked_sqlite_database_makes_a_write_unavailable_and_loses_nothing(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(store, "BUSY_MS", 200)
    engine = sa.create_engine(f"sqlite:///{tmp_path}/db.sqlite")
    s = Store(engine)
    hosted = s.start()
    token = s.join(hosted.code, None)
    asked = s.ask(hosted.code, hosted.secret, QUESTION)
    blocker = engine.raw_connection()
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Unavailable):
            s.answer(hosted.code, token, asked.id, judged("29"))
    finally:
        blocker.rollback()
        blocker.close()
    assert s.answer(hosted.code, token, asked.id, judged("29")) == 1


def test_finding_a_class_by_code_counts_wrong_codes_like_joining(make):
    s = make(join_failures=2)
    hosted = s.start(nicknames=True)
    assert s.find(hosted.code.lower(), "10.0.0.7").nicknames
    for _ in range(2):
        with pytest.raises(Refused, match="no running class"):
            s.find("CCCCCC", "10.0.0.7")
    with pytest.raises(Refused, match="wait a few minutes"):
        s.find(hosted.code, "10.0.0.7")
