"""Render times of the home and practice pages (no torch): `python -m bench.practice`.

Targets: a warm rerun (what a click costs) under 150 ms, and neither page importing torch.
"""

from bench import pages

PAGES = ["app_pages/home.py", "app_pages/practice.py"]


def run() -> dict:
    """Cold render in a fresh process and warm reruns through the entrypoint, per page."""
    results = {}
    for page in PAGES:
        cold = pages.cold_render(page)
        results[page] = {
            "cold_render_s": round(cold["cold_s"], 2),
            "imported_torch": cold["torch"],
            "warm_rerun_wall": pages.wall_ms(pages.entry_app(page)),
        }
    results["targets"] = {"warm_rerun_ms": 150, "imported_torch": False}
    return results


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:24} {value}")
