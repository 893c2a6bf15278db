"""Links that reproduce a setup: values from the URL, hostile ones refused, the link round-trips,
and every linked widget bounded exactly as its Link."""

import ast
import re
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from ui.links import Link

ROOT = Path(__file__).resolve().parents[2]

SKIP = "app_pages/skip_connections.py"
SEPARABLE = "app_pages/separable_convolutions.py"
TRANSFER = "app_pages/transfer_learning.py"
PRESETS = {
    SKIP: (
        {"delta": "0.7", "L": "30", "tau": "0.02", "gf_act": "tanh", "C": "16", "stride": "1"},
        {"vg_delta": 0.7, "vg_depth": 30, "vg_tau": 0.02, "gf_act": "tanh", "pj_c": 16,
         "pj_stride": 1},
    ),
    SEPARABLE: (
        {"D_K": "5", "M": "48", "N": "200", "mix": "sepia", "t": "4", "bench_N": "256"},
        {"sep_kernel": 5, "sep_in": 48, "sep_out": 200, "sep_mix_preset": "sepia", "sep_ir_t": 4,
         "sep_b_out": 256},
    ),
    TRANSFER: (
        {"head_lr": "0.001", "r": "0.5", "groups": "4", "images": "500", "similarity": "0.8",
         "unfrozen": "5", "strategies": "B,C", "per_class": "25", "seed": "3"},
        {"tl_head_lr": 0.001, "tl_decay": 0.5, "tl_groups": 4, "tl_images": 500,
         "tl_similarity": 0.8, "tl_unfrozen": 5, "tl_lab_strategies": ["B", "C"],
         "tl_lab_per_class": 25, "tl_lab_seed": 3},
    ),
}  # fmt: skip


def _open(new_app, page, query):
    at = new_app()
    for name, value in query.items():
        at.query_params[name] = value
    at.run().switch_page(page).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", PRESETS)
def test_a_link_sets_every_value_it_names(new_app, page):
    query, expected = PRESETS[page]
    at = _open(new_app, page, query)
    assert {key: at.session_state[key] for key in expected} == expected
    assert not [w for w in at.warning if w.icon == "🔗"]  # no link notice (pages warn of more)


def test_hostile_and_absurd_values_fall_back_to_the_defaults_with_a_notice(new_app, open_page):
    defaults = open_page(SKIP)
    query = {"delta": "1e309", "L": "-5", "tau": "__import__('os')", "gf_act": "<script>"}
    at = _open(new_app, SKIP, query)
    for key in ("vg_delta", "vg_depth", "vg_tau", "gf_act"):
        assert at.session_state[key] == defaults.session_state[key]
    notice = " ".join(w.value for w in at.warning)
    assert all(name in notice for name in query)


def test_a_link_opened_mid_session_is_applied_too(open_page):
    at = open_page(SKIP)
    at.query_params["delta"] = "0.6"
    at.run()
    assert at.session_state["vg_delta"] == 0.6


def test_a_link_is_applied_once_so_the_student_can_change_the_value_afterwards(new_app):
    at = _open(new_app, SKIP, {"delta": "0.7"})
    at.number_input(key="vg_delta").set_value(0.95).run()
    assert at.session_state["vg_delta"] == 0.95


@pytest.mark.parametrize("page", PRESETS)
def test_the_copy_link_reproduces_the_setup_on_a_new_session(new_app, page):
    query, expected = PRESETS[page]
    at = _open(new_app, page, query)
    links = [c.value for c in at.code if c.value.startswith("?") or "://" in c.value]
    assert links
    shared = {}
    for link in links:
        shared |= dict(parse_qsl(re.sub(r"^[^?]*\?", "", link)))
    again = _open(new_app, page, shared)
    assert {key: again.session_state[key] for key in expected} == expected


BOUNDED = (SKIP, SEPARABLE, TRANSFER)
WIDGETS = ("number_input", "slider", "select_slider", "selectbox", "radio", "multiselect", "toggle")


def declared_links(page: str) -> list[Link]:
    """Every Link a page declares, read by running only its imports, definitions and assignments."""
    tree = ast.parse((ROOT / page).read_text(encoding="utf-8"))
    kept = (ast.Import, ast.ImportFrom, ast.Assign, ast.FunctionDef)
    module = ast.Module([node for node in tree.body if isinstance(node, kept)], type_ignores=[])
    names: dict = {}
    exec(compile(module, page, "exec"), names)  # the page's own trusted code, without its layout
    found = {}
    for value in names.values():
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, Link):
                found[item.key] = item
    return list(found.values())


def bounds(at, link: Link) -> tuple:
    """What the page's widget for a link accepts, in the link's terms."""
    widget = next(w for kind in WIDGETS for w in at.get(kind) if w.key == link.key)
    if link.kind in ("int", "float"):
        return widget.proto.min, widget.proto.max, widget.proto.step if link.step else None
    if link.kind == "bool":
        return (widget.type,)
    return tuple(widget.options)


def expected(at, link: Link) -> tuple:
    """The same, read from the link."""
    if link.kind in ("int", "float"):
        return link.low, link.high, link.step
    if link.kind == "bool":
        return ("toggle",)
    widget = next(w for kind in WIDGETS for w in at.get(kind) if w.key == link.key)
    return tuple(str(widget.format_func(choice)) for choice in link.choices)


@pytest.mark.parametrize("page", BOUNDED)
def test_every_linked_widget_accepts_exactly_what_its_link_accepts(open_page, page):
    at = open_page(page, _skip_degradation_revealed=True)  # the sweep's form shows once revealed
    links = declared_links(page)
    assert links
    assert {link.key: bounds(at, link) for link in links} == {
        link.key: expected(at, link) for link in links
    }
