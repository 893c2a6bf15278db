"""A room answering at once, from threads and processes: nothing lost, nothing counted twice."""

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

import sqlalchemy as sa

from quizzes import classroom
from quizzes.classroom import schema
from quizzes.classroom.store import Judged, Store, Unavailable

CHANGES = ("30", "28", "29")  # each student changes their mind twice; the last counts
THREADS = 40
PROCESSES, PER_PROCESS = 4, 15


def send_all(store: Store, code: str, token: str, asked_id: int, start) -> int:
    """Send every change of one student, retrying what the database could not take; retries."""
    start.wait()
    retries = 0
    for text in CHANGES:
        while True:
            try:
                store.answer(code, token, asked_id, Judged(text, text, text, False, "x", None))
                break
            except Unavailable:
                retries += 1
    return retries


def a_process_of_students(url: str, code: str, tokens: list, asked_id: int, start) -> int:
    """One server process: its own engine, its students answering on threads at once."""
    store = Store(sa.create_engine(url))
    results = []
    threads = [
        threading.Thread(
            target=lambda t=t: results.append(send_all(store, code, t, asked_id, start))
        )
        for t in tokens
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(results)


def stored(engine, asked_id: int) -> list:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(schema.answers).where(schema.answers.c.asked_id == asked_id)
        ).all()


def a_class(engine, students: int):
    store = Store(engine, classroom.Settings(max_students=1000))
    hosted = store.start()
    tokens = [store.join(hosted.code, None) for _ in range(students)]
    asked = store.ask(hosted.code, hosted.secret, "vg-depth-threshold")
    return store, hosted, tokens, asked


def test_forty_threads_answering_at_once_store_one_answer_each_with_every_change(engine):
    store, hosted, tokens, asked = a_class(engine, THREADS)
    start = threading.Barrier(THREADS)
    threads = [
        threading.Thread(target=send_all, args=(store, hosted.code, t, asked.id, start))
        for t in tokens
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = stored(engine, asked.id)
    assert len(rows) == THREADS
    assert {row.text for row in rows} == {CHANGES[-1]}
    assert {row.revision for row in rows} == {len(CHANGES)}


def test_four_server_processes_answering_at_once_lose_nothing(engine, engine_url):
    _, hosted, tokens, asked = a_class(engine, PROCESSES * PER_PROCESS)
    context = multiprocessing.get_context("fork")
    start = context.Manager().Barrier(PROCESSES * PER_PROCESS)
    groups = [tokens[i::PROCESSES] for i in range(PROCESSES)]
    with ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
        futures = [
            pool.submit(a_process_of_students, engine_url, hosted.code, g, asked.id, start)
            for g in groups
        ]
        [future.result(timeout=120) for future in futures]
    rows = stored(engine, asked.id)
    assert len(rows) == PROCESSES * PER_PROCESS
    assert {row.text for row in rows} == {CHANGES[-1]}
    assert {row.revision for row in rows} == {len(CHANGES)}
