"""A fragment's rerun that lands just after a run ended must not swallow that run's messages.

Streamlit's script thread hands each message to the event loop, which sends it later. Here the
loop is held (this test's coroutine does not yield) while the first run finishes, then a
fragment's rerun arrives, as a Send press or a poll's tick does in a busy live class. Streamlit
alone starts a new ScriptRunner and drops the finished run's events; `runtime.keep_finished_runs`
delivers them, in order, before the new run's.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RACE = """
import asyncio, json, sys, tempfile, time
from pathlib import Path
from unittest import mock

from streamlit import runtime as st_runtime
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.script_data import ScriptData
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType
from streamlit.runtime.uploaded_file_manager import UploadedFileManager

if sys.argv[1] == "kept":
    from ui import runtime
    runtime.keep_finished_runs()
    runtime.keep_finished_runs()  # a second call changes nothing

APP = '''
import streamlit as st
st.markdown("drawn by the full run")
@st.fragment
def box():
    st.button("Send", key="send")
box()
'''

async def race():
    folder = Path(tempfile.mkdtemp())
    (folder / "app.py").write_text(APP)
    session = AppSession(ScriptData(str(folder / "app.py"), is_hello=False),
                         mock.MagicMock(spec=UploadedFileManager), ScriptCache(), None, {})
    session.request_rerun(None)
    first = session._scriptrunner
    while first._requests._state != ScriptRequestType.STOP:  # the run is over, its events wait
        time.sleep(0.01)
    (fragment,) = session._fragment_storage._fragments
    session.request_rerun(ClientState(fragment_id=fragment))
    replaced = session._scriptrunner is not first
    for _ in range(300):
        await asyncio.sleep(0.01)
        if session._scriptrunner is None:
            break
    said = []
    for msg in session._browser_queue.flush():
        kind = msg.WhichOneof("type")
        if kind == "delta":
            kind = msg.delta.new_element.WhichOneof("type") or msg.delta.WhichOneof("type")
        elif kind in ("new_session", "script_finished"):
            kind += " fragment" if msg.metadata.run.fragment_ids else " page"
        said.append(kind)
    print(json.dumps({"replaced": replaced, "said": said}))

with mock.patch.object(st_runtime.Runtime, "_instance", mock.MagicMock()):
    asyncio.run(race())
"""


def _race(how: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", RACE, how], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.splitlines()[-1])


def _runs(said: list[str]) -> list[str]:
    return [kind for kind in said if kind.startswith(("new_session", "script_finished"))]


def test_streamlit_alone_drops_the_finished_run_when_a_fragment_rerun_races_it():
    """The race this app patches: if Streamlit fixes it, this fails and the patch can go."""
    seen = _race("streamlit")
    assert seen["replaced"]
    assert "markdown" not in seen["said"]
    assert _runs(seen["said"]) == ["new_session fragment", "script_finished fragment"]


def test_the_finished_run_is_delivered_before_the_fragment_run():
    seen = _race("kept")
    assert seen["replaced"]
    assert _runs(seen["said"]) == [
        "new_session page",
        "script_finished page",
        "new_session fragment",
        "script_finished fragment",
    ]
    page_end = seen["said"].index("script_finished page")
    assert "markdown" in seen["said"][:page_end]
    assert "button" in seen["said"][page_end:]  # the fragment run redrew its box
