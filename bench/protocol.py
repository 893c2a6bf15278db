"""`make load ARGS="--driver protocol ..."`: students that speak Streamlit's own websocket protocol.

Each simulated student is one browser tab without the browser: it sends the `BackMsg`s the
frontend sends and keeps the page model the frontend keeps, so the server does what it does for
Chromium, and one asyncio process holds hundreds of students. The handshake, as read in
Streamlit 1.67 (runtime/app_session.py, web/server/starlette/starlette_websocket.py and the
frontend bundle in static/static/js, whose code is quoted by name below):

1. Arrive: GET the page (HTML, gzip; it sets the `_streamlit_xsrf` cookie), `/_stcore/health`
   and `/_stcore/host-config`, then open `/_stcore/stream` with the subprotocols
   `["streamlit", <xsrf cookie>]` and the page's Origin. The server makes an AppSession and sends
   nothing until asked.
2. The browser asks for the first run (`handleConnectionStateChanged`): a `rerun_script`
   ClientState with the URL's query string, `page_name` (the path under the app's root, "" for
   the main page), an empty `page_script_hash`, no widget states, and `context_info`.
3. Every run answers `new_session` (the run's id in `metadata.run`, the main script's hash, the
   cache's `max_cached_message_age`), `session_status_changed` (running), `navigation` (every
   page's hash and URL path, and the current page), deltas (`new_element` / `add_block` at
   `metadata.delta_path`, with `delta.fragment_id` when drawn inside a fragment and
   `metadata.active_script_hash`), `script_finished` (FINISHED_EARLY_FOR_RERUN when `st.rerun`
   cut it short) and `session_status_changed` (not running). Fragment runs send all of these too.
4. Widgets: each widget the page draws writes its value into the browser's widget states as it
   mounts (`useBasicWidgetState`: the proto's value when `set_value`, else its default, else the
   value already held); every rerun sends them all (`createWidgetStatesMsg`) with the current
   page's hash and, when the widget that changed lives in a fragment, that `fragment_id`. A
   button is a `trigger_value` sent once, then dropped. A form keeps its widgets' edits until a
   submit button (Enter presses the first) sends them with that button's trigger
   (`submitForm`). After a run, the states of widgets no longer drawn are dropped
   (`removeInactiveWidgetState`), and elements the run did not redraw are dropped (for a
   fragment run, only inside its fragments: `clearStaleNodes`).
5. A sidebar page link (`onPageChange`) first drops everything the page drew (keeping what the
   entrypoint drew: `filterMainScriptElements`), then sends the new page's hash, an empty query
   string and only the remaining widgets' states.
6. The message cache: a `new_element` delta of at least `global.minCachedMessageSize` (10 kB)
   comes marked `metadata.cacheable`; the browser keeps it by hash and lists the hashes in every
   rerun, and the server then sends only `ref_hash` for it. An entry ages one step per finished
   run (only inside the run's fragments for a fragment run) and is dropped when older than
   `max_cached_message_age`; a hit renews it. A `ref_hash` the tab does not hold is a protocol
   error, as it would be in the browser.
7. `st.fragment(run_every=...)` sends `auto_rerun` (interval, fragment id): the browser then
   reruns that fragment on a timer (`is_auto_rerun`) until `stop_auto_rerun` or a page change.

Left out: static JS and CSS (a browser tab has them cached after the first), media other than
images, file uploads, components, dialogs, reconnecting with the last session id, and heartbeats
(only a hosting platform sends them).

Scenarios (`--scenario`), each ending in one line `load: students N, actions N, errors N, lost N,
p95 X s, server CPU per action Y s, peak memory Z MB` and a JSON record under bench/results/:
`selfstudy` (the self-study mix bench/load.py's Chromium students play, for `--seconds`),
`lecture-start` (every student opens one topic page within `--window` seconds), `demo` (the
instructor moves a calculator slider while the students stay connected and idle; also the cost
of an idle session), `kinds` (one student, each action kind in turn, the server's CPU read
around every action: the CPU of one action by kind) and `class` (the live class, below). A new
scenario is one async function in SCENARIOS.

`class` (also `make load ARGS="--class --students N"`): a host tab starts a class and keeps its
live panel refreshing (its fragment's auto-rerun); the students join ten at a time by the join
link (`/live_class?class=CODE`), each phone polling as the page asks; the host asks three typed
questions (one per topic, on the course's numbers), picked on the host view. Each student waits
for the question on the phone and sends an answer at a random moment within `--window` seconds
(default 30) of it opening: mostly right (the variant's expected value), some a known slip (one
of the bank's distractors), some unreadable (a typo); the driver judges each text with the same
checker first, so it knows what the page must say. An answer is acknowledged when the student's
page shows it sent as read (or, unreadable, with the checker's reason); "busy" is pressed again.
Answer-to-host-view: from an answer's acknowledgement to the first Answered count on the host's
panel that includes it (the k-th acknowledged is in the first count of at least k read after
it). The host waits until the panel counts every acknowledged answer, then closes, reveals and
goes on. The server reads a secrets file of the run's own that puts the class in a new SQLite
file; afterwards the driver reads that file through quizzes.classroom's Store: every answer sent
is found there as sent, judged alike and stored before its acknowledgement, or it is lost
(acknowledged, not stored) or an error. The run ends with the load line, then `class: students
N, answers sent N, stored N, lost N, p95 answer-to-host-view X.X s`.
Left out of `class`: nicknames, countdowns, typed class codes, choice questions, previews,
changed answers and the report.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import gzip
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Block_pb2 import Block
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench import load, profile
from quizzes import bank, checking, classroom

TRACE_LENGTH = 400  # a tab's last requests, runs and alerts, kept to say why an answer went unseen
TRACE_CHARS = 3000
RESULTS = load.RESULTS  # protocol-<scenario>.json: the figures per number of students
ACTION_TIMEOUT_S = 60.0  # an action not settled by then is an error, and lost (a student gives up)
WARM_UP_TIMEOUT_S = 600.0  # a page's first run on a cold, shared machine can take minutes
FINISHED = ForwardMsg.ScriptFinishedStatus
BROWSER_CONTEXT = {"timezone": "Europe/Paris", "timezone_offset": -60, "locale": "en-US",
                   "is_embedded": False, "color_scheme": "light"}  # fmt: skip
NO_STATE = {"button", "download_button", "link_button", "page_link"}  # triggers or nothing
PRACTICE = "practice"
CLASS_PAGE = "live_class"
CLASS_WINDOW_S = 30.0  # class: students answer within this many seconds of a question opening
CLASS_QUESTIONS = 3
CLASS_MIX = (("right", 7), ("slip", 2), ("unreadable", 1))  # (how a student answers, weight)
UNREADABLE = ("((", "3 +* 4", "two")  # typos the checker cannot read
TYPED = ("integer", "number", "expression")  # the kinds of question the class is asked
FATES = ("stored", "lost", "unacknowledged")  # of an answer sent; anything else is an error
DEMO_WIDGET = ("separable_convolutions", "sep_kernel")  # a calculator slider that reruns its page
LECTURE_PAGE = "skip_connections"

# (label, page the student stands on first, action): what `kinds` measures, one action at a time
KINDS = (
    ("page open", None, "open"),
    ("check", PRACTICE, "check"),
    ("preview", PRACTICE, "preview"),
    ("hint", PRACTICE, "hint"),
    ("slider move, its section", "separable_convolutions", "widget:sep_kernel"),
    ("number input, in a fragment", "skip_connections", "widget:vg_delta"),
    ("live benchmark, cached", "separable_convolutions", "live"),
)


@dataclass(frozen=True)
class Config:
    """One protocol-driver run."""

    scenario: str = "selfstudy"
    students: int = 10
    seconds: float = 60.0  # selfstudy: how long the students act after the warm-up
    actions: int = 0  # selfstudy: stop after this many actions instead (load.py's soak)
    # lecture-start: the arrivals spread over this many seconds (default 20); class: each student
    # answers within this many seconds of a question opening (default 30)
    window: float | None = None
    moves: int = 20  # demo: the instructor's slider moves
    idle_s: float = 10.0  # demo, class: the quiet window that measures idle sessions, polls
    repeat: int = 8  # kinds: actions of each kind
    think_s: tuple[float, float] = (0.3, 1.0)  # a student's pause between actions, uniform
    page: str = LECTURE_PAGE  # lecture-start: the topic page everyone opens
    cold: bool = False  # skip the warm-up (every page once) before measuring
    seed: int = 0
    server_options: tuple[str, ...] = ()
    port: int = 0  # the server's port; 0: any free one

    def __post_init__(self) -> None:
        if self.window is None:
            object.__setattr__(self, "window", CLASS_WINDOW_S if self.scenario == "class" else 20.0)


# ---------------------------------------------------------------- the page, as the browser has it


@dataclass
class Node:
    """One element or block of the page tree, as the frontend's AppRoot keeps it."""

    proto: Element | Block | None  # None: a container root or a placeholder
    kind: str  # the element's or block's type, e.g. "slider", "form"
    run_id: str  # the run that drew it
    fragment_id: str
    script_hash: str  # the script that drew it (the entrypoint's or a page's)
    children: list[Node] = field(default_factory=list)

    @property
    def widget_id(self) -> str:
        """The id of the widget this node is, "" for anything else."""
        if not isinstance(self.proto, Element):
            return ""
        return getattr(getattr(self.proto, self.kind), "id", "")

    def walk(self):
        """This node and every node below it."""
        yield self
        for child in self.children:
            yield from child.walk()


