"""`make load`: a classroom of headless-Chromium students against a real app server.

Starts the app on loopback, warms it up (every page once, the separable page's live benchmark
once, so later presses read its cache), then lets `sessions` students act at once for `seconds`:
open pages from the sidebar, answer practice questions right, wrong and hostile, preview an
answer, ask for a hint, move number inputs and sliders, press the cached live benchmark. It
reports actions, errors, exception boxes, p50/p95 latency (from the click or key press to the app
settled: the script-finished message received and the running indicator gone), the server's CPU
seconds per action and its peak memory, children (the answer checker's zygote and workers)
included.

Keeping the browsers' CPU out of the server's figure on a 2-core machine: CPU is read from /proc
per process of the server's tree only, so the browsers' own CPU is never counted; the server and
its children are pinned to one core at normal priority, and this driver, Playwright and Chromium
run at nice 10 on every core, so on the server's core they take only what it leaves (measured: a
student's browser needs several times the server's CPU per action, so the browsers, not the
server, limit how fast 10 students can go here); the browser runs with animations and transitions
off and the students share one browser context as tabs (the cheapest layout, measured). Other
users of the machine are not under our control: the load average is printed with the figures.

`--driver protocol` hands the arguments to bench/protocol.py: students without a browser, on
Streamlit's websocket protocol, playing the same mix (its `selfstudy`; `selfstudy` is also this
driver's name for `mixed`); `--class` is `--driver protocol --scenario class`, the live class
(one host, `--students` students, three questions). Chromium stays the default: it is the
end-to-end truth the protocol driver is checked against, and bench/suites.py's figures come from
it.

Scenarios (`--scenario`): `mixed` (the classroom, the default), `soak` (the mixed actions for
`--actions` actions in `sessions` sessions, memory sampled along the way), `home` and `topic`
(one student rerunning one page `--actions` times: the CPU one rerun costs).
Deliberately left out: think times longer than a second, and checks of what the pages say beyond
the quiz verdicts (the page tests do that).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from quizzes import bank

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"  # load.json (the classroom), load-<scenario>.json: committed
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"  # no script running
# (Streamlit 1.67's minimal toolbar draws no stStatusWidget, so waiting for it to go returned at
# once, mid-run; the app root's script-state attribute is what tests/e2e waits on too)
EXCEPTION = "[data-testid='stException']"
BUSY = "checker is busy"  # quizzes.checking.BUSY, a polite refusal under load
NO_MOTION = "*, *::before, *::after { animation: none !important; transition: none !important; }"
CLK_TCK = os.sysconf("SC_CLK_TCK")
BROWSER_NICE = 10  # the driver and Chromium yield to the server (nice 0) on its core
SAMPLE_S = 0.5  # how often the server's process tree is read
ACTION_TIMEOUT_S = 60.0  # an action that has not settled by then is an error
WARM_UP_TIMEOUT_S = 600.0  # a page's first run on a cold, shared machine can take minutes

# (action, weight): what a self-studying student does next; bench/protocol.py plays the same mix
ACTIONS = (
    ("open", 3),
    ("right", 2),
    ("wrong", 2),
    ("hostile", 2),
    ("preview", 2),  # type an answer and press Preview
    ("hint", 1),
    ("widget", 3),
    ("live", 1),
    ("arrive", 1),  # open the instructor's link again: a new session, the old one left behind
)
# (page, widget key, kind, values): inputs a student changes; number inputs get one of `values`
WIDGETS = (
    ("skip_connections", "vg_delta", "number", (0.5, 0.7, 0.8, 0.9, 0.95)),
    ("skip_connections", "vg_depth", "number", (5, 10, 20, 30, 50)),
    ("separable_convolutions", "sep_in", "number", (16, 32, 64, 128)),
    ("separable_convolutions", "sep_out", "number", (32, 64, 128, 256)),
    ("separable_convolutions", "sep_kernel", "slider", ()),
    ("separable_convolutions", "sep_ir_t", "slider", ()),
)
LIVE = ("separable_convolutions", "sep_b_run")  # the live benchmark, cached after the warm-up


@dataclass(frozen=True)
class LoadConfig:
    """One load run."""

    scenario: str = "mixed"  # mixed, soak, home or topic (see the module docstring)
    sessions: int = 10  # concurrent students, each its own app session
    seconds: float = 60.0  # how long the mixed scenario runs after the warm-up
    actions: int = 300  # how many actions the soak, home and topic scenarios run
    # how the sessions share Chromium: "tabs" of one context (each tab is its own app session;
    # the tabs share the HTTP and code caches), "contexts" of one browser, or one browser each.
    # Measured here for 4 students opening the practice page: browser CPU 21 s as tabs, 28 s as
    # contexts, 34 s as browsers.
    layout: str = "tabs"
    think_s: tuple[float, float] = (0.3, 1.0)  # a student's pause between actions, uniform
    seed: int = 0
    server_options: tuple[str, ...] = ()  # extra `--section.option value` pairs for streamlit
    port: int = 0  # the server's port; 0: any free one


# ---------------------------------------------------------------- the server and its processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cores() -> tuple[set[int], set[int]]:
    """(server cores, browser cores): the server gets the first core, the browsers every core.

    The browsers run at BROWSER_NICE, so on the server's core they take only what it leaves.
    """
    available = sorted(os.sched_getaffinity(0))
    return {available[0]}, set(available)


def start_server(
    port: int, options: tuple[str, ...], server_cores: set[int], log
) -> subprocess.Popen:
    """The app on loopback, pinned to `server_cores`, its output to the file `log`."""
    with socket.socket() as probe:  # else another server would answer the health check below
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is in use: another server would be measured")
    cmd = [
        sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.address", "127.0.0.1",
        "--server.port", str(port), *options,
    ]  # fmt: skip
    server = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
        preexec_fn=lambda: os.sched_setaffinity(0, server_cores),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("the app server did not answer its health check within 60 s")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK


def tree(root: int) -> dict[int, float]:
    """CPU seconds of a process and all its descendants, per pid."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (found := _stat(int(entry))):
            stats[int(entry)] = found
    members, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _) in stats.items() if ppid == parent]
        members.update(children)
        frontier.extend(children)
    return {pid: stats[pid][1] for pid in members if pid in stats}


