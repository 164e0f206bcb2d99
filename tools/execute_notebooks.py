"""Re-execute notebooks in place, exactly as the tests run them, and store them clean.

    python -m tools.execute_notebooks [notebooks/NN_topic.ipynb ...]   # default: all

Each notebook runs top to bottom in a fresh kernel as under ``pytest --nbval`` and is stored
with only what is stable (:func:`tools.course.run` and :func:`tools.course.clean` say how).
Running it twice leaves ``git diff`` empty.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from tools.course import clean, lessons, run


def execute(path: Path, timeout: int = 120) -> float:
    """Execute the notebook at ``path`` in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    seconds = run(nb, path.parent, timeout)
    clean(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="notebooks to execute (default: notebooks/*.ipynb)",
    )
    args = parser.parse_args(argv)
    paths = args.notebooks or lessons()
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    for path in paths:
        seconds = execute(path.resolve())
        print(f"executed {path.name} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
