"""Benchmark: the longest lifecycle we test, measured in history events and payload bytes.

The logic lives in bench/lifecycle.py (the benchmark harness runs it too); this keeps the
old command working:

    .venv/bin/python scripts/bench_lifecycle.py [--events 300] [--history-limit 10000]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lifecycle import main  # noqa: E402

if __name__ == "__main__":
    main()