def memory(pids) -> tuple[int, int]:
    """(PSS, RSS) in bytes summed over processes; PSS counts a page shared by n processes 1/n."""
    pss = rss = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
    return pss, rss


class Probe:
    """Samples a process tree's CPU and memory in a thread, between start() and stop().

    A process that ends between samples (a checker worker killed after a slow input) loses at
    most SAMPLE_S of CPU from the figure.
    """

    def __init__(self, root: int) -> None:
        self.root = root
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self.peak_pss = self.peak_rss = 0
        self.timeline: list[tuple[float, int]] = []  # (seconds since start, PSS)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Probe:
        self._start = time.monotonic()
        self._first = tree(self.root)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            self.sample()

    def sample(self) -> None:
        now = tree(self.root)
        for pid, cpu in now.items():
            self._first.setdefault(pid, 0.0)  # a new process: all its CPU is in the window
            self._last[pid] = cpu
        pss, rss = memory(now)
        self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)
        self.timeline.append((time.monotonic() - self._start, pss))

    def stop(self) -> float:
        """Stop sampling; the CPU seconds the tree used since start()."""
        self._stop.set()
        self._thread.join()
        self.sample()
        return sum(self._last[pid] - self._first[pid] for pid in self._last)


# ---------------------------------------------------------------- one student in one context


