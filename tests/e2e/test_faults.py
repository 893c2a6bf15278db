"""Faults met in a real browser: a live run left behind, hostile input and links, lost workers.

Each case ends with the app still serving: a message, no exception box, nothing lost.
"""

import os
import re
import signal
import time
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from quizzes.checking.hostile import HOSTILE

pytestmark = pytest.mark.e2e

EXCEPTION = "[data-testid='stException']"
QID = "vg-depth-threshold"  # 44 on seed 0
WAITING = "Another student's live run is going"  # ui.show.live, while the lock is taken
SWEEP = "/skip_connections?steps=600&seeds=3"  # the largest live sweep allowed: twice the default


def no_exception(page):
    assert page.locator(EXCEPTION).count() == 0


def start_sweep(page, app_url, settle) -> tuple[float, float]:
    """Start the largest live sweep on the skip page; (when it started, its estimate in s)."""
    page.goto(app_url + SWEEP)
    settle(page, timeout=120_000)
    page.locator(".st-key-deg_reveal button").click()
    settle(page)
    page.locator(".st-key-deg_run button").click()
    label = page.get_by_text(re.compile(r"Training \(about \d+ s"))
    label.wait_for(timeout=30_000)
    started = time.monotonic()
    page.locator("[data-testid='stProgress']").first.wait_for(timeout=30_000)
    return started, float(re.search(r"about (\d+) s", label.inner_text()).group(1))


def open_benchmark(page, app_url, settle, query: str) -> None:
    """Open the separable page on a shape no test has timed yet, ready to press its benchmark."""
    page.goto(f"{app_url}/separable_convolutions?{query}")
    settle(page, timeout=120_000)


def test_leaving_a_running_sweep_frees_the_live_lock_for_the_next_student(browser, app_url, settle):
    leaver, other = browser.new_context(), browser.new_context()
    try:
        waiting = other.new_page()
        open_benchmark(waiting, app_url, settle, "batch=1&bench_M=8&bench_N=8&D_F=14&bench_D_K=3")
        left = leaver.new_page()
        started, estimate = start_sweep(left, app_url, settle)
        left.locator("[data-testid='stSidebarNav'] a").first.click()  # home, mid-run
        settle(left)
        no_exception(left)
        waiting.locator(".st-key-sep_b_run button").click()
        waited = False
        deadline = time.monotonic() + 120
        while not waiting.get_by_text("Live result").count() and time.monotonic() < deadline:
            waited = waited or waiting.get_by_text(WAITING).count() > 0
            waiting.wait_for_timeout(100)
        assert waiting.get_by_text("Live result").count()
        assert not waited  # the sweep had stopped: its lock was free when the benchmark asked
        assert time.monotonic() - started < estimate
        no_exception(waiting)
    finally:
        leaver.close()
        other.close()


def test_a_progress_file_over_the_upload_limit_is_refused_and_progress_kept(
    page, app_url, settle, tmp_path
):
    page.goto(f"{app_url}/practice?question={QID}&seed=0")
    settle(page)
    box = page.get_by_label("Your answer")
    box.fill("44")
    box.press("Enter")
    settle(page)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (2 << 20))  # .streamlit/config.toml allows 1 MB
    page.locator("input[type='file']").set_input_files(str(big))
    settle(page)
    assert page.locator("[data-testid='stSidebar']").get_by_text(": 1 of").count() == 1
    uploader = page.locator("[data-testid='stFileUploader']").inner_text()
    assert "File must be 1.0MB or smaller." in uploader  # said by Streamlit; nothing was sent
    no_exception(page)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\xff\xfe" * 1000, "not valid JSON"),
        (b"[" * 50_000 + b"]" * 50_000, "not valid JSON"),
        (b'{"app": "modern-cnns-tutor", "version": 7, "questions": {}}', "version 7"),
    ],
    ids=["corrupt", "deeply nested", "another version"],
)
def test_a_bad_progress_file_gets_a_message_in_the_browser(
    page, app_url, settle, tmp_path, data, message
):
    page.goto(f"{app_url}/practice")
    settle(page)
    bad = tmp_path / "bad.json"
    bad.write_bytes(data)
    page.locator("input[type='file']").set_input_files(str(bad))
    settle(page)
    alert = page.locator("[data-testid='stAlertContentError']").inner_text()
    assert message in alert and "not changed" in alert
    no_exception(page)


