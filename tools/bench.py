"""Benchmark: the notebook tests against the fixed cost of importing TensorFlow.

    python -m tools.bench        (or `make bench`)

1. Runs the notebook part of `make test` (pytest's flags in pyproject.toml: strict nbval, in
   parallel) and times it.
2. Runs N bare `python -c "import tensorflow"`, one after another, N = number of notebooks.
3. Prints both and their ratio. The ratio shows how much of the notebook run is more than the
   unavoidable start-up of one TensorFlow per notebook; the course's target is <= 0.8.
4. Executes each notebook once more in a fresh kernel (in memory; nothing is written) and
   prints its execution time and the kernel's peak resident memory. Target: <= 8 s each.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import nbformat

from tools.course import ROOT, lessons, run

NOTEBOOKS = lessons()
PEAK_RSS = (
    "import resource, sys\n"
    "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "print(peak * 1024 if sys.platform != 'darwin' else peak)"  # Linux: KiB, macOS: bytes
)


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def execute_with_peak(path: Path) -> tuple[float, int]:
    """Execute a notebook in memory; return (seconds, peak RSS of its kernel in bytes)."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PEAK_RSS))
    seconds = run(nb, path.parent)
    return seconds, int(nb.cells[-1].outputs[0]["text"])


def main() -> int:
    if not NOTEBOOKS:
        print("no notebooks to benchmark", file=sys.stderr)
        return 1
    n = len(NOTEBOOKS)
    notebooks_s = timed([sys.executable, "-m", "pytest", "-q", "notebooks"])
    imports_s = sum(
        timed([sys.executable, "-c", "import tensorflow"]) for _ in range(n)
    )

    print(f"notebooks: {n}")
    print(f"nbval run of all notebooks (make test's flags): {notebooks_s:6.1f} s")
    print(f"{n} bare `import tensorflow`, one after another:  {imports_s:6.1f} s")
    print(f"ratio: {notebooks_s / imports_s:.2f}  (target <= 0.8)")
    print()
    width = max(len(path.name) for path in NOTEBOOKS) + 2
    print(f"{'notebook':{width}} {'execute':>8} {'peak RSS':>10}")
    for path in NOTEBOOKS:
        seconds, peak = execute_with_peak(path)
        flag = "" if seconds <= 8 else "  (over the 8 s target)"
        print(f"{path.name:{width}} {seconds:7.1f}s {peak / 2**20:7.0f} MiB{flag}")

    return 0


if __name__ == "__main__":
    sys.exit(main())