@dataclass
class Tally:
    """What the students did, shared by all of them."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    to_finish: list[float] = field(default_factory=list)  # to the script-finished message only
    errors: list[str] = field(default_factory=list)
    exception_boxes: int = 0
    busy: int = 0  # polite "checker is busy" refusals (not errors)

    def done(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)

    @property
    def actions(self) -> int:
        return sum(len(v) for v in self.latencies.values())


class Student:
    """One student's tab, with the app's own messages watched to tell when a rerun has settled."""

    def __init__(self, page, url: str, pages: dict[str, str], rng: random.Random, tally: Tally):
        self.page, self.url, self.pages, self.rng, self.tally = page, url, pages, rng, tally
        self.here = None  # the page shown now, by file stem
        self.finished = 0  # script runs finished (full runs and fragment runs)
        self.finished_at = 0.0  # when the last one was received
        self.running = False
        self.timeout = ACTION_TIMEOUT_S  # seconds an action may take
        self._changed = asyncio.Event()
        page.on("websocket", lambda ws: ws.on("framereceived", self._on_frame))

    def _on_frame(self, payload) -> None:
        if isinstance(payload, str) or len(payload) > 256:  # deltas are larger; skip parsing them
            return
        message = ForwardMsg()
        message.ParseFromString(payload)
        kind = message.WhichOneof("type")
        if kind == "script_finished":
            early = message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN
            self.finished += 0 if early else 1
            self.finished_at = time.perf_counter()
        elif kind == "session_status_changed":
            self.running = message.session_status_changed.script_is_running
        self._changed.set()

    async def settle(self, before: int) -> None:
        """Wait until a run finished after `before` and the running indicator is gone."""
        deadline = asyncio.get_running_loop().time() + self.timeout
        while self.finished <= before or self.running:
            self._changed.clear()
            left = deadline - asyncio.get_running_loop().time()
            await asyncio.wait_for(self._changed.wait(), max(left, 0.001))
        await self.page.wait_for_selector(IDLE, timeout=self.timeout * 1e3)

    async def timed(self, kind: str, trigger) -> float:
        """Run the trigger (a coroutine function), settle, count exception boxes; seconds taken."""
        before, start = self.finished, time.perf_counter()
        await trigger()
        await self.settle(before)
        seconds = time.perf_counter() - start
        self.tally.done(kind, seconds)
        self.tally.to_finish.append(self.finished_at - start)
        boxes = await self.page.locator(EXCEPTION).all_inner_texts()
        if boxes:
            self.tally.exception_boxes += len(boxes)
            said = " | ".join(" ".join(b.split())[:300] for b in boxes)
            self.tally.errors.append(f"{kind} on {self.here}: exception box: {said}")
        return seconds

    async def arrive(self, path: str) -> None:
        """Open a link in a fresh tab session (a student following the instructor's link)."""
        self.here = path.strip("/").split("?")[0] or "home"
        await self.timed("arrive", lambda: self.page.goto(self.url + path, wait_until="commit"))

    async def open(self, stem: str | None = None) -> None:
        """Go to a page through the sidebar menu (a random other page if none is named)."""
        stem = stem or self.rng.choice([s for s in self.pages if s != self.here])
        link = self.page.locator(f"[data-testid='stSidebarNav'] a[href$='{self.pages[stem]}']")
        self.here = stem
        await self.timed("open", link.click)

    async def visit(self, stem: str) -> None:
        if self.here != stem:
            await self.open(stem)

    async def _question(self) -> tuple[bank.Variant, str, str]:
        """The practice page's current question: its variant, id and its widgets' key prefix."""
        classes = await self.page.evaluate(
            "Array.from(document.querySelectorAll('[class*=\"-answer\"]'))"
            ".flatMap(e => Array.from(e.classList))"
        )
        for name in classes:
            if found := re.fullmatch(r"st-key-practice-(.+)-(\d+)-answer", name):
                qid, seed = found.groups()
                return bank.variant(qid, int(seed)), qid, f"practice-{qid}-{seed}"
        raise RuntimeError("no question box on the practice page")

    async def answer(self, how: str, hostile: list[str]) -> None:
        """Answer the practice question right, wrong or with a hostile input, then check it."""
        await self.visit("practice")
        variant, qid, key = await self._question()
        box_key = f"quiz-practice-{qid}"
        text = ""
        if variant.question.kind == "choice":
            if how == "hostile":  # a radio cannot take typed text: move on instead
                await self.timed("next", self.page.locator(".st-key-practice_next button").click)
                return
            options = [o for o in variant.options if (o == variant.expected) == (how == "right")]
            radio = self.page.locator(f".st-key-{key}-answer")
            text = self.rng.choice(options)
            await radio.get_by_text(text, exact=True).click()
            await self.timed(how, self.page.locator(f".st-key-{key}-check button").click)
        else:
            if how == "right":
                text = str(variant.expected)
            elif how == "wrong":
                text = wrong_answer(variant, self.rng)
            else:
                text = self.rng.choice(hostile)
            box = self.page.locator(f".st-key-{key}-answer input")
            await box.fill(text)
            await self.timed(how, lambda: box.press("Enter"))
        await self._judge(how, variant, text, box_key)
        if how == "right" and self.rng.random() < 0.5:
            await self.timed("next", self.page.locator(".st-key-practice_next button").click)

    async def preview(self) -> None:
        """Type an answer and press Preview (a choice question has none: next question)."""
        await self.visit("practice")
        variant, _, key = await self._question()
        if variant.question.kind == "choice":
            await self.timed("next", self.page.locator(".st-key-practice_next button").click)
            return
        right = self.rng.random() < 0.5
        await self.page.locator(f".st-key-{key}-answer input").fill(
            str(variant.expected) if right else wrong_answer(variant, self.rng)
        )
        await self.timed("preview", self.page.locator(f".st-key-{key}-preview button").click)

    async def hint(self) -> None:
        """Ask for the next hint (none left: next question)."""
        await self.visit("practice")
        _, _, key = await self._question()
        button = self.page.locator(f".st-key-{key}-hint button")
        if not await button.count():
            await self.timed("next", self.page.locator(".st-key-practice_next button").click)
            return
        await self.timed("hint", button.click)

    async def _judge(self, how: str, variant: bank.Variant, text: str, box_key: str) -> None:
        """Count a verdict that does not fit: a right answer marked wrong, or a wrong one right."""
        box = self.page.locator(f".st-key-{box_key}")
        verdict = " ".join(await box.locator("[data-testid='stAlert']").all_inner_texts())
        correct = await box.locator("[data-testid='stAlertContentSuccess']").count() > 0
        if BUSY in verdict:
            self.tally.busy += 1
        elif not verdict or correct != (how == "right"):
            typed = f"{text[:40]!r}" + ("..." if len(text) > 40 else "")
            self.tally.errors.append(
                f"{how} answer {typed} to {variant.question.id} (seed {variant.seed}): {verdict!r}"
            )

    async def widget(self) -> None:
        """Change a number input or move a slider on a topic page."""
        choices = [w for w in WIDGETS if w[0] in self.pages]
        if not choices:
            return
        stem, key, kind, values = self.rng.choice(choices)
        await self.visit(stem)
        if not await self.page.locator(f".st-key-{key}").count():  # not drawn in this state
            return
        if kind == "number":  # a value other than the current one, or nothing would rerun
            box = self.page.locator(f".st-key-{key} input")
            now = float(await box.input_value() or "nan")
            await box.fill(str(self.rng.choice([v for v in values if v != now])))
            await self.timed("widget", lambda: box.press("Enter"))
        else:  # one step, away from an end
            thumb = self.page.locator(f".st-key-{key} input[type='range']")
            at, low, high = [
                float(await thumb.get_attribute(name) or 0) for name in ("value", "min", "max")
            ]
            arrows = ["ArrowLeft"] * (at > low) + ["ArrowRight"] * (at < high)
            await thumb.focus()
            arrow = self.rng.choice(arrows)
            await self.timed("widget", lambda: thumb.press(arrow))

    async def live(self) -> None:
        """Press the live benchmark on its default shape (cached since the warm-up)."""
        stem, key = LIVE
        await self.visit(stem)
        await self.timed("live", self.page.locator(f".st-key-{key} button").click)

    async def rerun(self) -> None:
        """Rerun the page as it is (Streamlit's R shortcut)."""
        await self.page.evaluate("document.activeElement && document.activeElement.blur()")
        await self.timed("rerun", lambda: self.page.keyboard.press("r"))


def wrong_answer(variant: bank.Variant, rng: random.Random) -> str:
    """A known wrong answer (a distractor) when the question has one, else the answer, spoiled."""
    if variant.distractors:
        return str(rng.choice(variant.distractors)[0])
    expected = variant.expected
    if isinstance(expected, tuple):
        return str((expected[0] + 1, *expected[1:]))
    return f"2*({expected}) + 1"


def hostile_inputs() -> list[str]:
    """The checker's own list of hostile inputs (quizzes/checking/hostile.py)."""
    from quizzes.checking.hostile import HOSTILE

    return [p.values[0] for p in HOSTILE]


# ---------------------------------------------------------------- scenarios


async def _actor(
    student: Student, config: LoadConfig, first: str, stop, hostile: list[str]
) -> None:
    """One student: open the link `first`, then weighted random actions until `stop()`.

    An action that fails is counted as an error and the student starts again from the home page.
    """
    kinds, weights = zip(*ACTIONS, strict=True)
    kind = "arrive"
    while not stop():
        try:
            if kind == "arrive":
                await student.arrive(first)
            elif kind == "open":
                await student.open()
            elif kind in ("right", "wrong", "hostile"):
                await student.answer(kind, hostile)
            elif kind == "preview":
                await student.preview()
            elif kind == "hint":
                await student.hint()
            elif kind == "widget":
                await student.widget()
            else:
                await student.live()
        except Exception as error:  # an action that failed is counted, and the student goes on
            said = (str(error).splitlines() or [""])[0][:120]
            student.tally.errors.append(f"{kind} on {student.here}: {type(error).__name__} {said}")
            first, kind = "/", "arrive"
            continue
        kind = student.rng.choices(kinds, weights)[0]
        await asyncio.sleep(student.rng.uniform(*config.think_s))


async def _drive(config: LoadConfig, url: str, browser_cores: set[int], probe: Probe) -> dict:
    from playwright.async_api import async_playwright

    os.sched_setaffinity(0, browser_cores)  # Playwright's driver and Chromium inherit both
    os.nice(BROWSER_NICE)
    tally, warm, rng = Tally(), Tally(), random.Random(config.seed)
    pages = discover_pages()
    hostile = hostile_inputs()
    qid = rng.choice(sorted(bank.bank()))
    if config.scenario in ("home", "topic"):  # one student rerunning one page
        sessions, first = 1, "/" if config.scenario == "home" else "/separable_convolutions"
    else:  # every student opens the instructor's practice link at once
        sessions, first = config.sessions, f"/practice?question={qid}&seed={rng.randrange(1000)}"
    async with async_playwright() as p:
        count = config.sessions if config.layout == "browsers" else 1
        browsers = [
            await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            for _ in range(count)
        ]
        contexts = []
        students = []
        for i in range(sessions):
            if config.layout != "tabs" or not contexts:
                contexts.append(await _context(browsers[i % count]))
            page = await contexts[-1].new_page()
            page.set_default_timeout(ACTION_TIMEOUT_S * 1000)
            students.append(Student(page, url, pages, random.Random(rng.random()), warm))
        await warm_up(students[0], pages)
        if config.scenario in ("home", "topic"):
            await students[0].arrive(first)
        for s in students:
            s.tally = tally
        browser_before = _others(probe.root)
        before_load = os.getloadavg()[0]
        probe.start()
        start = time.monotonic()
        if config.scenario in ("home", "topic"):
            for _ in range(config.actions):
                await students[0].rerun()
        else:
            if config.scenario == "mixed":
                stop = lambda: time.monotonic() - start > config.seconds  # noqa: E731
            else:
                stop = lambda: tally.actions >= config.actions  # noqa: E731
            await asyncio.gather(*(_actor(s, config, first, stop, hostile) for s in students))
        elapsed = time.monotonic() - start
        server_cpu = probe.stop()
        browser_cpu = _others(probe.root) - browser_before
        for b in browsers:
            await b.close()
    return {
        "tally": tally,
        "elapsed_s": elapsed,
        "load_average": [round(before_load, 1), round(os.getloadavg()[0], 1)],
        "server_cpu_s": server_cpu,
        "driver_and_browser_cpu_s": browser_cpu,
        "pages": sorted(pages),
    }


async def _context(browser):
    """A browser context with animations and transitions off."""
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, reduced_motion="reduce"
    )
    await context.add_init_script(
        "addEventListener('DOMContentLoaded', () => document.head.insertAdjacentHTML("
        f"'beforeend', '<style>{NO_MOTION}</style>'))"
    )
    return context


