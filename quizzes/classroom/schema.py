"""The live class's tables, created and versioned by the app, on SQLite or PostgreSQL.

`live_schema` holds one row per version applied. `migrate(engine)` applies every version the
database lacks, in order, in one transaction that other servers wait for (SQLite's write lock,
PostgreSQL's advisory lock), so two servers starting on a fresh database create it once. A
database written by a newer app is refused (SchemaError) rather than misread.
Times are Unix seconds (floats) on every engine; a question asked stores its variant as
(question id, seed, given numbers as JSON), so any server rebuilds it from the database alone.
Left out: queries (store.py).
"""

from __future__ import annotations

import time

import sqlalchemy as sa

VERSION = 1
LOCK_ID = 7_220_115  # the PostgreSQL advisory lock held while migrating (any constant of ours)
CODE_CHARS = 8
TEXT_CHARS = 400  # a stored answer's raw text (the checker reads at most 200 characters)

metadata = sa.MetaData()

versions = sa.Table(
    "live_schema",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.Float, nullable=False),
)

classes = sa.Table(
    "live_classes",
    metadata,
    sa.Column("code", sa.String(CODE_CHARS), primary_key=True),
    sa.Column("host_hash", sa.String(64), nullable=False),  # sha256 of the host's secret
    sa.Column("nicknames", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False, index=True),
    sa.Column("ended_at", sa.Float),
    sa.Column("current", sa.Integer),  # the asked question on screen, or none
    sa.Column("version", sa.Integer, nullable=False),  # +1 on every host action
)

asked = sa.Table(
    "live_asked",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(CODE_CHARS), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),  # 1 for the class's first question
    sa.Column("question_id", sa.String(100), nullable=False),
    sa.Column("seed", sa.Integer, nullable=False),
    sa.Column("given", sa.Text, nullable=False),  # JSON [[name, exact decimal], ...]
    sa.Column("opened_at", sa.Float, nullable=False),
    sa.Column("closes_at", sa.Float),  # the countdown's end, if any
    sa.Column("closed_at", sa.Float),
    sa.Column("revealed_at", sa.Float),
)

students = sa.Table(
    "live_students",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(CODE_CHARS), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("nickname", sa.String(64)),
    sa.Column("joined_at", sa.Float, nullable=False),
)

answers = sa.Table(
    "live_answers",
    metadata,
    sa.Column("asked_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("student_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("text", sa.String(TEXT_CHARS), nullable=False),  # as typed
    sa.Column("reading", sa.Text),  # the checker's LaTeX; none when unreadable
    sa.Column("meaning", sa.Text),  # checking.meaning's key; none when unreadable
    sa.Column("correct", sa.Boolean, nullable=False),
    sa.Column("message", sa.Text, nullable=False),  # the checker's sentence
    sa.Column("slip", sa.Text),  # bank.Variant.slip's name, if a known slip
    sa.Column("revision", sa.Integer, nullable=False),  # 1, then +1 per change
    sa.Column("answered_at", sa.Float, nullable=False),
)

join_failures = sa.Table(
    "live_join_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(64), nullable=False),  # a hash of the address, never the address
    sa.Column("at", sa.Float, nullable=False),
    sa.Index("live_join_failures_source_at", "source", "at"),
)

VERSION_1 = (classes, asked, students, answers, join_failures)
MIGRATIONS = {1: VERSION_1}  # version -> the tables it creates; later versions may also alter


class SchemaError(RuntimeError):
    """The database was written by a newer version of the app."""


def applied(connection: sa.Connection) -> int:
    """The newest version applied to the database (0 for a new one)."""
    return connection.execute(sa.select(sa.func.max(versions.c.version))).scalar() or 0


def migrate(engine: sa.Engine) -> int:
    """Bring the database up to VERSION; returns the version it was at before."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})
        versions.create(connection, checkfirst=True)
        before = applied(connection)
        if before > VERSION:
            raise SchemaError(
                f"The class database is at version {before}, newer than this app's {VERSION}."
            )
        for version in range(before + 1, VERSION + 1):
            for table in MIGRATIONS[version]:
                table.create(connection, checkfirst=True)
            connection.execute(versions.insert().values(version=version, applied_at=time.time()))
        return before
