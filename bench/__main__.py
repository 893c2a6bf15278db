"""`make bench`: every speed figure the project tracks, printed with its target."""

import importlib
import json
import sys

SUITES = ["check_latency", "practice", "skip_connections", "separable_convolutions"]


def main() -> int:
    results = {}
    for name in SUITES:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}", flush=True)
        results[name] = module.run()
    print(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