def _others(server: int) -> float:
    """CPU seconds of this driver's process tree (Playwright, Chromium) without the server's."""
    theirs = tree(server)
    return sum(cpu for pid, cpu in tree(os.getpid()).items() if pid not in theirs)


def discover_pages() -> dict[str, str]:
    """Every page file in app_pages/, by stem, with its URL path ("/" for the home page)."""
    stems = sorted(p.stem for p in (ROOT / "app_pages").glob("*.py"))
    return {stem: "/" if stem == "home" else f"/{stem}" for stem in stems}


async def warm_up(student: Student, pages: dict[str, str]) -> None:
    """Visit every page once and run the live benchmark once, so its later presses are cached."""
    student.timeout = WARM_UP_TIMEOUT_S
    student.page.set_default_timeout(WARM_UP_TIMEOUT_S * 1000)
    await student.arrive("/")
    hrefs = await student.page.eval_on_selector_all(
        "[data-testid='stSidebarNav'] a", "links => links.map(a => new URL(a.href).pathname)"
    )
    for stem in [s for s, path in pages.items() if path not in hrefs]:
        print(f"note: app_pages/{stem}.py is not in the navigation; students skip it")
        del pages[stem]
    student.pages = pages
    for stem in pages:
        await student.visit(stem)
    if LIVE[0] in pages:
        await student.live()
    student.timeout = ACTION_TIMEOUT_S
    student.page.set_default_timeout(ACTION_TIMEOUT_S * 1000)


