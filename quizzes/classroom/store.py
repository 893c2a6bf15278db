"""The live-class store: every read and write of a class, over one SQLAlchemy engine.

Each method is one transaction. SQLite: pysqlite's own transaction handling is switched off and
a write begins with BEGIN IMMEDIATE (it waits, up to BUSY_MS, for the write lock instead of
failing halfway), a read with a plain BEGIN; the file is in WAL mode, so readers never block the
writer. PostgreSQL: the rows a write depends on are locked (the class row for host actions and
joins, the asked question's row, shared, for answers), so a close and a late answer are ordered.
Any database error (locked past its timeout, unreachable, dropped) becomes Unavailable, whose
message a page can show; a refusal a user must hear (a wrong code, a full class, a closed
question, a wrong host secret) is Refused with one polite sentence.

Rules kept here, whatever the page does: only the host (the secret's digest matches, checked on
every host action) opens, closes, reveals, moves on or ends; an answer is an upsert on (question
asked, student), so a retry or a double click is one answer with a higher revision; an answer
counts if it was sent while its question was open (its time is the server's, when the student
pressed Send), so an answer that was acknowledged as "saved, will be sent" while the database was
away still counts when it arrives after the close; an ended class, or one past
Settings.class_hours, takes no writes; joining with a wrong code is counted per source (a hash
of the address) in the database, so the limit holds across servers; classes older than
Settings.retention_days are deleted with everything in them.
Left out: judging answers (answers.py), counting them (tally.py), and Streamlit.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite

from quizzes import bank
from quizzes.classroom import keys, schema
from quizzes.classroom.schema import answers, asked, classes, join_failures, students
from quizzes.classroom.settings import Settings

BUSY_MS = 3000  # how long a SQLite writer waits for the lock before the write fails
WRITE = "live_class_write"  # execution option: this transaction writes (BEGIN IMMEDIATE)
CODE_TRIES = 20  # fresh codes tried when one is taken
NO_CLASS = "There is no running class with that code; check it with your instructor."
ENDED = "This class has ended; ask your instructor for the new code."
NICKNAME = re.compile(r"[^\W_]+(?:[ '.\-][^\W_]+)*\.?")  # letters, digits, single separators


class Refused(ValueError):
    """An action the rules refuse; the message is one polite sentence for the user."""


class Unavailable(RuntimeError):
    """The database could not be reached or was busy; nothing was written."""


@dataclass(frozen=True)
class Hosted:
    """A new class: its code and the host's secret (shown once, in the host link)."""

    code: str
    secret: str


@dataclass(frozen=True)
class Asked:
    """A question asked in a class: which variant, and when it opened, closed and was revealed."""

    id: int
    position: int
    question_id: str
    seed: int
    given: bank.Given
    opened_at: float
    closes_at: float | None
    closed_at: float | None
    revealed_at: float | None

    def phase(self, now: float) -> str:
        """open, closed (by the host or the countdown) or revealed."""
        if self.revealed_at is not None:
            return "revealed"
        if self.closed_at is not None or (self.closes_at is not None and now >= self.closes_at):
            return "closed"
        return "open"

    def took(self, sent_at: float, grace: float) -> bool:
        """Whether an answer sent at `sent_at` came while answering was open."""
        end = min(t for t in (self.closed_at, self.closes_at, float("inf")) if t is not None)
        return self.opened_at <= sent_at <= end + (grace if end == self.closes_at else 0)

    def variant(self) -> bank.Variant:
        """The variant asked, rebuilt from the database's fields."""
        return bank.variant(self.question_id, self.seed, self.given)


@dataclass(frozen=True)
class ClassState:
    """What every viewer of a class needs: one row, read on every poll."""

    code: str
    version: int  # changes on every host action
    nicknames: bool
    created_at: float
    ended_at: float | None
    asked: Asked | None  # the question on screen

    def ended(self, now: float, settings: Settings) -> bool:
        """Ended by the host, or past the class's time limit."""
        return self.ended_at is not None or now > self.created_at + settings.class_hours * 3600

    def signature(self, now: float, settings: Settings) -> tuple:
        """What a student's view depends on: it changes when the view must be redrawn."""
        phase = self.asked.phase(now) if self.asked else None
        return (self.version, self.ended(now, settings), phase)


@dataclass(frozen=True)
class Student:
    """A student in a class."""

    id: int
    code: str
    nickname: str | None


