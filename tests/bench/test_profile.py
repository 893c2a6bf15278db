"""Reading py-spy's raw profiles: own time at the innermost frame, total time once per stack."""

from bench import profile

RAW = """\
process 12 python;<module> (streamlit_app.py:3);run (app_pages/home.py:10);sum (core/a.py:5) 7
process 12 python;<module> (streamlit_app.py:3);run (app_pages/home.py:12) 2
process 12 python;f (/x/site-packages/st/r.py:9);f (/x/site-packages/st/r.py:11) 1
"""


def test_own_time_counts_the_innermost_frame_and_one_function_is_one_row_whatever_its_line():
    own, _, every = profile.read(RAW)
    assert every == 10
    assert own == {"sum (core/a.py)": 7, "run (app_pages/home.py)": 2, "f (st/r.py)": 1}


def test_total_time_counts_a_function_once_per_stack_even_when_it_recurses():
    _, total, _ = profile.read(RAW)
    assert total["<module> (streamlit_app.py)"] == 9
    assert total["run (app_pages/home.py)"] == 9
    assert total["f (st/r.py)"] == 1


def test_the_report_lists_the_heaviest_first_with_their_share():
    report = profile.top(RAW, n=1)
    assert "  70.0%        7  sum (core/a.py)" in report
    assert "  90.0%        9  <module> (streamlit_app.py)" in report