def run(config: LoadConfig) -> dict:
    """Start a server, drive it, stop it; the figures as plain data."""
    server_cores, browser_cores = cores()
    port = config.port or free_port()
    with tempfile.TemporaryFile("w+") as log:
        server = start_server(port, config.server_options, server_cores, log)
        probe = Probe(server.pid)
        try:
            out = asyncio.run(_drive(config, f"http://127.0.0.1:{port}", browser_cores, probe))
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        log.seek(0)
        tracebacks = _tracebacks(log.read())
    tally: Tally = out.pop("tally")
    every = [s for v in tally.latencies.values() for s in v]
    return {
        "config": asdict(config),
        "isolation": {
            "server_cores": sorted(server_cores),
            "browser_cores": sorted(browser_cores),
            "layout": config.layout,
            "load_average": out["load_average"],
            "how": "CPU read from /proc for the server's process tree only; server tree pinned "
            "to one core (sched_setaffinity) at nice 0, driver and Chromium on every core at "
            f"nice {BROWSER_NICE}; animations and transitions off; students as tabs of one "
            "browser context",
        },
        "sessions": config.sessions if config.scenario in ("mixed", "soak") else 1,
        "actions": tally.actions,
        "actions_per_s": round(tally.actions / out["elapsed_s"], 2),
        "errors": len(tally.errors),
        "error_samples": tally.errors[:20],
        "server_tracebacks": tracebacks[:5],
        "exception_boxes": tally.exception_boxes,
        "checker_busy_refusals": tally.busy,
        "latency_s": _percentiles(every),
        "latency_to_script_finished_s": _percentiles(tally.to_finish),
        "latency_by_action_s": {k: _percentiles(v) for k, v in sorted(tally.latencies.items())},
        "server_cpu_s": round(out["server_cpu_s"], 2),
        "server_cpu_s_per_action": round(out["server_cpu_s"] / max(tally.actions, 1), 3),
        "driver_and_browser_cpu_s": round(out["driver_and_browser_cpu_s"], 2),
        "peak_server_pss_mb": round(probe.peak_pss / 2**20),
        "peak_server_rss_mb": round(probe.peak_rss / 2**20),
        "memory_timeline_mb": _timeline(probe.timeline),
        "memory_growth_mb": _growth(probe.timeline),
        "elapsed_s": round(out["elapsed_s"], 1),
        "pages": out["pages"],
    }


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {
        "n": len(values),
        "p50": round(statistics.median(ordered), 3),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
        "max": round(ordered[-1], 3),
    }