@dataclass(frozen=True)
class Judged:
    """An answer as the checker judged it: what the store keeps (never anything evaluated)."""

    text: str
    reading: str | None  # None: unreadable, and `message` is the checker's advice
    meaning: str | None
    correct: bool
    message: str
    slip: str | None


@dataclass(frozen=True)
class Answer(Judged):
    """A stored answer."""

    revision: int
    answered_at: float


@dataclass(frozen=True)
class Live:
    """What the host's view of the current question reads: one query's worth."""

    joined: int
    answers: tuple[Judged, ...]


def _asked(row: Mapping) -> Asked:
    given = tuple((name, text) for name, text in json.loads(row["given"]))
    return Asked(
        row["id"],
        row["position"],
        row["question_id"],
        row["seed"],
        given,
        row["opened_at"],
        row["closes_at"],
        row["closed_at"],
        row["revealed_at"],
    )


def _judged(row: sa.Row) -> Judged:
    return Judged(row.text, row.reading, row.meaning, row.correct, row.message, row.slip)


def _sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # pysqlite emits no BEGIN of its own: _sqlite_begin
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")  # kept by the file; a no-op once set
    cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    write = connection.get_execution_options().get(WRITE)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def prepare(engine: sa.Engine) -> None:
    """Set an engine up for the store once: SQLite's transactions and WAL, then the schema."""
    sqlite_engine = engine.dialect.name == "sqlite"
    if sqlite_engine and not event.contains(engine, "connect", _sqlite_connect):
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    schema.migrate(engine.execution_options(**{WRITE: True}))


