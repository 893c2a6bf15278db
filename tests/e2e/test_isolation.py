"""Two students at once, each in their own browser context: nothing of one shows in the other.

Answers, progress and live results stay in the session that made them; a live run asked for
while another student's run holds the lock waits with a message, then runs.
"""

import pytest

from tests.e2e.conftest import IDLE
from tests.e2e.test_faults import WAITING, open_benchmark, start_sweep

pytestmark = pytest.mark.e2e

EXCEPTION = "[data-testid='stException']"
QID = "vg-depth-threshold"  # 44 on seed 0
BOX = ".st-key-quiz-practice-vg-depth-threshold"


@pytest.fixture
def two(browser):
    """Two students: pages in separate browser contexts (separate cookies, storage, sessions)."""
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(2)]
    yield [c.new_page() for c in contexts]
    for c in contexts:
        c.close()


def rerun(page) -> None:
    """Rerun the app in this tab, as Streamlit's R shortcut does, and wait for it."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("r")
    page.wait_for_timeout(300)
    page.locator(IDLE).wait_for(timeout=60_000)


def sidebar_progress(page) -> str:
    return page.locator("[data-testid='stSidebar'] [data-testid='stProgress']").first.inner_text()


def test_one_students_answer_and_progress_never_show_for_another(two, app_url, settle):
    alice, bob = two
    for student in two:
        student.goto(f"{app_url}/practice?question={QID}&seed=0")
        settle(student)
    box = alice.get_by_label("Your answer")
    box.fill("44")
    box.press("Enter")
    settle(alice)
    assert "Correct" in alice.locator(f"{BOX} [data-testid='stAlert']").inner_text()
    bob.get_by_label("Your answer").fill("45")
    bob.get_by_label("Your answer").press("Enter")
    settle(bob)
    assert "Correct" not in bob.locator(f"{BOX} [data-testid='stAlert']").inner_text()
    rerun(alice)
    assert "Correct" in alice.locator(f"{BOX} [data-testid='stAlert']").inner_text()
    assert ": 1 of" in sidebar_progress(alice)
    assert ": 0 of" in sidebar_progress(bob)
    assert bob.get_by_label("Your answer").input_value() in ("", "45")
    for student in two:
        assert student.locator(EXCEPTION).count() == 0


def test_a_live_result_shows_only_for_the_student_who_asked(two, app_url, settle):
    alice, bob = two
    shape = "batch=1&bench_M=16&bench_N=8&D_F=7&bench_D_K=3"
    for student in two:
        student.goto(f"{app_url}/separable_convolutions?{shape}")
        settle(student, timeout=120_000)
    alice.locator(".st-key-sep_b_run button").click()
    alice.get_by_text("Live result").wait_for(timeout=90_000)
    settle(alice)
    rerun(bob)
    assert bob.get_by_text("Live result").count() == 0
    assert bob.get_by_text("Press the button to time this shape").count() == 1


def test_a_second_live_run_waits_with_a_message_and_runs_once_the_first_ends(two, app_url, settle):
    alice, bob = two
    open_benchmark(bob, app_url, settle, "batch=1&bench_M=8&bench_N=16&D_F=7&bench_D_K=3")
    start_sweep(alice, app_url, settle)
    bob.locator(".st-key-sep_b_run button").click()
    bob.get_by_text(WAITING).wait_for(timeout=30_000)
    assert bob.get_by_text("Live result").count() == 0
    alice.context.close()  # Alice leaves: her run stops, and Bob's starts
    bob.get_by_text("Live result").wait_for(timeout=120_000)
    assert bob.get_by_text(WAITING).count() == 0
    assert bob.locator(EXCEPTION).count() == 0