HOSTILE_URLS = [
    "/practice?question=%3Cscript%3E&seed=-1&lecture=%00",
    "/practice?question=vg-depth-threshold&seed=99999999999999999999",
    "/practice?seed=%ZZ&question",
    "/skip_connections?delta=1e309&L=-5&depths=2,4,x&steps=0&seeds=99&bn=maybe",
    "/skip_connections?L=1&L=2&L=" + "9" * 1000,
    "/separable_convolutions?D_K=%E2%80%AE&M=%EF%BC%91&N=-0&mix=__class__&t=1e-999",
    "/no_such_page?question=x",
]


@pytest.mark.parametrize("path", HOSTILE_URLS)
def test_a_hostile_or_absurd_url_opens_the_app_without_an_exception(page, app_url, settle, path):
    page.goto(app_url + path)
    settle(page, timeout=120_000)
    no_exception(page)
    assert page.locator("h1").count()


class Runs:
    """Counts the app's finished script runs, read from its websocket messages."""

    def __init__(self, page):
        self.finished = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if isinstance(payload, str) or len(payload) > 256:  # page content; not a status message
            return
        message = ForwardMsg()
        message.ParseFromString(payload)
        if message.WhichOneof("type") == "script_finished":
            self.finished += message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN

    def after(self, page, action, timeout=30) -> float:
        """Do the action and wait for the run it starts to finish; the seconds it took."""
        before, start = self.finished, time.monotonic()
        action()
        while self.finished <= before and time.monotonic() - start < timeout:
            page.wait_for_timeout(10)
        return time.monotonic() - start


def test_every_hostile_input_typed_in_a_real_box_is_answered_politely_within_2_s(
    page, app_url, settle
):
    runs = Runs(page)
    page.goto(f"{app_url}/practice?question={QID}&seed=0")
    settle(page)
    box = page.get_by_label("Your answer")
    alert = page.locator(".st-key-quiz-practice-vg-depth-threshold [data-testid='stAlert']")
    slow = []
    for param in HOSTILE:
        box.fill(param.values[0])
        seconds = runs.after(page, lambda: box.press("Enter"))
        said = alert.inner_text()
        assert said and "Correct" not in said, (param.id, said)
        no_exception(page)
        if seconds > 2:
            slow.append((param.id, round(seconds, 2)))
    assert not slow


def server_checker_pids() -> list[int]:
    """The answer checker's zygote and workers under the app server this session started."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(parent, []).append(int(entry.name))

    def command(pid):
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            return ""

    servers = [p for p in children.get(os.getpid(), []) if "streamlit" in command(p)]
    found, frontier = [], list(servers)
    while frontier:
        pid = frontier.pop()
        for child in children.get(pid, []):
            frontier.append(child)
            if "quizzes/checking/pool.py" in command(child):
                found.append(child)
    return found


def test_killed_checker_workers_are_started_again_by_the_next_check(page, app_url, settle):
    page.goto(f"{app_url}/practice?question={QID}&seed=0")
    settle(page)
    box = page.get_by_label("Your answer")
    box.fill("sqrt(44^2)")  # irrational on the way: judged in a worker process
    box.press("Enter")
    settle(page)
    pids = server_checker_pids()
    assert pids, "no checker processes found under the app server"
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    alert = page.locator(".st-key-quiz-practice-vg-depth-threshold [data-testid='stAlert']")
    deadline, said = time.monotonic() + 30, []
    while time.monotonic() < deadline:
        box.fill(f"sqrt({44 * 44})")
        box.press("Enter")
        settle(page)
        said.append(alert.inner_text())
        if "Correct" in said[-1]:
            break
    assert "Correct" in said[-1], said
    assert all("busy" in s or "went wrong" in s for s in said[:-1]), said
    assert set(server_checker_pids()).isdisjoint(pids)
    no_exception(page)
