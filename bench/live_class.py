"""The live-class store's latencies: an answer's upsert, a student's poll query, the host's read.

`python -m bench.live_class [--url URL] [--students 150]` fills one class with `students`
students, times each one's first answer (an insert), then each one's change (an update of the
same row), then the poll's one-row query and the host's read plus tally, and prints medians and
p95s in milliseconds. Without --url it uses a new SQLite file (WAL) in a temporary folder; give a
PostgreSQL URL (postgresql+psycopg://...) to time that. Every answer is judged beforehand, so
the figures are the database's and the store's alone, not the checker's.
Left out: Streamlit's own cost per poll, which needs a real server (see the README's figures).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import sqlalchemy as sa

from quizzes import bank, checking, classroom

QUESTION = "vg-depth-threshold"


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def _timed(action, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def run(url: str, students: int) -> dict[str, list[float]]:
    """Time the store's calls on one class of `students` students."""
    engine = sa.create_engine(url)
    store = classroom.Store(engine, classroom.Settings(max_students=max(300, students)))
    hosted = store.start()
    tokens = [store.join(hosted.code, None) for _ in range(students)]
    asked = store.ask(hosted.code, hosted.secret, QUESTION)
    variant = asked.variant()
    wrong, right = (classroom.judge(variant, t) for t in ("43", "44"))
    figures: dict[str, list[float]] = {"insert": [], "update": []}
    for name, judged in (("insert", wrong), ("update", right)):
        for token in tokens:
            start = time.perf_counter()
            store.answer(hosted.code, token, asked.id, judged)
            figures[name].append(time.perf_counter() - start)
    figures["poll"] = _timed(lambda: store.state(hosted.code), 200)

    def host_read() -> None:
        live = store.live(hosted.code, asked.id)
        classroom.count(live.answers, variant.question.kind, variant.question.rel_tol, live.joined)

    figures["host"] = _timed(host_read, 50)
    engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a SQLAlchemy URL; default: a new SQLite file")
    parser.add_argument("--students", type=int, default=150)
    args = parser.parse_args()
    checking.warm_up()
    bank.bank()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{folder}/classes.sqlite"
        figures = run(url, args.students)
    print(f"live class store on {sa.make_url(url).get_backend_name()}, {args.students} students:")
    print(f"  answer, first (insert): {_ms(figures['insert'])}")
    print(f"  answer, changed (update of the same row): {_ms(figures['update'])}")
    print(f"  student poll query (one row, uncached): {_ms(figures['poll'])}")
    print(f"  host read and tally of {args.students} answers (uncached): {_ms(figures['host'])}")


if __name__ == "__main__":
    main()