class Store:
    """Every read and write of live classes; one per engine, shared by every session."""

    def __init__(
        self,
        engine: sa.Engine,
        settings: Settings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        try:
            prepare(engine)
        except schema.SchemaError as error:
            raise Unavailable(str(error)) from error
        except sa.exc.SQLAlchemyError as error:
            raise Unavailable("The class database could not be opened.") from error
        self.settings = settings or Settings()
        self._clock = clock
        self._read = engine
        self._write = engine.execution_options(**{WRITE: True})
        name = engine.dialect.name
        self._insert = postgresql.insert if name == "postgresql" else sqlite.insert

    @contextlib.contextmanager
    def _transaction(self, write: bool) -> Iterator[sa.Connection]:
        """One transaction; database errors become Unavailable (Refused passes through)."""
        try:
            with (self._write if write else self._read).begin() as connection:
                yield connection
        except sa.exc.SQLAlchemyError as error:
            raise Unavailable(
                "The class database is busy or out of reach; please try again in a moment."
            ) from error

    def now(self) -> float:
        """The store's clock (time.time unless a test gives another)."""
        return self._clock()

    # ------------------------------------------------------------------------------ host

    def start(self, *, nicknames: bool = False) -> Hosted:
        """Start a class; Refused when too many are running."""
        now = self.now()
        self.purge()
        secret = keys.new_secret()
        with self._transaction(write=True) as db:
            running = db.execute(
                sa.select(sa.func.count())
                .select_from(classes)
                .where(
                    classes.c.ended_at.is_(None),
                    classes.c.created_at > now - self.settings.class_hours * 3600,
                )
            ).scalar_one()
            if running >= self.settings.max_open_classes:
                raise Refused(
                    f"{running} classes are running on this server, its limit; "
                    "please end one or try again later."
                )
            taken = True
            for _ in range(CODE_TRIES):
                code = keys.new_code()
                taken = db.execute(sa.select(classes.c.code).where(classes.c.code == code)).first()
                if not taken:
                    break
            if taken:
                raise Refused("No free class code was found; please try again.")
            db.execute(
                classes.insert().values(
                    code=code,
                    host_hash=keys.digest(secret),
                    nicknames=nicknames,
                    created_at=now,
                    version=1,
                )
            )
        return Hosted(code, secret)

    def _hosted(self, db: sa.Connection, code: str, secret: str, now: float) -> sa.Row:
        """The class row, locked, if `secret` is its host's and it is still running."""
        row = db.execute(sa.select(classes).where(classes.c.code == code).with_for_update()).first()
        if row is None or not keys.matches(secret, row.host_hash):
            raise Refused("This host link is not valid for a running class.")
        if self._over(row, now):
            raise Refused("This class has ended.")
        return row

    def _over(self, row: sa.Row, now: float) -> bool:
        """Whether a class row is ended, by its host or by its time limit."""
        return row.ended_at is not None or now > row.created_at + self.settings.class_hours * 3600

    def is_host(self, code: str, secret: str) -> bool:
        """Whether `secret` is the host's secret of class `code` (ended or not)."""
        with self._transaction(write=False) as db:
            stored = db.execute(
                sa.select(classes.c.host_hash).where(classes.c.code == code)
            ).scalar()
        return stored is not None and keys.matches(secret, stored)

    def _current(self, db: sa.Connection, row: sa.Row) -> Asked | None:
        if row.current is None:
            return None
        return _asked(db.execute(sa.select(asked).where(asked.c.id == row.current)).one()._mapping)

    def _close_current(self, db: sa.Connection, row: sa.Row, now: float) -> Asked | None:
        """Close the question on screen if it is open; return it as it was."""
        current = self._current(db, row)
        if current is not None and current.closed_at is None:
            end = now if current.closes_at is None else min(now, current.closes_at)
            db.execute(asked.update().where(asked.c.id == current.id).values(closed_at=end))
        return current

    def _changed(self, db: sa.Connection, code: str, **values: object) -> None:
        db.execute(
            classes.update()
            .where(classes.c.code == code)
            .values(version=classes.c.version + 1, **values)
        )

    def ask(
        self,
        code: str,
        secret: str,
        question_id: str,
        *,
        seed: int = 0,
        given: bank.Given = (),
        seconds: float | None = None,
    ) -> Asked:
        """Put a question on screen and open answering (closing the previous one)."""
        if question_id not in bank.bank():
            raise Refused("That question is not in the bank.")
        if seconds is not None and not 0 < seconds <= 3600:
            raise Refused("A countdown runs between 1 second and an hour.")
        now = self.now()
        with self._transaction(write=True) as db:
            row = self._hosted(db, code, secret, now)
            self._close_current(db, row, now)
            position = db.execute(
                sa.select(sa.func.count()).select_from(asked).where(asked.c.code == code)
            ).scalar_one()
            new = db.execute(
                asked.insert()
                .values(
                    code=code,
                    position=position + 1,
                    question_id=question_id,
                    seed=seed,
                    given=json.dumps([list(pair) for pair in given]),
                    opened_at=now,
                    closes_at=None if seconds is None else now + seconds,
                )
                .returning(asked.c.id)
            ).scalar_one()
            self._changed(db, code, current=new)
            return _asked(db.execute(sa.select(asked).where(asked.c.id == new)).one()._mapping)

    def close(self, code: str, secret: str) -> None:
        """Stop answering the question on screen."""
        now = self.now()
        with self._transaction(write=True) as db:
            row = self._hosted(db, code, secret, now)
            if self._close_current(db, row, now) is None:
                raise Refused("No question is on screen.")
            self._changed(db, code)

    def reveal(self, code: str, secret: str) -> None:
        """Close answering if open, and show every student their verdict and the solution."""
        now = self.now()
        with self._transaction(write=True) as db:
            row = self._hosted(db, code, secret, now)
            current = self._close_current(db, row, now)
            if current is None:
                raise Refused("No question is on screen.")
            if current.revealed_at is None:
                db.execute(asked.update().where(asked.c.id == current.id).values(revealed_at=now))
            self._changed(db, code)

    def clear(self, code: str, secret: str) -> None:
        """Take the question off screen (closing it if open), ready for the next."""
        now = self.now()
        with self._transaction(write=True) as db:
            row = self._hosted(db, code, secret, now)
            self._close_current(db, row, now)
            self._changed(db, code, current=None)

    def end(self, code: str, secret: str) -> None:
        """End the class: no more joins or answers; the report stays until retention ends."""
        now = self.now()
        with self._transaction(write=True) as db:
            row = self._hosted(db, code, secret, now)
            self._close_current(db, row, now)
            self._changed(db, code, ended_at=now)

    # --------------------------------------------------------------------------- students

    def _allow(self, source: str | None, now: float) -> str:
        """The source's hash, if it may still try codes; Refused after too many wrong ones."""
        source_hash = keys.digest(source or "unknown")
        with self._transaction(write=False) as db:
            failures = db.execute(
                sa.select(sa.func.count())
                .select_from(join_failures)
                .where(
                    join_failures.c.source == source_hash,
                    join_failures.c.at > now - self.settings.failure_window_s,
                )
            ).scalar_one()
        if failures >= self.settings.join_failures:
            raise Refused("Too many wrong codes came from your network; please wait a few minutes.")
        return source_hash

    def _wrong_code(self, source_hash: str, now: float) -> Refused:
        """Count a wrong code against its source; the refusal to raise."""
        with self._transaction(write=True) as db:
            db.execute(join_failures.insert().values(source=source_hash, at=now))
        return Refused(NO_CLASS)

    def find(self, code: str, source: str | None) -> ClassState:
        """A running class by its typed code (before joining it); a wrong code counts as in join."""
        now = self.now()
        source_hash = self._allow(source, now)
        normal = keys.normal_code(code)
        state = None if normal is None else self.state(normal)
        if state is None:
            raise self._wrong_code(source_hash, now)
        if state.ended(now, self.settings):
            raise Refused(ENDED)
        return state

    def join(self, code: str, source: str | None, nickname: str | None = None) -> str:
        """Join a class by its typed code; returns the student's token (kept in their link).

        `source` is the student's address (None when unknown: one shared allowance). A wrong
        code counts against the source; too many within the window and joining is refused.
        """
        now = self.now()
        source_hash = self._allow(source, now)
        normal = keys.normal_code(code)
        token = keys.new_secret()
        with self._transaction(write=True) as db:
            row = None
            if normal is not None:
                row = db.execute(
                    sa.select(classes).where(classes.c.code == normal).with_for_update()
                ).first()
            if row is not None:
                if self._over(row, now):
                    raise Refused(ENDED)
                count = db.execute(
                    sa.select(sa.func.count())
                    .select_from(students)
                    .where(students.c.code == normal)
                ).scalar_one()
                if count >= self.settings.max_students:
                    raise Refused(f"This class is full ({count} students); ask your instructor.")
                db.execute(
                    students.insert().values(
                        code=normal,
                        token_hash=keys.digest(token),
                        nickname=self._nickname(nickname) if row.nicknames else None,
                        joined_at=now,
                    )
                )
        if row is None:
            raise self._wrong_code(source_hash, now)
        return token

    def _nickname(self, nickname: str | None) -> str | None:
        """A valid nickname or None; Refused with the rule when one is given but breaks it."""
        if nickname is None or not nickname.strip():
            return None
        name = nickname.strip()
        limit = self.settings.nickname_chars
        if len(name) > limit or not NICKNAME.fullmatch(name):
            raise Refused(
                f"A nickname has at most {limit} letters or digits, with single spaces, "
                "dots, dashes or apostrophes between them."
            )
        return name

    def student(self, code: str, token: str) -> Student | None:
        """The student whose token this is, in this class; None if not (a stale link)."""
        if not isinstance(token, str) or len(token) > 4 * keys.SECRET_BYTES:
            return None
        with self._transaction(write=False) as db:
            row = db.execute(
                sa.select(students).where(
                    students.c.token_hash == keys.digest(token), students.c.code == code
                )
            ).first()
        return None if row is None else Student(row.id, row.code, row.nickname)

    def answer(
        self, code: str, token: str, asked_id: int, judged: Judged, sent_at: float | None = None
    ) -> int:
        """Store a student's answer to a question (upsert); returns its revision.

        Refused if the token is not the class's, or the answer was not sent while the question
        was open. `sent_at` defaults to now (a retried answer passes its original time).
        """
        now = self.now()
        sent = now if sent_at is None else min(sent_at, now)
        with self._transaction(write=True) as db:
            student = db.execute(
                sa.select(students.c.id).where(
                    students.c.token_hash == keys.digest(token), students.c.code == code
                )
            ).scalar()
            if student is None:
                raise Refused("You are not in this class; open the join link again.")
            question = db.execute(
                sa.select(asked)
                .where(asked.c.id == asked_id, asked.c.code == code)
                .with_for_update(read=True)
            ).first()
            if question is None or not _asked(question._mapping).took(sent, self.settings.grace_s):
                raise Refused("Answering had closed; your answer was not counted.")
            values = {
                "text": judged.text[: schema.TEXT_CHARS],
                "reading": judged.reading,
                "meaning": judged.meaning,
                "correct": judged.correct,
                "message": judged.message,
                "slip": judged.slip,
                "answered_at": sent,
            }
            upsert = self._insert(answers).values(
                asked_id=asked_id, student_id=student, revision=1, **values
            )
            upsert = upsert.on_conflict_do_update(
                index_elements=[answers.c.asked_id, answers.c.student_id],
                set_={**values, "revision": answers.c.revision + 1},
            )
            return db.execute(upsert.returning(answers.c.revision)).scalar_one()

    def mine(self, asked_id: int, token: str) -> Answer | None:
        """A student's stored answer to a question, if any."""
        with self._transaction(write=False) as db:
            row = db.execute(
                sa.select(answers)
                .join(students, students.c.id == answers.c.student_id)
                .where(answers.c.asked_id == asked_id, students.c.token_hash == keys.digest(token))
            ).first()
        if row is None:
            return None
        return Answer(**vars(_judged(row)), revision=row.revision, answered_at=row.answered_at)

    # ------------------------------------------------------------------------------ reads

    def state(self, code: str) -> ClassState | None:
        """The class as every viewer sees it: one indexed query (the poll's)."""
        query = sa.select(
            classes, *(c.label(f"asked_{c.name}") for c in asked.columns)
        ).select_from(classes.outerjoin(asked, asked.c.id == classes.c.current))
        with self._transaction(write=False) as db:
            row = db.execute(query.where(classes.c.code == code)).first()
        if row is None:
            return None
        current = None
        if row.asked_id is not None:
            current = _asked({c.name: row._mapping[f"asked_{c.name}"] for c in asked.columns})
        return ClassState(
            row.code, row.version, row.nicknames, row.created_at, row.ended_at, current
        )

    def live(self, code: str, asked_id: int | None) -> Live:
        """How many have joined, and every answer to the question on screen (the host's poll)."""
        with self._transaction(write=False) as db:
            joined = db.execute(
                sa.select(sa.func.count()).select_from(students).where(students.c.code == code)
            ).scalar_one()
            rows = []
            if asked_id is not None:
                rows = db.execute(sa.select(answers).where(answers.c.asked_id == asked_id)).all()
        return Live(joined, tuple(_judged(row) for row in rows))

    def nicknames(self, code: str, secret: str) -> list[str]:
        """The nicknames students gave, for the host of a class that asked for them."""
        with self._transaction(write=False) as db:
            row = db.execute(sa.select(classes).where(classes.c.code == code)).first()
            if row is None or not keys.matches(secret, row.host_hash):
                raise Refused("This host link is not valid.")
            names = db.execute(
                sa.select(students.c.nickname)
                .where(students.c.code == code, students.c.nickname.is_not(None))
                .order_by(students.c.joined_at)
            ).scalars()
            return list(names)

    def history(self, code: str, secret: str) -> list[tuple[Asked, tuple[Judged, ...]]]:
        """Every question the class was asked, in order, with its answers (for the report)."""
        with self._transaction(write=False) as db:
            row = db.execute(sa.select(classes).where(classes.c.code == code)).first()
            if row is None or not keys.matches(secret, row.host_hash):
                raise Refused("This host link is not valid, or its class has been deleted.")
            questions = db.execute(
                sa.select(asked).where(asked.c.code == code).order_by(asked.c.position)
            ).all()
            rows = db.execute(
                sa.select(answers)
                .join(asked, asked.c.id == answers.c.asked_id)
                .where(asked.c.code == code)
            ).all()
        by_question: dict[int, list[Judged]] = {}
        for answer in rows:
            by_question.setdefault(answer.asked_id, []).append(_judged(answer))
        return [(_asked(q._mapping), tuple(by_question.get(q.id, ()))) for q in questions]

    # -------------------------------------------------------------------------- retention

    def purge(self) -> int:
        """Delete classes older than the retention period, with everything in them."""
        now = self.now()
        old = now - self.settings.retention_days * 86400
        with self._transaction(write=True) as db:
            codes = sa.select(classes.c.code).where(classes.c.created_at < old)
            old_asked = sa.select(asked.c.id).where(asked.c.code.in_(codes))
            db.execute(answers.delete().where(answers.c.asked_id.in_(old_asked)))
            db.execute(asked.delete().where(asked.c.code.in_(codes)))
            db.execute(students.delete().where(students.c.code.in_(codes)))
            gone = db.execute(classes.delete().where(classes.c.created_at < old)).rowcount
            db.execute(
                join_failures.delete().where(
                    join_failures.c.at < now - self.settings.failure_window_s
                )
            )
        return gone