def _empty(run_id: str = "", script_hash: str = "") -> Node:
    return Node(None, "", run_id, "", script_hash)


def _clear_stale(node: Node, run_id: str, fragments: list[str], in_fragment: bool) -> Node | None:
    """The node without what the run `run_id` did not redraw (frontend: clearStaleNodes)."""
    if node.proto is None or isinstance(node.proto, Block):
        if fragments:
            if in_fragment and node.run_id != run_id:
                return None
            entering = node.fragment_id in fragments and node.run_id == run_id
            in_fragment = in_fragment or entering
        elif node.run_id != run_id and node.proto is not None:
            return None
        kept = [_clear_stale(c, run_id, fragments, in_fragment) for c in node.children]
        node.children = [c for c in kept if c is not None]
        return node
    if node.kind == "toast" or node.run_id == run_id:
        return node
    if fragments and (not node.fragment_id or not in_fragment):
        return node
    return None


def _keep_script(node: Node, script_hash: str) -> Node | None:
    """The node without what a page drew (frontend: filterMainScriptElements)."""
    if node.proto is not None and node.script_hash != script_hash:
        return None
    kept = [_keep_script(c, script_hash) for c in node.children]
    node.children = [c for c in kept if c is not None]
    return node


def user_key(widget_id: str) -> str | None:
    """The key a page gave a widget, from its id ("$$ID-<hash>-<key>"), or None."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "$$ID" else None


def mounted_state(element: Element, held: WidgetState | None) -> WidgetState | None:
    """The state a widget writes as it mounts (frontend: useBasicWidgetState), None if none."""
    kind = element.WhichOneof("type")
    widget = getattr(element, kind)
    if kind in NO_STATE or not getattr(widget, "id", ""):
        return None
    if held is not None and not getattr(widget, "set_value", False):
        return held
    state = WidgetState(id=widget.id)
    current = getattr(widget, "set_value", False)
    if kind == "checkbox":
        state.bool_value = widget.value if current else widget.default
    elif kind == "number_input":
        which = "value" if current and widget.HasField("value") else "default"
        if widget.HasField(which):
            number = getattr(widget, which)
            if widget.data_type == widget.DataType.INT:
                state.int_value = int(number)
            else:
                state.double_value = number
    elif kind in ("text_input", "text_area"):
        which = "value" if current else "default"
        if widget.HasField(which):
            state.string_value = getattr(widget, which)
    elif kind in ("radio", "selectbox"):
        if current:
            if widget.HasField("raw_value"):
                state.string_value = widget.raw_value
        elif widget.options and widget.HasField("default"):
            state.string_value = widget.options[widget.default]
    elif kind == "multiselect":
        picked = widget.raw_values if current else [widget.options[i] for i in widget.default]
        state.string_array_value.data.extend(picked)
    elif kind == "slider" and widget.type == Slider.Type.SELECT_SLIDER:
        indices = [int(i) for i in widget.default]  # a select slider holds option indices
        if current and widget.raw_value:
            indices = [widget.options.index(v) if v in widget.options else d
                       for v, d in zip(widget.raw_value, indices, strict=False)]  # fmt: skip
        state.string_array_value.data.extend(widget.options[i] for i in indices)
    elif kind == "slider":
        state.double_array_value.data.extend(widget.value if current else widget.default)
    elif kind == "file_uploader":
        state.file_uploader_state_value.SetInParent()
    else:
        raise ProtocolError(f"a {kind} widget, which this driver does not model")
    return state


class ProtocolError(Exception):
    """The server said something a browser would have refused, or did not answer in time."""


class MessageCache:
    """The browser's ForwardMsg cache (frontend: ForwardMessageCache)."""

    def __init__(self) -> None:
        self.messages: dict[str, tuple[ForwardMsg, int, str]] = {}  # hash: (msg, run, fragment)
        self.runs = 0

    def resolve(self, msg: ForwardMsg) -> ForwardMsg:
        """The message itself, or the cached one a ref_hash points to; caches what it may."""
        if msg.WhichOneof("type") == "ref_hash":
            if msg.ref_hash not in self.messages:
                raise ProtocolError(f"cached ForwardMsg miss (hash {msg.ref_hash})")
            cached, _, fragment = self.messages[msg.ref_hash]
            self.messages[msg.ref_hash] = (cached, self.runs, fragment)
            full = ForwardMsg()
            full.CopyFrom(cached)
            full.metadata.CopyFrom(msg.metadata)
            return full
        if msg.metadata.cacheable and msg.hash:
            fragment = msg.delta.fragment_id if msg.HasField("delta") else ""
            self.messages[msg.hash] = (msg, self.runs, fragment)
        return msg

    def age(self, max_age: int, fragments: list[str]) -> None:
        """One more finished run: drop what is older than max_age (in those fragments only)."""
        self.runs += 1
        for key, (_, run, fragment) in list(self.messages.items()):
            if fragments and (not fragment or fragment not in fragments):
                continue
            if self.runs - run > max_age:
                del self.messages[key]


# ---------------------------------------------------------------- one tab: the wire and the page


