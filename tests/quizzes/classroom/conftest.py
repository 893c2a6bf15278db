"""Store tests run on two engines: a SQLite file and a real PostgreSQL started for the session."""

import itertools

import pytest
import sqlalchemy as sa

from quizzes import checking
from tests import postgres

_names = itertools.count()


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server for the session; skipped (failed on CI) where there is none."""
    try:
        with postgres.server() as url:
            yield url
    except postgres.Missing as missing:
        if postgres.required():
            pytest.fail(f"CI needs PostgreSQL for the store tests: {missing}")
        pytest.skip(f"PostgreSQL tests skipped: {missing}")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_url(request, tmp_path):
    """The URL of an empty database on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/classes.sqlite"
        return
    server = request.getfixturevalue("postgres_url")
    with postgres.database(server, f"t{next(_names)}") as url:
        yield url


@pytest.fixture
def engine(engine_url):
    engine = sa.create_engine(engine_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def warm_workers():
    checking.warm_up()
