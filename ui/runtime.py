"""The server process's settings that no page sees: keep the collection after every rerun cheap.

Streamlit calls `gc.collect(2)` after every script run (`runner.postScriptGC`). With torch, SymPy,
pandas and Altair imported, that full collection walked millions of long-lived objects: about
0.3-0.5 s of server CPU per rerun here, even for an 8 ms page. `gc.freeze()` moves every object
alive now into a permanent generation the collector skips, so the collection after each rerun
walks only what was made since. Frozen objects are still freed when nothing refers to them; only
garbage cycles among them would stay. So the heap is frozen right after a collection, and only
when modules were imported since the last freeze: a few times in a server's life (the first
visit to a page imports torch, a live run imports more), never per rerun.
It deliberately leaves `runner.postScriptGC` on: what reruns make is still collected at once.
"""

from __future__ import annotations

import gc
import sys
import threading

_LOCK = threading.Lock()
_frozen_modules = 0  # len(sys.modules) when the heap was last frozen


def freeze_imports() -> None:
    """Collect, then freeze the heap, if modules were imported since the last freeze."""
    global _frozen_modules
    if len(sys.modules) == _frozen_modules:
        return
    with _LOCK:
        if len(sys.modules) == _frozen_modules:
            return
        gc.collect()
        gc.freeze()
        _frozen_modules = len(sys.modules)