def _tracebacks(log: str) -> list[str]:
    """The distinct tracebacks in the server's output, each as its last 40 lines."""
    found = []
    for chunk in log.split("Traceback (most recent call last):")[1:]:
        lines = [line for line in chunk.splitlines() if line.strip()]
        tail = "\n".join(lines[-40:])
        if tail not in found:
            found.append(tail)
    return found


def _growth(samples: list[tuple[float, int]]) -> int | None:
    """PSS growth in MB from the run's second quarter to its last (medians): a leak shows here."""
    quarter = len(samples) // 4
    if quarter < 2:
        return None
    early = statistics.median(pss for _, pss in samples[quarter : 2 * quarter])
    late = statistics.median(pss for _, pss in samples[-quarter:])
    return round((late - early) / 2**20)


def _timeline(samples: list[tuple[float, int]], points: int = 8) -> list[tuple[float, int]]:
    """A few evenly spaced (seconds, PSS MB) points of the memory samples."""
    if not samples:
        return []
    step = max(1, len(samples) // points)
    picked = samples[::step] + [samples[-1]]
    return [(round(t, 1), round(pss / 2**20)) for t, pss in picked]


def table(result: dict) -> str:
    """The figures as a small text table."""
    lat, fin = result["latency_s"], result["latency_to_script_finished_s"]
    rows = [
        ("scenario", result["config"]["scenario"]),
        ("sessions", result["sessions"]),
        ("actions (per s)", f"{result['actions']} ({result['actions_per_s']})"),
        ("errors", result["errors"]),
        ("exception boxes", result["exception_boxes"]),
        ("checker busy refusals", result["checker_busy_refusals"]),
        ("latency p50 / p95 / max", f"{lat.get('p50')} / {lat.get('p95')} / {lat.get('max')} s"),
        ("  to script-finished", f"{fin.get('p50')} / {fin.get('p95')} / {fin.get('max')} s"),
        ("server CPU per action", f"{result['server_cpu_s_per_action']} s"),
        ("server CPU total", f"{result['server_cpu_s']} s in {result['elapsed_s']} s"),
        ("driver + browser CPU", f"{result['driver_and_browser_cpu_s']} s (not in the above)"),
        ("machine load (1 min)", f"{result['isolation']['load_average']} at start, end "
                                 "(2 cores, shared with other users)"),
        ("peak server memory", f"{result['peak_server_pss_mb']} MB PSS, "
                               f"{result['peak_server_rss_mb']} MB RSS (with children)"),
    ]  # fmt: skip
    lines = [f"{name:26} {value}" for name, value in rows]
    lines.append("latency by action (n, p50, p95, s):")
    for kind, p in result["latency_by_action_s"].items():
        lines.append(f"  {kind:24} {p['n']:4}  {p['p50']:6}  {p['p95']:6}")
    lines.append(f"memory (s, PSS MB): {result['memory_timeline_mb']}")
    lines.append(f"memory growth, 2nd to last quarter: {result['memory_growth_mb']} MB")
    lines.append(f"isolation: {result['isolation']['how']} (server cores "
                 f"{result['isolation']['server_cores']}, browser cores "
                 f"{result['isolation']['browser_cores']})")  # fmt: skip
    for error in result["error_samples"]:
        lines.append(f"error: {error}")
    for traceback in result["server_tracebacks"]:
        last = "\n".join(traceback.splitlines()[-12:])
        lines.append(f"server traceback (last lines; all in the JSON):\n{last}")
    return "\n".join(lines)


def compare(before: dict, now: dict) -> str:
    """This run's headline figures against the file's previous ones (lower is better for all)."""
    pairs = [
        ("server CPU per action", "server_cpu_s_per_action", "s"),
        ("latency p95", ("latency_s", "p95"), "s"),
        ("peak server PSS", "peak_server_pss_mb", "MB"),
    ]
    lines = ["against the previous figures in that file:"]
    for label, key, unit in pairs:
        old, new = (
            (d[key[0]].get(key[1]) if isinstance(key, tuple) else d.get(key)) for d in (before, now)
        )
        if old and new is not None:
            flag = "  (more than 25% worse)" if new > 1.25 * old else ""
            lines.append(f"  {label:24} {old} -> {new} {unit}{flag}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    driver = argparse.ArgumentParser(add_help=False)
    driver.add_argument("--driver", choices=["chromium", "protocol"], default="chromium")
    driver.add_argument("--class", dest="live_class", action="store_true")
    known, rest = driver.parse_known_args(argv)
    if known.driver == "protocol" or known.live_class:  # students on Streamlit's websocket
        from bench import protocol

        return protocol.main(["--scenario", "class", *rest] if known.live_class else rest)
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog="--driver protocol: bench/protocol.py's students (python -m bench.protocol -h); "
        "--class: its live class (--driver protocol --scenario class)",
    )
    parser.add_argument(
        "--scenario", choices=["mixed", "selfstudy", "soak", "home", "topic"], default="mixed",
        help="selfstudy is mixed, under the protocol driver's name",
    )  # fmt: skip
    parser.add_argument("--sessions", "--students", type=int, default=LoadConfig.sessions)
    parser.add_argument("--seconds", type=float, default=LoadConfig.seconds)
    parser.add_argument("--actions", type=int, default=LoadConfig.actions)
    parser.add_argument(
        "--layout", choices=["tabs", "contexts", "browsers"], default=LoadConfig.layout
    )
    parser.add_argument("--out", type=Path, help="JSON file for the figures (bench/results/...)")
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: any)")
    parser.add_argument(
        "--server-option", action="append", default=[], metavar="SECTION.OPTION=VALUE"
    )
    args = parser.parse_args(rest)
    args.scenario = "mixed" if args.scenario == "selfstudy" else args.scenario
    options = tuple(
        part for option in args.server_option for part in (f"--{option.split('=')[0]}",
                                                            option.split("=", 1)[1])
    )  # fmt: skip
    config = LoadConfig(
        scenario=args.scenario,
        sessions=args.sessions,
        seconds=args.seconds,
        actions=args.actions,
        layout=args.layout,
        server_options=options,
        port=args.port,
    )
    name = "load.json" if args.scenario == "mixed" else f"load-{args.scenario}.json"
    out = args.out or RESULTS / name
    result = run(config)
    print(table(result))
    if out.exists():
        print(compare(json.loads(out.read_text()), result))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"figures written to {out}")
    return 0 if result["errors"] == 0 and result["exception_boxes"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