class Tab:
    """One browser tab on the app: its websocket, message cache, page tree and widget states."""

    def __init__(self, base: str) -> None:
        self.base = base  # "http://127.0.0.1:PORT"
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task | None = None
        self.cookie = ""
        self.query = ""
        self.page_hash = ""  # the page shown now
        self.main_hash = ""  # the entrypoint's
        self.pages: dict[str, str] = {}  # URL path ("" for the main page): page hash
        self.run_id = ""
        self.max_age = 2
        self.new_session = False  # a new_session since the last rerun request (cache aging)
        self.cache = MessageCache()
        self.roots: list[Node] = []
        self.states: dict[str, WidgetState] = {}  # widget id: what the next rerun sends
        self.widgets: dict[str, tuple[Element, str]] = {}  # key: (element, fragment id)
        self.finished = 0  # runs finished (not cut short for a rerun)
        self.running = False
        self.exceptions: list[str] = []  # exception elements received
        self.problems: list[str] = []  # protocol errors
        self.auto: dict[str, asyncio.Task] = {}  # fragment id: its auto-rerun timer
        self.every: dict[str, float] = {}  # fragment id: its timer's interval, in seconds
        self.auto_reruns = 0
        self.sending: set[asyncio.Task] = set()  # BackMsgs on their way (held, so not collected)
        self.on_finish: Callable[[], None] | None = None  # called after every finished run
        self.closed = False
        self._changed = asyncio.Event()
        self.trace: collections.deque[str] = collections.deque(maxlen=TRACE_LENGTH)  # _from_press

    # -- HTTP and the websocket

    async def get(self, path: str) -> bytes:
        """One HTTP GET as a browser sends it (gzip accepted); the body, decompressed."""
        host = urlsplit(self.base)
        reader, writer = await asyncio.open_connection(host.hostname, host.port)
        try:
            cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host.netloc}\r\nAccept: */*\r\n"
                         f"Accept-Encoding: gzip, deflate\r\n{cookie}Connection: close\r\n\r\n"
                         .encode())  # fmt: skip
            raw = await asyncio.wait_for(reader.read(), ACTION_TIMEOUT_S)
        finally:
            writer.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        if " 200 " not in lines[0] + " ":
            raise ProtocolError(f"GET {path}: {lines[0]}")
        headers = [line.split(":", 1) for line in lines[1:] if ":" in line]
        headers = {k.strip().lower(): v.strip() for k, v in headers}
        if "chunked" in headers.get("transfer-encoding", ""):
            body = _unchunk(body)
        if found := re.search(r"_streamlit_xsrf=([^;]+)", headers.get("set-cookie", "")):
            self.cookie = f"_streamlit_xsrf={found.group(1)}"
        return gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body

    async def open(self, path: str = "/") -> None:
        """Arrive at a URL ("/practice?question=..."): fetch the page, connect, ask for a run."""
        url = urlsplit(path)
        await self.get(path)
        await self.get("/_stcore/health")
        await self.get("/_stcore/host-config")
        token = self.cookie.split("=", 1)[1] if self.cookie else "PLACEHOLDER_AUTH_TOKEN"
        self.ws = await connect(
            self.base.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=["streamlit", token],
            origin=self.base,
            additional_headers={"Cookie": self.cookie} if self.cookie else None,
            max_size=None,
            open_timeout=ACTION_TIMEOUT_S,
        )
        self.reader = asyncio.create_task(self._read())
        self.query = url.query
        self._rerun(page_name=url.path.strip("/"))

    async def close(self) -> None:
        for timer in self.auto.values():
            timer.cancel()
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader

    def _rerun(self, *, fragment_id: str = "", page_hash: str | None = None,
               page_name: str = "", states=None, auto: bool = False) -> None:  # fmt: skip
        """Send a rerun_script BackMsg as the frontend's sendRerunBackMsg does."""
        state = ClientState(
            query_string=self.query,
            page_script_hash=page_hash if page_hash is not None else self.page_hash,
            page_name=page_name,
            fragment_id=fragment_id,
            is_auto_rerun=auto,
            cached_message_hashes=list(self.cache.messages),
        )
        state.widget_states.widgets.extend(self.states.values() if states is None else states)
        pressed = [w.id.rsplit("-", 1)[-1] for w in state.widget_states.widgets
                   if w.WhichOneof("value") == "trigger_value" and w.trigger_value]  # fmt: skip
        self._note(f"ask {'auto ' if auto else ''}{fragment_id[-6:] or 'page'}"
                   + (f" pressing {pressed}" if pressed else ""))  # fmt: skip
        state.context_info.CopyFrom(ContextInfo(url=self.base + "/", **BROWSER_CONTEXT))
        self.new_session = False
        task = asyncio.create_task(self._send(BackMsg(rerun_script=state)))
        self.sending.add(task)
        task.add_done_callback(self.sending.discard)

    async def _send(self, msg: BackMsg) -> None:
        try:
            await self.ws.send(msg.SerializeToString())
        except ConnectionClosed as closed:
            self.problems.append(f"send on a closed websocket: {closed}")

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                self._receive(ForwardMsg.FromString(data))
        except ConnectionClosed:
            pass
        except Exception as error:  # a message the browser would refuse
            self.problems.append(f"{type(error).__name__}: {error}")
        finally:
            self.closed = True
            self._changed.set()

    # -- what the server sends

    def _note(self, what: str) -> None:
        self.trace.append(f"{time.perf_counter() % 1000:.2f} {what}")

    def _receive(self, msg: ForwardMsg) -> None:
        msg = self.cache.resolve(msg)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            run = msg.metadata.run
            fragments = [f[-6:] for f in run.fragment_ids] or "page"
            self._note(f"run {run.script_run_id[:6]} {fragments}")
            self.new_session = True
            self.run_id = msg.metadata.run.script_run_id
            self.main_hash = msg.new_session.main_script_hash
            self.max_age = msg.new_session.config.max_cached_message_age
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "delta":
            if msg.delta.new_element.WhichOneof("type") == "alert":
                self._note(f"alert {msg.delta.new_element.alert.body[:24]!r}")
            self._apply(msg)
        elif kind == "session_status_changed":
            self.running = msg.session_status_changed.script_is_running
        elif kind == "script_finished":
            self._note(f"end {msg.metadata.run.script_run_id[:6]} "
                       f"{FINISHED.Name(msg.script_finished)}")  # fmt: skip
            self._finish(msg)
        elif kind == "auto_rerun":
            self._start_auto(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment in msg.stop_auto_rerun.fragment_ids:
                if timer := self.auto.pop(fragment, None):
                    timer.cancel()
        self._changed.set()

    def _apply(self, msg: ForwardMsg) -> None:
        """Put a delta's element or block into the tree (frontend: AppRoot.applyDelta)."""
        delta, path = msg.delta, list(msg.metadata.delta_path)
        which = delta.WhichOneof("type")
        if which == "new_element":
            proto, kind = delta.new_element, delta.new_element.WhichOneof("type")
        elif which == "add_block":
            proto, kind = delta.add_block, delta.add_block.WhichOneof("type") or "vertical"
        else:  # a transient (a spinner): nothing a student reads
            return
        node = Node(proto, kind, self.run_id, delta.fragment_id, msg.metadata.active_script_hash)
        while len(self.roots) <= path[0]:
            self.roots.append(_empty(self.run_id, self.main_hash))
        parent = self.roots[path[0]]
        for index in path[1:-1]:
            while len(parent.children) <= index:
                parent.children.append(_empty(self.run_id, node.script_hash))
            parent = parent.children[index]
        index = path[-1]
        while len(parent.children) <= index:
            parent.children.append(_empty(self.run_id, node.script_hash))
        before = parent.children[index]
        if which == "add_block" and isinstance(before.proto, Block) and before.kind == kind:
            node.children = before.children  # same kind of block: its children stay until stale
        parent.children[index] = node
        if which == "new_element":
            if kind == "exception":
                self.exceptions.append(f"{proto.exception.type}: {proto.exception.message}"[:300])
            elif getattr(getattr(proto, kind), "id", ""):
                self._mount(proto, kind, delta.fragment_id)

    def _mount(self, element: Element, kind: str, fragment_id: str) -> None:
        widget_id = getattr(element, kind).id
        try:
            state = mounted_state(element, self.states.get(widget_id))
        except ProtocolError as error:
            self.problems.append(str(error))
            return
        if state is not None:
            self.states[widget_id] = state
        if key := user_key(widget_id):
            self.widgets[key] = (element, fragment_id)

    def _finish(self, msg: ForwardMsg) -> None:
        status, run = msg.script_finished, msg.metadata.run
        fragments = list(run.fragment_ids)
        drawn = (FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
        ours = fragments or run.script_run_id == self.run_id
        if run.script_run_id and status in drawn and ours:
            for root in self.roots:
                _clear_stale(root, run.script_run_id, fragments, False)
            self._drop_inactive()
        if run.script_run_id and status != FINISHED.FINISHED_EARLY_FOR_RERUN and self.new_session:
            self.cache.age(self.max_age, fragments)
        if status != FINISHED.FINISHED_EARLY_FOR_RERUN:
            self.finished += 1
            if self.on_finish is not None:
                self.on_finish()

    def _drop_inactive(self) -> None:
        """Forget the states of widgets no longer drawn (frontend: removeInactiveWidgetState)."""
        drawn = {n.widget_id: n for root in self.roots for n in root.walk() if n.widget_id}
        self.states = {k: v for k, v in self.states.items() if k in drawn}
        self.widgets = {
            key: (node.proto, node.fragment_id)
            for widget_id, node in drawn.items()
            if (key := user_key(widget_id))
        }

    def _start_auto(self, fragment_id: str, interval: float) -> None:
        """A timer that reruns the fragment every `interval` s (frontend: handleAutoRerun).

        Every full run sends auto_rerun again; a timer already running at that interval keeps
        its phase, as the browser's setInterval does.
        """
        if fragment_id in self.auto:
            if self.every.get(fragment_id) == interval:
                return
            self.auto.pop(fragment_id).cancel()

        async def tick() -> None:
            while True:
                await asyncio.sleep(interval)
                self.auto_reruns += 1
                self._rerun(fragment_id=fragment_id, auto=True)

        self.auto[fragment_id] = asyncio.create_task(tick())
        self.every[fragment_id] = interval

    # -- what a student does

    async def settle(self, before: int, timeout: float = ACTION_TIMEOUT_S) -> None:
        """Wait until a run finished after `before` and the script is no longer running."""
        ran = lambda: self.finished > before and not self.running  # noqa: E731
        await self.wait_for(ran, timeout, "no script_finished")

    async def wait_for(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        """Wait until ready() holds, looking again at every message; TimeoutError after timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not ready():
            if self.closed:
                raise ProtocolError("the server closed the websocket")
            self._changed.clear()
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError(f"{what} within {timeout:.0f} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)

    def navigate(self, path: str) -> None:
        """Follow a sidebar page link (frontend: onPageChange)."""
        if path not in self.pages:
            raise ProtocolError(f"no page at /{path} in the navigation")
        for timer in self.auto.values():
            timer.cancel()
        self.auto.clear()
        for root in self.roots:
            _keep_script(root, self.main_hash)
        drawn = {n.widget_id for root in self.roots for n in root.walk()}
        self.query = ""
        self._rerun(page_hash=self.pages[path],
                    states=[s for k, s in self.states.items() if k in drawn])  # fmt: skip

    def widget(self, key: str) -> tuple[Element, str]:
        """A widget on the page by its key: (element, fragment id)."""
        if key not in self.widgets:
            raise ProtocolError(f"no widget {key!r} on the page")
        return self.widgets[key]

    def set_value(self, key: str, value, *, send: bool = True) -> None:
        """Change a widget's value as its user would; outside a form this reruns at once."""
        element, fragment_id = self.widget(key)
        kind = element.WhichOneof("type")
        widget = getattr(element, kind)
        state = WidgetState(id=widget.id)
        if kind == "number_input":
            if widget.data_type == widget.DataType.INT:
                state.int_value = int(value)
            else:
                state.double_value = float(value)
        elif kind in ("text_input", "text_area", "radio", "selectbox"):
            state.string_value = str(value)
        elif kind == "checkbox":
            state.bool_value = bool(value)
        elif kind == "slider" and widget.type == Slider.Type.SELECT_SLIDER:
            state.string_array_value.data.append(str(value))
        elif kind == "slider":
            state.double_array_value.data.append(float(value))
        else:
            raise ProtocolError(f"setting a {kind} is not modelled")
        self.states[widget.id] = state
        if send and not widget.form_id:
            self._rerun(fragment_id=fragment_id)

    def press(self, key: str) -> None:
        """Press a button, or a form's submit button (which sends the form's edits with it)."""
        element, fragment_id = self.widget(key)
        widget = getattr(element, element.WhichOneof("type"))
        self.states[widget.id] = WidgetState(id=widget.id, trigger_value=True)
        self._rerun(fragment_id=fragment_id)
        del self.states[widget.id]

    def elements(self, under: str | None = None):
        """Every element node, or those inside the block whose key is `under`."""
        for root in self.roots:
            for node in root.walk():
                if under is None:
                    if isinstance(node.proto, Element):
                        yield node
                elif isinstance(node.proto, Block) and user_key(node.proto.id) == under:
                    yield from (n for n in node.walk() if isinstance(n.proto, Element))
                    return

    def images(self) -> list[str]:
        """The URLs of the images on the page that the server holds (the browser fetches them)."""
        urls = []
        for node in self.elements():
            if node.kind == "imgs":
                urls += [i.url for i in node.proto.imgs.imgs if i.url.startswith("/")]
        return urls


def _unchunk(body: bytes) -> bytes:
    out = b""
    while body:
        size, _, rest = body.partition(b"\r\n")
        length = int(size.split(b";")[0], 16)
        if length == 0:
            break
        out += rest[:length]
        body = rest[length + 2 :]
    return out


# ---------------------------------------------------------------- the people


@dataclass
class Tally:
    """What the simulated people did, shared by all of them."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)  # kinds: server CPU per action
    errors: list[str] = field(default_factory=list)
    exception_boxes: int = 0
    lost: int = 0  # actions never acknowledged by a finished run
    busy: int = 0  # polite "checker is busy" refusals (not errors)

    def done(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)

    @property
    def actions(self) -> int:
        return sum(len(v) for v in self.latencies.values())


class Student:
    """One simulated student in one tab: the actions of bench/load.py's Chromium student."""

    def __init__(self, base: str, pages: dict[str, str], rng: random.Random, tally: Tally,
                 timeout: float = ACTION_TIMEOUT_S):  # fmt: skip
        self.base, self.pages, self.rng, self.tally = base, pages, rng, tally
        self.timeout = timeout  # seconds an action may take before it counts as lost
        self.tab = Tab(base)
        self.here: str | None = None  # the page shown now, by file stem

    async def timed(self, kind: str, send: Callable[[], Awaitable[None] | None],
                    shown: Callable[[], bool] | None = None) -> float:  # fmt: skip
        """Do the action (a function that sends it), wait until it settled; seconds taken.

        `shown`: the page must also show the action's effect (another run, such as a poll's
        auto-rerun, may finish first).
        """
        tab = self.tab
        before, boxes, start = tab.finished, len(tab.exceptions), time.perf_counter()
        left = lambda: self.timeout - (time.perf_counter() - start)  # noqa: E731
        sent = send()
        try:  # the student gives up `timeout` seconds after the click, whatever held it up
            if sent is not None:  # an arrival: the page over HTTP, then the websocket
                await asyncio.wait_for(sent, self.timeout)
            await tab.settle(before, left())
            if shown is not None:
                await tab.wait_for(shown, left(), f"{kind}: its effect not shown")
        except TimeoutError as error:  # never acknowledged
            self.tally.lost += 1
            raise TimeoutError(f"not acknowledged within {self.timeout:.0f} s") from error
        except ProtocolError:  # the websocket closed: never acknowledged either
            self.tally.lost += 1
            raise
        if tab.problems:
            raise ProtocolError(tab.problems.pop(0))
        seconds = time.perf_counter() - start
        self.tally.done(kind, seconds)
        if len(tab.exceptions) > boxes:
            self.tally.exception_boxes += len(tab.exceptions) - boxes
            said = " | ".join(tab.exceptions[boxes:])
            self.tally.errors.append(f"{kind} on {self.here}: exception box: {said}")
        return seconds

    async def arrive(self, path: str) -> None:
        """Open a link in this tab: the old session is left, a new one starts."""
        await self.tab.close()
        self.tab = Tab(self.base)
        self.here = path.strip("/").split("?")[0] or "home"

        await self.timed("arrive", lambda: self.tab.open(path))
        await self._fetch_images()

    async def _fetch_images(self) -> None:
        for url in self.tab.images():
            await self.tab.get(url)

    async def open(self, stem: str | None = None) -> None:
        """Go to a page through the sidebar menu (a random other page if none is named)."""
        stem = stem or self.rng.choice([s for s in self.pages if s != self.here])
        self.here = stem
        await self.timed("open", lambda: self.tab.navigate(self.pages[stem].strip("/")))
        await self._fetch_images()

    async def visit(self, stem: str) -> None:
        if self.here != stem:
            await self.open(stem)

    def _question(self) -> tuple[bank.Variant, str]:
        """The practice page's question: its variant and its widgets' key prefix."""
        for key in self.tab.widgets:
            if found := re.fullmatch(r"practice:(.+):(\d+):answer", key):
                qid, seed = found.groups()
                return bank.variant(qid, int(seed)), f"practice:{qid}:{seed}"
        raise ProtocolError("no question box on the practice page")

    async def answer(self, how: str, hostile: list[str]) -> None:
        """Answer the practice question right, wrong or with a hostile input, then check it."""
        await self.visit(PRACTICE)
        variant, key = self._question()
        if variant.question.kind == "choice":
            if how == "hostile":  # a radio cannot take typed text: move on instead
                await self.timed("next", lambda: self.tab.press("practice_next"))
                return
            options = [o for o in variant.options if (o == variant.expected) == (how == "right")]
            text = self.rng.choice(options)
        elif how == "right":
            text = str(variant.expected)
        elif how == "wrong":
            text = load.wrong_answer(variant, self.rng)
        else:
            text = self.rng.choice(hostile)
        self.tab.set_value(f"{key}:answer", text)  # inside the form: sent with the submit
        await self.timed(how, lambda: self.tab.press(f"{key}:check"))
        self._judge(how, variant, text)
        if how == "right" and self.rng.random() < 0.5:
            await self.timed("next", lambda: self.tab.press("practice_next"))

    def _judge(self, how: str, variant: bank.Variant, text: str) -> None:
        """Count a verdict that does not fit: a right answer marked wrong, or a wrong one right."""
        box = f"quiz-practice:{variant.question.id}"
        alerts = [n.proto.alert for n in self.tab.elements(under=box) if n.kind == "alert"]
        verdict = " ".join(a.body for a in alerts if a.format != a.Format.INFO)
        correct = any(a.format == a.Format.SUCCESS for a in alerts)
        if load.BUSY in verdict:
            self.tally.busy += 1
        elif not verdict or correct != (how == "right"):
            typed = f"{text[:40]!r}" + ("..." if len(text) > 40 else "")
            self.tally.errors.append(
                f"{how} answer {typed} to {variant.question.id} (seed {variant.seed}): {verdict!r}"
            )

    async def preview(self) -> None:
        """Type an answer and press Preview (a choice question has none: next question)."""
        await self.visit(PRACTICE)
        variant, key = self._question()
        if variant.question.kind == "choice":
            await self.timed("next", lambda: self.tab.press("practice_next"))
            return
        right = self.rng.random() < 0.5
        text = str(variant.expected) if right else load.wrong_answer(variant, self.rng)
        self.tab.set_value(f"{key}:answer", text)
        await self.timed("preview", lambda: self.tab.press(f"{key}:preview"))

    async def hint(self) -> None:
        """Ask for the next hint (none left: next question)."""
        await self.visit(PRACTICE)
        _, key = self._question()
        if f"{key}:hint" not in self.tab.widgets:
            await self.timed("next", lambda: self.tab.press("practice_next"))
            return
        await self.timed("hint", lambda: self.tab.press(f"{key}:hint"))

    async def widget(self, only: str | None = None) -> None:
        """Change a number input or move a slider one step on a topic page."""
        choices = [w for w in load.WIDGETS if w[0] in self.pages and only in (None, w[1])]
        if not choices:
            return
        stem, key, kind, values = self.rng.choice(choices)
        await self.visit(stem)
        if key not in self.tab.widgets:  # not drawn in this state
            return
        element, _ = self.tab.widget(key)
        state = self.tab.states[getattr(element, element.WhichOneof("type")).id]
        if kind == "number":  # a value other than the current one, or nothing would rerun
            now = getattr(state, state.WhichOneof("value"))
            new = self.rng.choice([v for v in values if v != now])
        else:  # one step, away from an end
            new = self._step(element.slider, state)
        await self.timed("widget", lambda: self.tab.set_value(key, new))

    def _step(self, slider: Slider, state: WidgetState):
        if slider.type == Slider.Type.SELECT_SLIDER:
            options = list(slider.options)
            at = options.index(state.string_array_value.data[0])
            moves = [-1] * (at > 0) + [1] * (at < len(options) - 1)
            return options[at + self.rng.choice(moves)]
        at = state.double_array_value.data[0]
        moves = [-1] * (at > slider.min) + [1] * (at < slider.max)
        return at + self.rng.choice(moves) * slider.step

    async def live(self) -> None:
        """Press the live benchmark on its default shape (cached since the warm-up)."""
        stem, key = load.LIVE
        await self.visit(stem)
        await self.timed("live", lambda: self.tab.press(key))

    async def act(self, kind: str, hostile: list[str]) -> None:
        """One action of the self-study mix (bench/load.py ACTIONS)."""
        if kind == "open":
            await self.open()
        elif kind in ("right", "wrong", "hostile"):
            await self.answer(kind, hostile)
        elif kind == "check":
            await self.answer(self.rng.choice(("right", "wrong", "hostile")), hostile)
        elif kind == "preview":
            await self.preview()
        elif kind == "hint":
            await self.hint()
        elif kind.startswith("widget"):
            await self.widget(kind.partition(":")[2] or None)
        elif kind == "live":
            await self.live()
        else:
            raise ValueError(f"unknown action {kind!r}")


# ---------------------------------------------------------------- scenarios


@dataclass
class Run:
    """What a scenario hands back besides the tally: its own figures and notes."""

    students: int
    cpu_s: float = 0.0  # the server's CPU over the measured part
    elapsed_s: float = 0.0
    extra: dict = field(default_factory=dict)


async def _actor(student: Student, first: str, stop, hostile: list[str], think) -> None:
    """One self-study student: open the link `first`, then weighted random actions until stop()."""
    kinds, weights = zip(*load.ACTIONS, strict=True)
    kind = "arrive"
    while not stop():
        try:
            if kind == "arrive":
                await student.arrive(first)
            else:
                await student.act(kind, hostile)
        except Exception as error:  # an action that failed is counted, and the student goes on
            said = (str(error).splitlines() or [""])[0][:160]
            student.tally.errors.append(f"{kind} on {student.here}: {type(error).__name__} {said}")
            first, kind = "/", "arrive"
            continue
        kind = student.rng.choices(kinds, weights)[0]
        await asyncio.sleep(student.rng.uniform(*think))


async def selfstudy(config: Config, ctx: Context) -> Run:
    """Every student opens the instructor's practice link, then acts for `seconds` or `actions`."""
    qid = ctx.rng.choice(sorted(bank.bank()))
    first = f"/practice?question={qid}&seed={ctx.rng.randrange(1000)}"
    students = [ctx.student() for _ in range(config.students)]
    start = time.monotonic()
    ctx.probe.start()
    if config.actions:  # as load.py's soak: arrivals weigh the same whatever the pace
        stop = lambda: ctx.tally.actions >= config.actions  # noqa: E731
    else:
        stop = lambda: time.monotonic() - start > config.seconds  # noqa: E731
    await asyncio.gather(*(_actor(s, first, stop, ctx.hostile, config.think_s) for s in students))
    run = Run(config.students, ctx.probe.stop(), time.monotonic() - start)
    await _close(students)
    return run


async def lecture_start(config: Config, ctx: Context) -> Run:
    """Every student opens the same topic page at a random moment within `window` seconds."""
    students = [ctx.student() for _ in range(config.students)]
    moments = sorted(ctx.rng.uniform(0, config.window) for _ in students)
    start = time.monotonic()
    ctx.probe.start()

    async def arrive(student: Student, at: float) -> None:
        await asyncio.sleep(at)
        await _arrive(student, ctx.pages[config.page])

    await asyncio.gather(*(arrive(s, at) for s, at in zip(students, moments, strict=True)))
    run = Run(config.students, ctx.probe.stop(), time.monotonic() - start)
    run.extra["all_drawn_after_s"] = round(run.elapsed_s, 2)
    await _close(students)
    return run


async def demo(config: Config, ctx: Context) -> Run:
    """The students open a topic page and stay idle; the instructor moves a calculator slider."""
    stem, key = DEMO_WIDGET
    quiet = Tally()
    students = [ctx.student(quiet) for _ in range(config.students)]
    filling = [(0, load.memory(load.tree(ctx.probe.root))[0])]  # (students in, server PSS)
    for group in range(0, len(students), 10):  # ten at a time, like a room filling up
        await asyncio.gather(*(_arrive(s, ctx.pages[stem]) for s in students[group : group + 10]))
        await asyncio.sleep(1)
        filling.append((group + 10, load.memory(load.tree(ctx.probe.root))[0]))
    idle = load.Probe(ctx.probe.root).start()
    await asyncio.sleep(config.idle_s)
    idle_cpu = idle.stop()
    instructor = ctx.student(Tally())
    await instructor.arrive(ctx.pages[stem])
    instructor.tally = ctx.tally  # only the slider moves count
    start = time.monotonic()
    ctx.probe.start()
    for _ in range(config.moves):
        try:
            await instructor.widget(only=key)
        except Exception as error:
            ctx.tally.errors.append(f"slider move: {type(error).__name__} {error}"[:200])
        await asyncio.sleep(ctx.rng.uniform(*config.think_s))
    run = Run(config.students, ctx.probe.stop(), time.monotonic() - start)
    ctx.tally.errors += quiet.errors
    ctx.tally.exception_boxes += quiet.exception_boxes
    ctx.tally.lost += quiet.lost
    run.extra.update(
        students_arrive_s=load._percentiles(quiet.latencies.get("arrive", [])),
        idle_session_mb=_slope(filling) if len(filling) > 2 else None,  # PSS per student in
        idle_session_cpu_ms_per_s=round(idle_cpu * 1000 / config.idle_s / config.students, 4),
        idle_window_s=config.idle_s,
        pss_filling_mb=[(n, round(pss / 2**20)) for n, pss in filling],
    )
    await _close([*students, instructor])
    return run


async def kinds(config: Config, ctx: Context) -> Run:
    """One student does each action kind `repeat` times; the server's CPU read around each."""
    student = ctx.student()
    await student.arrive("/")
    root = ctx.probe.root
    start = time.monotonic()
    ctx.probe.start()
    for label, page, action in KINDS:
        for _ in range(config.repeat):
            if page:
                await student.visit(page)
            await asyncio.sleep(0.5)  # the last action's trailing work lands before the reading
            before = sum(load.tree(root).values())
            counts = {k: len(v) for k, v in ctx.tally.latencies.items()}
            try:
                await student.act(action, ctx.hostile)
            except Exception as error:
                ctx.tally.errors.append(f"{label}: {type(error).__name__} {error}"[:200])
                continue
            await asyncio.sleep(0.5)
            done = [k for k, v in ctx.tally.latencies.items() for _ in v[counts.get(k, 0) :]]
            wanted = ("right", "wrong", "hostile") if action == "check" else action.split(":")[:1]
            if len(done) == 1 and done[0] in wanted:  # one action, of this kind (not "next")
                ctx.tally.cpu.setdefault(label, []).append(sum(load.tree(root).values()) - before)
    run = Run(1, ctx.probe.stop(), time.monotonic() - start)
    await _close([student])
    return run


@dataclass
class Answer:
    """One class answer a student sent: to which question, what, and what the checker reads."""

    question: int  # its place in the class, from 0
    asked_id: int  # the question asked's id in the class database
    token: str  # the student's
    how: str  # right, slip or unreadable
    text: str
    judged: classroom.Judged  # as the driver's own checker judges it
    acked_at: float | None = None  # perf_counter when the student's page showed it sent
    acked_clock: float = 0.0  # the same moment on the wall clock (the database's answered_at)


class HostPanel:
    """The Answered count on the host's live panel, read after every run the host tab finishes."""

    def __init__(self, tab: Tab) -> None:
        self.tab = tab
        self.readings: list[tuple[float, int]] = []  # (perf_counter, answered) this question
        tab.on_finish = self.read

    def read(self) -> None:
        for node in self.tab.elements():
            if node.kind == "metric" and node.proto.metric.label == "Answered":
                self.readings.append((time.perf_counter(), int(node.proto.metric.body)))
                return

    def answered(self) -> int:
        return self.readings[-1][1] if self.readings else 0

    async def showing(self, answers: int) -> None:
        """Wait until the panel counts `answers` (TimeoutError after ACTION_TIMEOUT_S)."""
        enough = lambda: self.answered() >= answers  # noqa: E731
        await self.tab.wait_for(enough, ACTION_TIMEOUT_S, "the host's Answered count short")


def class_questions() -> list[bank.Question]:
    """The questions the host asks: per topic, the first typed one with a known slip."""
    chosen = []
    for topic in bank.TOPICS:
        typed = [
            q for q in bank.by_topic(topic) if q.kind in TYPED and bank.variant(q.id).distractors
        ]
        chosen += typed[:1]
    if len(chosen) < CLASS_QUESTIONS:
        raise ValueError(
            f"the bank has {len(chosen)} typed questions with a slip, not {CLASS_QUESTIONS}"
        )
    return chosen[:CLASS_QUESTIONS]


def class_answers(variant: bank.Variant) -> dict[str, list[str]]:
    """Texts of each kind of answer (CLASS_MIX) to a question: its answer, its slips, typos."""
    return {
        "right": [str(variant.expected)],
        "slip": [str(wrong) for wrong, _ in variant.distractors],
        "unreadable": list(UNREADABLE),
    }


def _judged(variant: bank.Variant, texts: dict[str, list[str]]) -> dict[str, classroom.Judged]:
    """Each text judged by the driver's own checker; ValueError if one is not of its kind."""
    out = {}
    for how, listed in texts.items():
        for text in listed:
            judged = None
            while judged is None:  # None: the checker was busy
                judged = classroom.judge(variant, text)
            fits = {"right": judged.correct, "slip": judged.slip is not None,
                    "unreadable": judged.reading is None}[how]  # fmt: skip
            if not fits:
                raise ValueError(f"{text!r} is not a {how} answer to {variant.question.id}")
            out[text] = judged
    return out


def _box(tab: Tab, answered: set[int]) -> int | None:
    """The asked id of the answer box on a student's page, if it is one not answered yet."""
    for key in tab.widgets:
        if (found := re.fullmatch(r"live:(\d+):answer", key)) and int(found[1]) not in answered:
            return int(found[1])
    return None


def _alerts(tab: Tab) -> list[Node]:
    return [n for n in tab.elements() if n.kind == "alert"]


def _outcome(tab: Tab, judged: classroom.Judged, stale: list[Node]) -> str | None:
    """What a student's page says of the answer just sent: sent, busy, another warning, or None.

    Sent: a new alert saying it was read as the checker reads it, or, for an unreadable answer,
    with the checker's reason; alerts drawn before the press (`stale`) do not count.
    """
    for node in _alerts(tab):
        if any(node is old for old in stale):
            continue
        alert = node.proto.alert
        if checking.BUSY in alert.body:
            return "busy"
        if judged.reading is None and judged.message in alert.body:
            return "sent"
        if judged.reading is not None and alert.format == alert.Format.SUCCESS:
            return (
                "sent" if f"${judged.reading}$" in alert.body else f"read otherwise: {alert.body}"
            )
        if alert.format in (alert.Format.WARNING, alert.Format.ERROR):
            return f"refused: {alert.body}"
    return None


async def _host_ask(host: Student, question: bank.Question) -> None:
    """Pick a question on the host view (topic, then question, on the course's numbers), open it."""
    tab = host.tab
    title, prompt = question.title, bank.variant(question.id).prompt

    def offered() -> bool:  # the question selectbox lists the topic's questions
        listed = tab.widgets.get("live_question")
        return listed is not None and title in listed[0].selectbox.options

    def shown() -> bool:  # the picker shows the question's prompt
        return any(n.kind == "markdown" and n.proto.markdown.body == prompt for n in tab.elements())

    topic = bank.TOPICS[question.topic]
    await host.timed("host pick", lambda: tab.set_value("live_topic", topic), offered)
    await host.timed("host pick", lambda: tab.set_value("live_question", title), shown)
    opened = lambda: "live_close" in tab.widgets  # noqa: E731
    await host.timed("host open", lambda: tab.press("live_open"), opened)


async def _host_move_on(host: Student) -> None:
    """Close answering, reveal, and clear the screen for the next question."""
    tab = host.tab
    await host.timed("host close", lambda: tab.press("live_close"),
                     lambda: "live_close" not in tab.widgets)  # fmt: skip
    await host.timed("host reveal", lambda: tab.press("live_reveal"),
                     lambda: "live_next" in tab.widgets)  # fmt: skip
    await host.timed("host next", lambda: tab.press("live_next"),
                     lambda: "live_next" not in tab.widgets)  # fmt: skip


async def _student_answers(student: Student, token: str, place: int, texts: dict[str, list[str]],
                           judged: dict[str, classroom.Judged], opened: float, window: float,
                           answered: set[int], sent: list[Answer]) -> None:  # fmt: skip
    """One student: wait for the question on the phone, answer by `opened + window`, see it sent."""
    tab, rng = student.tab, student.rng
    at = opened + rng.uniform(0, window)
    try:
        await tab.wait_for(lambda: _box(tab, answered) is not None and not tab.running,
                           window + student.timeout, "no answer box")  # fmt: skip
    except Exception as error:
        student.tally.errors.append(f"question {place + 1}: {type(error).__name__} {error}"[:200])
        return
    asked_id = _box(tab, answered)
    answered.add(asked_id)
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    how = rng.choices(*zip(*CLASS_MIX, strict=True))[0]
    text = rng.choice(texts[how])
    answer = Answer(place, asked_id, token, how, text, judged[text])
    sent.append(answer)
    while answer.acked_at is None:
        try:
            said = await _send(student, answer)
        except Exception as error:
            shown = [n.proto.alert.body[:60] for n in _alerts(tab)]  # what the phone says
            student.tally.errors.append(
                f"answer {text!r}: {type(error).__name__} {error}; the page shows {shown}"[:300]
                + f"; its messages from the Send: {' | '.join(_from_press(tab.trace))}"[
                    :TRACE_CHARS
                ]
            )
            return
        if said == "sent":
            answer.acked_at, answer.acked_clock = time.perf_counter(), time.time()
        elif said == "busy":  # the page asks to press Send again
            student.tally.busy += 1
        else:
            student.tally.errors.append(f"answer {text!r} to question {place + 1}: {said}"[:200])
            return


def _from_press(trace) -> list[str]:
    """A tab's trace from its last press on: what the server did after the Send."""
    lines = list(trace)
    pressed = [i for i, line in enumerate(lines) if " pressing " in line]
    return lines[max(0, pressed[-1] - 4) :] if pressed else lines[-40:]


async def _send(student: Student, answer: Answer) -> str:
    """Type the answer, press Send, and wait until the page says what became of it."""
    tab, key = student.tab, f"live:{answer.asked_id}"
    stale = _alerts(tab)
    tab.set_value(f"{key}:answer", answer.text)  # inside the form: sent with the Send button
    said = lambda: _outcome(tab, answer.judged, stale)  # noqa: E731
    await student.timed("answer", lambda: tab.press(f"{key}:check"), lambda: said() is not None)
    return said()


def _to_host_view(acked: list[float], readings: list[tuple[float, int]]) -> list[float | None]:
    """Per acknowledged answer (in order), seconds until the host's Answered count included it.

    The k-th answer acknowledged is in the first count of at least k read after it; None: never.
    """
    out = []
    for rank, at in enumerate(sorted(acked), 1):
        seen = next((when for when, n in readings if when >= at and n >= rank), None)
        out.append(None if seen is None else seen - at)
    return out


def _stored(database: str, code: str, secret: str, sent: list[Answer]) -> tuple[list, list[str]]:
    """The class's questions and answers as its database holds them, and each sent answer's fate.

    Fates: "stored" (as sent, judged as the driver judged it, before its acknowledgement), "lost"
    (acknowledged, not stored), "unacknowledged", or a sentence on what differs.
    """
    engine = sa.create_engine(database)
    try:
        store = classroom.Store(engine)
        history = store.history(code, secret)
        fates = []
        for answer in sent:
            mine = store.mine(answer.asked_id, answer.token)
            expect = answer.judged
            if answer.acked_at is None:
                fates.append("unacknowledged")
            elif mine is None or mine.text != answer.text:
                fates.append("lost")
            elif mine.answered_at > answer.acked_clock:
                fates.append(f"{answer.text!r} acknowledged before it was stored")
            elif (mine.reading, mine.correct, mine.slip) != (expect.reading, expect.correct,
                                                             expect.slip):  # fmt: skip
                fates.append(f"{answer.text!r} stored as {mine.reading!r}, correct {mine.correct}")
            else:
                fates.append("stored")
    finally:
        engine.dispose()
    return history, fates


async def _poll_cost(ctx: Context, students: list[Student], seconds: float) -> dict:
    """The server's CPU per live-class refresh: a window in which every tab only polls.

    Between joining and the first question the phones poll (every 1.5 s) and the host's panel
    refreshes (every 2 s), and nothing else runs, so the server's CPU in the window over the runs
    the tabs saw finish is the cost of one refresh, the server's part of every tick included.
    """
    before = sum(s.tab.finished for s in students)
    probe = load.Probe(ctx.probe.root).start()
    await asyncio.sleep(seconds)
    cpu = probe.stop()
    runs = sum(s.tab.finished for s in students) - before
    return {
        "window_s": seconds,
        "runs": runs,
        "server_cpu_s": round(cpu, 3),
        "cpu_ms_per_refresh": round(cpu * 1000 / runs, 2) if runs else None,
    }


async def live_class(config: Config, ctx: Context) -> Run:
    """A host starts a class; students join by its link and answer three questions as asked."""
    questions = class_questions()
    variants = [bank.variant(q.id) for q in questions]
    texts = [class_answers(v) for v in variants]
    judged = [_judged(v, t) for v, t in zip(variants, texts, strict=True)]
    start = time.monotonic()
    ctx.probe.start()
    host = ctx.student()
    await host.arrive(f"/{CLASS_PAGE}")
    await host.timed("host start", lambda: host.tab.press("live_start"),
                     lambda: "live_open" in host.tab.widgets)  # fmt: skip
    await host._fetch_images()  # the join link's QR code
    role = parse_qs(host.tab.query)
    code, secret = role["class"][0], role["host"][0]
    panel = HostPanel(host.tab)
    students, tokens = [ctx.student() for _ in range(config.students)], {}
    for group in range(0, len(students), 10):  # ten at a time, like a room filling up
        await asyncio.gather(*(_arrive(s, f"/{CLASS_PAGE}?class={code}")
                               for s in students[group : group + 10]))  # fmt: skip
    for student in students:
        token = parse_qs(student.tab.query).get("student")
        if token:
            tokens[id(student)] = token[0]
        else:
            ctx.tally.errors.append(f"a student did not join: {student.tab.query!r}")
    seated = [s for s in students if id(s) in tokens]
    polls = await _poll_cost(ctx, [*seated, host], config.idle_s)
    answered = {id(s): set() for s in seated}
    sent: list[Answer] = []
    to_host: list[float | None] = []
    shown = []  # the host's last Answered count per question
    for place, question in enumerate(questions):
        try:
            await _host_ask(host, question)
        except Exception as error:  # the class cannot go on without its question
            ctx.tally.errors.append(f"host, question {place + 1}: {type(error).__name__} {error}")
            break
        panel.readings = []
        opened = time.perf_counter()
        await asyncio.gather(*(
            _student_answers(s, tokens[id(s)], place, texts[place], judged[place], opened,
                             config.window, answered[id(s)], sent)
            for s in seated
        ))  # fmt: skip
        acked = [a.acked_at for a in sent if a.question == place and a.acked_at is not None]
        try:  # the host's panel refreshes on its own; give it a few polls to count them all
            await panel.showing(len(acked))
        except TimeoutError as error:
            ctx.tally.errors.append(f"question {place + 1}: {error}, {panel.answered()} of "
                                    f"{len(acked)}")  # fmt: skip
        to_host += _to_host_view(acked, panel.readings)
        shown.append(panel.answered())
        try:
            await _host_move_on(host)
        except Exception as error:
            ctx.tally.errors.append(f"host, question {place + 1}: {type(error).__name__} {error}")
            break
    run = Run(config.students, ctx.probe.stop(), time.monotonic() - start)
    history, fates = _stored(ctx.database, code, secret, sent)
    lost = fates.count("lost")
    ctx.tally.lost += lost
    ctx.tally.errors += [f"stored answer: {f}" for f in fates if f not in FATES]
    asked = [a.question_id for a, _ in history]
    if asked != [q.id for q in questions]:
        ctx.tally.errors.append(
            f"the class database asked {asked}, not {[q.id for q in questions]}"
        )
    seen = [s for s in to_host if s is not None]
    run.extra["class"] = {
        "questions": [q.id for q in questions],
        "answers_sent": len(sent),
        "acknowledged": sum(a.acked_at is not None for a in sent),
        "stored": sum(len(answers) for _, answers in history),
        "lost": lost,
        "mix": {how: sum(a.how == how for a in sent) for how, _ in CLASS_MIX},
        "host_answered_shown": shown,
        "host_never_showed": len(to_host) - len(seen),
        "answer_to_host_view_s": load._percentiles(seen),
        "window_s": config.window,
        "polls": polls,
    }
    await _close([*students, host])
    return run


SCENARIOS: dict[str, Callable[[Config, Context], Awaitable[Run]]] = {
    "selfstudy": selfstudy,
    "lecture-start": lecture_start,
    "demo": demo,
    "kinds": kinds,
    "class": live_class,
}


def _slope(points: list[tuple[int, int]]) -> float:
    """MB per student: the least-squares slope of server PSS (bytes) against students in."""
    slope, _ = statistics.linear_regression(*zip(*points, strict=True))
    return round(slope / 2**20, 2)


async def _arrive(student: Student, path: str) -> None:
    """Arrive; a failure is counted as an error and the student stays where they are."""
    try:
        await student.arrive(path)
    except Exception as error:
        student.tally.errors.append(f"arrive: {type(error).__name__} {error}"[:200])


async def _close(people: list[Student]) -> None:
    await asyncio.gather(*(p.tab.close() for p in people), return_exceptions=True)


# ---------------------------------------------------------------- the run


@dataclass
class Context:
    """What every scenario needs: the server, its probe, the pages, the shared tally."""

    base: str
    probe: load.Probe
    pages: dict[str, str]  # file stem: URL path
    hostile: list[str]
    rng: random.Random
    database: str = ""  # the class database's SQLAlchemy URL (the server's, through its secrets)
    tally: Tally = field(default_factory=Tally)

    def student(self, tally: Tally | None = None, timeout: float = ACTION_TIMEOUT_S) -> Student:
        rng = random.Random(self.rng.random())
        return Student(self.base, self.pages, rng, tally or self.tally, timeout)


async def warm_up(ctx: Context) -> None:
    """One tab visits every page once and runs the live benchmark once, as bench/load.py does."""
    student = Student(ctx.base, ctx.pages, random.Random(), Tally(), WARM_UP_TIMEOUT_S)
    await student.arrive("/")  # its own dice: the students' follow load.py's, seed for seed
    listed = {"/" + path if path else "/" for path in student.tab.pages}
    for stem in [s for s, path in ctx.pages.items() if path not in listed]:
        print(f"note: app_pages/{stem}.py is not in the navigation; students skip it")
        del ctx.pages[stem]
    for stem in ctx.pages:
        await student.visit(stem)
    if load.LIVE[0] in ctx.pages:
        await student.live()
    await _close([student])


async def _drive(config: Config, base: str, probe: load.Probe,
                 database: str) -> tuple[Tally, Run, dict]:  # fmt: skip
    os.nice(load.BROWSER_NICE)
    rng = random.Random(config.seed)
    ctx = Context(base, probe, load.discover_pages(), load.hostile_inputs(), rng, database)
    if not config.cold:
        await warm_up(ctx)
    load_before = os.getloadavg()[0]
    cpu_before = _own_cpu()
    run = await SCENARIOS[config.scenario](config, ctx)
    machine = {
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "driver_cpu_s": round(_own_cpu() - cpu_before, 2),
    }
    return ctx.tally, run, machine


def class_database(folder: Path, settings: dict) -> tuple[tuple[str, ...], str]:
    """A secrets file that puts the live class in a new SQLite file in `folder`, with `settings`.

    Returns the server's options that read it, and the file's SQLAlchemy URL.
    """
    path = folder / "classes.sqlite"
    lines = [f"sqlite_path = {json.dumps(str(path))}"]
    lines += [f"{name} = {value!r}" for name, value in settings.items()]
    secrets = folder / "secrets.toml"
    secrets.write_text("[live_class]\n" + "\n".join(lines) + "\n")
    return ("--secrets.files", str(secrets)), f"sqlite:///{path}"


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(config: Config, profile_to: Path | None = None) -> dict:
    """Start a server, drive it, stop it; the figures as plain data."""
    server_cores, driver_cores = load.cores()
    port = config.port or load.free_port()
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryFile("w+") as log:
        secrets, database = class_database(Path(folder), {})
        options = (*config.server_options, *secrets)
        server = load.start_server(port, options, server_cores, log)
        os.sched_setaffinity(0, driver_cores)
        probe = load.Probe(server.pid)
        spy = _py_spy(server.pid, profile_to) if profile_to else None
        base = f"http://127.0.0.1:{port}"
        try:
            tally, outcome, machine = asyncio.run(_drive(config, base, probe, database))
        finally:
            if spy:
                spy.send_signal(2)  # SIGINT: py-spy writes what it has and exits
                spy.wait(timeout=60)
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        log.seek(0)
        tracebacks = load._tracebacks(log.read())
    every = [s for v in tally.latencies.values() for s in v]
    actions = tally.actions
    return {
        "config": asdict(config),
        "driver": "protocol",
        "isolation": {
            "server_cores": sorted(server_cores),
            "driver_cores": sorted(driver_cores),
            **machine,
            "how": "CPU read from /proc for the server's process tree only; server tree pinned "
            "to one core at nice 0, this driver (one asyncio process) on every core at nice "
            f"{load.BROWSER_NICE}",
        },
        "students": outcome.students,
        "actions": actions,
        "actions_per_s": round(actions / max(outcome.elapsed_s, 1e-9), 2),
        "errors": len(tally.errors),
        "lost": tally.lost,
        "error_samples": list(dict.fromkeys(tally.errors))[:20],  # the first 20 distinct
        "server_tracebacks": tracebacks[:5],
        "exception_boxes": tally.exception_boxes,
        "checker_busy_refusals": tally.busy,
        "latency_s": load._percentiles(every),
        "latency_by_action_s": {
            k: load._percentiles(v) for k, v in sorted(tally.latencies.items())
        },
        "server_cpu_s": round(outcome.cpu_s, 2),
        "server_cpu_s_per_action": round(outcome.cpu_s / max(actions, 1), 4),
        "server_cpu_s_by_kind": {k: _cpu_figures(v) for k, v in tally.cpu.items()},
        "peak_server_pss_mb": round(probe.peak_pss / 2**20),
        "peak_server_rss_mb": round(probe.peak_rss / 2**20),
        "memory_timeline_mb": load._timeline(probe.timeline),
        "elapsed_s": round(outcome.elapsed_s, 1),
        **outcome.extra,
    }


def _cpu_figures(values: list[float]) -> dict:
    return {"n": len(values), "mean": round(statistics.fmean(values), 4),
            "median": round(statistics.median(values), 4)}  # fmt: skip


def _py_spy(pid: int, out: Path) -> subprocess.Popen:
    """py-spy sampling the server and its children, not pausing it, until SIGINT."""
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(pid),
           "--subprocesses", "--nonblocking", "--format", "raw", "--output", str(out)]  # fmt: skip
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def line(result: dict) -> str:
    """The one line every scenario ends with."""
    return (
        f"load: students {result['students']}, actions {result['actions']}, errors "
        f"{result['errors']}, lost {result['lost']}, p95 {result['latency_s'].get('p95', 0):.2f} "
        f"s, server CPU per action {result['server_cpu_s_per_action']:.3f} s, peak memory "
        f"{result['peak_server_pss_mb']} MB"
    )


def class_line(result: dict) -> str:
    """The line the class scenario ends with, after the load line."""
    c = result["class"]
    return (
        f"class: students {result['students']}, answers sent {c['answers_sent']}, stored "
        f"{c['stored']}, lost {c['lost']}, p95 answer-to-host-view "
        f"{c['answer_to_host_view_s'].get('p95', float('nan')):.1f} s"
    )


def polls_line(result: dict) -> str:
    """The class scenario's refresh cost, the line after the class line."""
    p = result["class"].get("polls") or {}
    cost = p.get("cpu_ms_per_refresh")
    return (
        f"polls: {p.get('runs', 0)} refreshes in {p.get('window_s', 0):g} s with only polling, "
        f"server CPU per refresh {'n/a' if cost is None else f'{cost:.2f} ms'}"
    )


def table(result: dict) -> str:
    """The figures behind the line, as a small text table."""
    lat = result["latency_s"]
    rows = [
        ("scenario", f"{result['config']['scenario']} (protocol driver)"),
        ("latency p50 / p95 / max", f"{lat.get('p50')} / {lat.get('p95')} / {lat.get('max')} s"),
        ("server CPU total", f"{result['server_cpu_s']} s in {result['elapsed_s']} s"),
        ("driver CPU", f"{result['isolation']['driver_cpu_s']} s (not in the above)"),
        ("machine load (1 min)", f"{result['isolation']['load_average']} at start, end"),
        ("peak server memory", f"{result['peak_server_pss_mb']} MB PSS, "
                               f"{result['peak_server_rss_mb']} MB RSS"),
        ("checker busy refusals", result["checker_busy_refusals"]),
    ]  # fmt: skip
    lines = [f"{name:26} {value}" for name, value in rows]
    lines.append("latency by action (n, p50, p95, s):")
    for kind, p in result["latency_by_action_s"].items():
        lines.append(f"  {kind:28} {p['n']:5}  {p['p50']:7}  {p['p95']:7}")
    if result["server_cpu_s_by_kind"]:
        lines.append("server CPU by action kind (n, median, mean, s):")
        for kind, c in result["server_cpu_s_by_kind"].items():
            lines.append(f"  {kind:28} {c['n']:5}  {c['median']:7}  {c['mean']:7}")
    for name in ("idle_session_mb", "idle_session_cpu_ms_per_s", "students_arrive_s",
                 "all_drawn_after_s", "class"):  # fmt: skip
        if name in result:
            lines.append(f"{name.replace('_', ' '):26} {result[name]}")
    lines += [f"error: {e}" for e in result["error_samples"]]
    lines += [f"server traceback:\n{t}" for t in result["server_tracebacks"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", choices=list(SCENARIOS), default=Config.scenario)
    parser.add_argument("--students", type=int, default=Config.students)
    parser.add_argument("--seconds", type=float, default=Config.seconds)
    parser.add_argument("--actions", type=int, default=Config.actions, help="selfstudy: stop "
                        "after this many actions instead of --seconds")  # fmt: skip
    parser.add_argument(
        "--window",
        type=float,
        help="lecture-start: arrivals spread over it "
        "(default 20 s); class: answers within it of a question opening (30 s)",
    )
    parser.add_argument("--moves", type=int, default=Config.moves)
    parser.add_argument("--repeat", type=int, default=Config.repeat)
    parser.add_argument("--page", default=Config.page, help="lecture-start's topic page (stem)")
    parser.add_argument("--cold", action="store_true", help="no warm-up before measuring")
    parser.add_argument("--seed", type=int, default=Config.seed)
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: any)")
    parser.add_argument("--profile", type=Path, help="py-spy the server into this raw file")
    parser.add_argument("--out", type=Path, help="JSON file (default bench/results/protocol-"
                        "<scenario>.json, one record per number of students)")  # fmt: skip
    parser.add_argument(
        "--server-option", action="append", default=[], metavar="SECTION.OPTION=VALUE"
    )
    args = parser.parse_args(argv)
    options = tuple(
        part for option in args.server_option for part in (f"--{option.split('=')[0]}",
                                                            option.split("=", 1)[1])
    )  # fmt: skip
    config = Config(
        scenario=args.scenario, students=args.students, seconds=args.seconds, actions=args.actions,
        window=args.window, moves=args.moves, repeat=args.repeat, page=args.page,
        cold=args.cold, seed=args.seed, server_options=options, port=args.port,
    )  # fmt: skip
    result = run(config, args.profile)
    print(table(result))
    out = args.out or RESULTS / f"protocol-{config.scenario}.json"
    record = json.loads(out.read_text()) if out.exists() else {}
    record[str(config.students)] = result
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(f'figures written to {out} (under "{config.students}")')
    if args.profile and args.profile.exists():
        print(f"profile of the server ({args.profile}):\n{profile.top(args.profile.read_text())}")
    print(line(result))
    if "class" in result:
        print(class_line(result))
        print(polls_line(result))
    return 0 if result["errors"] == 0 and result["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
