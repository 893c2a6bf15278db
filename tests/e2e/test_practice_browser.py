"""The practice page in a real browser: answers typed and submitted with Enter, progress upload."""

import json

import pytest

from quizzes import bank, progress

pytestmark = pytest.mark.e2e


def open_question(page, app_url, settle, qid, seed=0):
    page.goto(f"{app_url}/practice?question={qid}&seed={seed}")
    settle(page)
    return page.get_by_label("Your answer")


def no_exception(page):
    assert page.locator("[data-testid='stException']").count() == 0


def test_a_right_answer_typed_in_the_browser_is_marked_correct(page, app_url, settle):
    v = bank.variant("vg-depth-threshold", 0)
    box = open_question(page, app_url, settle, "vg-depth-threshold")
    box.fill(str(v.expected))
    box.press("Enter")
    settle(page)
    alert = page.locator("[data-testid='stAlertContentSuccess']")
    assert "Correct" in alert.inner_text()
    no_exception(page)


def test_a_wrong_answer_typed_in_the_browser_is_marked_wrong(page, app_url, settle):
    box = open_question(page, app_url, settle, "sep-ratio-value")
    box.fill("1/64 + 1/3")
    page.get_by_role("button", name="Check").click()
    settle(page)
    alert = page.locator("[data-testid='stAlertContentError']")
    assert "You used" in alert.inner_text() and "depthwise term" in alert.inner_text()
    no_exception(page)


def test_a_hostile_progress_file_is_refused_and_a_good_one_loads(page, app_url, settle, tmp_path):
    page.goto(f"{app_url}/practice")
    settle(page)
    qid = next(iter(bank.bank()))
    bad = tmp_path / "bad.json"
    hostile = {"app": progress.APP, "version": 1, "questions": {qid: "__import__('os')"}}
    bad.write_text(json.dumps(hostile))
    page.locator("input[type='file']").set_input_files(str(bad))
    settle(page)
    assert "not changed" in page.locator("[data-testid='stAlertContentError']").inner_text()
    good = tmp_path / "good.json"
    good.write_bytes(progress.export_json({qid: progress.Record(1, True, 0, True)}))
    page.locator("input[type='file']").set_input_files(str(good))
    settle(page)
    assert "Loaded progress for 1 question." in page.get_by_text("Loaded progress").inner_text()
    no_exception(page)
