"""Write the student edition of the course: every exercise solution replaced by a stub.

    python -m tools.student_edition                   # `make student`: all -> build/student/
    python -m tools.student_edition --out DIR NB ...  # only these lessons

In each lesson, every code cell tagged ``solution`` becomes a stub that repeats the form of the
answer the exercise asks for (its "**Your answer:**" paragraph: the name, type and shape) and
raises ``NotImplementedError`` naming the exercise; every output is cleared. All else,
the prose, the check cells and their tags, is left as it is. A student runs the notebook top
to bottom: everything works up to the first exercise, which stops with its message until
answered; then the check cell after it tells whether the answer is right.

This is what nbgrader's "generate assignment" step does for a course, in one small file.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from pathlib import Path

import nbformat

from tools.course import ROOT, lessons

OUT = ROOT / "build" / "student"

SOLUTION_TAG = "solution"
#: Tags of a solution cell that belong to the solution only (folding on the website).
SOLUTION_ONLY_TAGS = {SOLUTION_TAG, "hide-input"}
EXERCISE = re.compile(r"\*\*Exercise (\d+)\b")
#: The paragraph in which an exercise states the form of its answer.
ANSWER_FORM = re.compile(r"^\*\*Your answer:\*\*\s*(.+?)(?:\n\s*\n|\Z)", re.M | re.S)
#: The little LaTeX the answer forms use, as plain text for a code comment.
LATEX_AS_TEXT = [
    (re.compile(r"\\mathbf\{(\w+)\}"), r"\1"),
    (re.compile(r"\\partial\s*"), "∂"),
    (re.compile(r"\\sigma"), "σ"),
    (re.compile(r"\\ell"), "ℓ"),
    (re.compile(r"\\delta"), "δ"),
    (re.compile(r"\\tau"), "τ"),
    (re.compile(r"\\lambda"), "λ"),
    (re.compile(r"_\{(\w+)\}"), r"_\1"),  # z_{n0} -> z_n0
    (re.compile(r"\\log\s*"), "log "),
    (re.compile(r"\$"), ""),
]


def exercises(nb: nbformat.NotebookNode) -> list[tuple[str | None, int, int]]:
    """Each exercise of ``nb`` as (its number, its solution cell's index, its check cell's index).

    A solution is a code cell tagged ``solution``, numbered by the last "**Exercise N" above it
    (None if there is none); its check is the next code cell.
    """
    found, number = [], None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            numbers = EXERCISE.findall(cell.source)
            number = numbers[-1] if numbers else number
        elif SOLUTION_TAG in cell.metadata.get("tags", []):
            check = next(
                i
                for i in range(index + 1, len(nb.cells))
                if nb.cells[i].cell_type == "code"
            )
            found.append((number, index, check))
    return found


def stub_message(number: str) -> str:
    """The NotImplementedError message of exercise ``number``'s stub."""
    return (
        f"Exercise {number}: replace this cell with your answer, "
        "then run the check cell below it."
    )


def answer_form(markdown: str) -> str | None:
    """The text of the "**Your answer:**" paragraph in ``markdown``, as plain text, or None."""
    found = ANSWER_FORM.search(markdown)
    if found is None:
        return None
    text = " ".join(found.group(1).split())
    for pattern, replacement in LATEX_AS_TEXT:
        text = pattern.sub(replacement, text)
    return text


def stub_source(number: str, form: str) -> str:
    """The code that takes the place of exercise ``number``'s solution, whose answer is ``form``."""
    # lines break between words, never inside `code` such as `[3, 1]`
    unbroken = re.sub(r"`[^`]*`", lambda code: code.group(0).replace(" ", "\0"), form)
    lines = textwrap.wrap(
        f"Exercise {number}. Your answer: {unbroken}", width=86, break_on_hyphens=False
    )
    comment = [line.replace("\0", " ") for line in lines]
    return "\n".join(
        [
            *(f"# {line}" for line in comment),
            f"raise NotImplementedError({stub_message(number)!r})",
        ]
    )


def student_version(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` with solution cells stubbed and all outputs cleared.

    Raises:
        ValueError: a solution cell with no "**Exercise N" markdown above it, or whose exercise
            does not state the form of its answer ("**Your answer:** ..."), or a lesson with no
            solution cell at all (the stub would have nothing to say).
    """
    nb = nbformat.from_dict(nb)  # a deep copy
    exercise = form = None
    stubs = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            found = EXERCISE.findall(cell.source)
            if found:
                exercise, form = found[-1], None
                cell_text = cell.source[cell.source.rindex(f"**Exercise {exercise}") :]
            else:
                cell_text = cell.source
            form = answer_form(cell_text) or form
            continue
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        tags = cell.metadata.get("tags", [])
        if SOLUTION_TAG not in tags:
            continue
        if exercise is None:
            raise ValueError(
                f"{name} cell {index}: a solution cell with no '**Exercise N.**' heading above it"
            )
        if form is None:
            raise ValueError(
                f"{name} cell {index}: exercise {exercise} does not state its answer's form in a "
                "'**Your answer:** ...' paragraph (its name, type and shape)"
            )
        cell.source = stub_source(exercise, form)
        kept = [t for t in tags if t not in SOLUTION_ONLY_TAGS]
        # unfolded: the stub is where the student writes
        cell.metadata.pop("jupyter", None)
        cell.metadata.pop("tags", None)
        if kept:
            cell.metadata["tags"] = kept
        stubs += 1
    if stubs == 0:
        raise ValueError(
            f"{name}: no cell is tagged {SOLUTION_TAG!r}; tag the exercise solutions"
        )
    return nb


def write_student_edition(notebooks: list[Path], out: Path) -> list[Path]:
    """Write the student version of each notebook into ``out``; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        student = student_version(nb, path.name)
        nbformat.validate(student)
        target = out / path.name
        nbformat.write(student, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb"
    )
    parser.add_argument("--out", type=Path, default=OUT, help="default: build/student")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or lessons()
    try:
        written = write_student_edition(notebooks, args.out)
    except (OSError, ValueError) as error:
        print(f"student_edition: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} student notebooks to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
