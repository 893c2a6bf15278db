"""The protocol driver sends the server what Chromium sends for the same clicks and keys."""

import asyncio
import random
import re
import tempfile

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg

from bench import load
from bench.protocol import Student, Tally
from tests.e2e.conftest import BROWSER_ARGS, chromium_path

pytestmark = pytest.mark.e2e
LINK = "/practice?question=sep-saving-check&seed=5"  # a typed question with hints
KEY = "practice:sep-saving-check:5"
STEPS = ("arrive", "check", "hint", "preview", "open home", "open practice")


def summary(payload: bytes) -> dict:
    """What a rerun asks for: page, query, fragment, and every widget state (seeds left out)."""
    msg = BackMsg.FromString(payload)
    rerun = msg.rerun_script
    states = []
    for w in rerun.widget_states.widgets:
        which = w.WhichOneof("value")
        value = str(getattr(w, which)).strip() if which else ""
        key = re.sub(r"^quiz:(.+?):\d+:", r"quiz:\1:N:", w.id.split("-", 2)[-1])
        states.append(f"{key}={which}:{value}")
    return {
        "type": msg.WhichOneof("type"),
        "query": rerun.query_string,
        "page": (rerun.page_script_hash, rerun.page_name),
        "fragment": rerun.fragment_id,
        "auto": rerun.is_auto_rerun,
        "states": sorted(states),
    }


async def _browser(url: str) -> list[list[dict]]:
    from playwright.async_api import async_playwright

    sent: list[list[dict]] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=BROWSER_ARGS)
        page = await browser.new_page()
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framesent", lambda f: isinstance(f, bytes) and sent[-1].append(summary(f))
            ),
        )

        async def step(action) -> None:
            sent.append([])
            await action()
            await page.wait_for_timeout(300)
            await page.wait_for_selector(load.IDLE)
            await page.wait_for_timeout(300)

        box = page.locator(f".st-key-{KEY.replace(':', '-')}-answer input")
        nav = "[data-testid='stSidebarNav'] a[href$='{}']"

        async def arrive():
            await page.goto(url + LINK)
            await box.wait_for()

        async def check():
            await box.fill("3")
            await box.press("Enter")

        async def preview():
            await box.fill("4")
            await page.locator(f".st-key-{KEY.replace(':', '-')}-preview button").click()

        await step(arrive)
        await step(check)
        await step(page.locator(f".st-key-{KEY.replace(':', '-')}-hint button").click)
        await step(preview)
        await step(page.locator(nav.format("/")).click)  # only the home page's link ends so
        await step(page.locator(nav.format("/practice")).click)
        await browser.close()
    return sent


async def _protocol(url: str) -> list[list[dict]]:
    sent: list[list[dict]] = []
    student = Student(url, load.discover_pages(), random.Random(0), Tally())
    send = student.tab.__class__._send

    async def spy(tab, msg: BackMsg) -> None:
        sent[-1].append(summary(msg.SerializeToString()))
        await send(tab, msg)

    student.tab.__class__._send = spy

    def type_and(text: str, button: str):
        def act() -> None:
            student.tab.set_value(f"{KEY}:answer", text)  # inside the form: sent on submit
            student.tab.press(f"{KEY}:{button}")

        return act

    try:
        sent.append([])
        await student.arrive(LINK)
        for act in (type_and("3", "check"), lambda: student.tab.press(f"{KEY}:hint"),
                    type_and("4", "preview")):  # fmt: skip
            sent.append([])
            await student.timed("step", act)
        for stem in ("home", "practice"):
            sent.append([])
            await student.open(stem)
    finally:
        student.tab.__class__._send = send
        await student.tab.close()
    return sent


@pytest.mark.timeout(120)
def test_each_step_sends_the_same_rerun_request_as_chromium():
    if chromium_path() is None:
        pytest.skip("needs Chromium (make test installs it)")
    port = load.free_port()
    with tempfile.TemporaryFile("w+") as log:
        server = load.start_server(port, (), set(load.cores()[1]), log)
        try:
            url = f"http://127.0.0.1:{port}"
            browser = asyncio.run(_browser(url))
            driver = asyncio.run(_protocol(url))
        finally:
            server.terminate()
            server.wait(timeout=20)
    assert len(browser) == len(driver) == len(STEPS)
    for step, theirs, ours in zip(STEPS, browser, driver, strict=True):
        assert theirs, f"Chromium sent nothing for {step}"
        assert ours == theirs, step
