"""Run every benchmark in turn (figures go to bench/RESULTS.md by hand: each script prints its
markdown table). Usage: .venv/bin/python bench/run_all.py"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "bench_calc.py",
    "bench_parsers.py",
    "bench_import.py",
    "bench_import_hold.py",
    "bench_reports.py",
    "bench_dashboards.py",
    "bench_uncertainty.py",
    "bench_kernel_memory.py",
    "bench_backup.py",
]

if __name__ == "__main__":
    failed = []
    for name in SCRIPTS:
        path = HERE / name
        if not path.exists():
            continue
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, str(path)], cwd=HERE.parent).returncode != 0:
            failed.append(name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")
