"""Run the benchmarks: ``python -m bench [NAME ...]`` (all when no name is given).

Each benchmark prints one JSON line per figure, beside a baseline measured in the same run.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sahayata.settings")
    django.setup()
    import bench

    wanted = sys.argv[1:]
    names = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )
    for name in names:
        if wanted and name not in wanted:
            continue
        if not wanted and name.startswith("loadtest"):
            continue  # `make loadtest`: needs locust and takes minutes
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    main()
