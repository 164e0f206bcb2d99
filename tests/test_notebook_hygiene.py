"""Checks on the stored notebooks that nbval does not make: executed cleanly, in order, and free
of anything that belongs to one machine or one run (paths, user names, timestamps)."""

from __future__ import annotations

import getpass
import json
import re
from pathlib import Path

import nbformat
import pytest

from tools import course, student_edition
from tools.course import ROOT

NOTEBOOKS = course.lessons()

NAME = re.compile(r"^(\d\d)_[a-z0-9]+(?:_[a-z0-9]+)*\.ipynb$")
MACHINE_PATH = re.compile(
    r"(?:/home/|/Users/|/root\b|/tmp/|/var/folders/|/private/|/work/|site-packages|"
    r"[A-Za-z]:\\\\|ipykernel_\d+)"
)
TIMESTAMP = re.compile(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
ADDRESS = re.compile(r"\bat 0x[0-9a-f]{6,}")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def output_text(output: dict) -> str:
    parts = [
        output.get("text", ""),
        output.get("evalue", ""),
        *output.get("traceback", []),
    ]
    parts += [v for k, v in output.get("data", {}).items() if k.startswith("text/")]
    return "".join("".join(p) if isinstance(p, list) else p for p in parts)


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "no notebooks found in notebooks/"


def test_names_are_numbered_in_sequence() -> None:
    numbers = []
    for path in NOTEBOOKS:
        match = NAME.match(path.name)
        assert match, (
            f"{path.name}: name notebooks NN_topic.ipynb (two digits, snake case)"
        )
        numbers.append(int(match.group(1)))
    assert numbers == list(range(1, len(numbers) + 1)), (
        f"numbers {numbers} have gaps or repeats"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_in_order(path: Path) -> None:
    counts = [c["execution_count"] for c in code_cells(load(path))]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..n; run `make execute`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_errors_only_where_tagged(path: Path) -> None:
    for i, cell in enumerate(code_cells(load(path)), 1):
        tagged = "raises-exception" in cell["metadata"].get("tags", [])
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        if tagged:
            assert errors, (
                f"{path.name} code cell {i} is tagged raises-exception but did not raise"
            )
        else:
            assert not errors, (
                f"{path.name} code cell {i} raised {errors[0]['ename']} untagged"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stderr(path: Path) -> None:
    for i, cell in enumerate(code_cells(load(path)), 1):
        for output in cell["outputs"]:
            is_stderr = output["output_type"] == "stream" and output["name"] == "stderr"
            assert not is_stderr, (
                f"{path.name} code cell {i} wrote to stderr: {output['text']!r}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_printed_text_is_stored_as_one_stream(path: Path) -> None:
    """Two stream outputs in a row reflect how the kernel happened to batch its messages, which
    varies with load; `make execute` merges them so that re-executing leaves no diff."""
    for i, cell in enumerate(code_cells(load(path)), 1):
        outputs = cell["outputs"]
        for before, after in zip(outputs, outputs[1:], strict=False):
            split = before["output_type"] == after["output_type"] == "stream"
            assert not (split and before["name"] == after["name"]), (
                f"{path.name} code cell {i}: {before['name']} stored in pieces; run `make execute`"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nothing_from_this_machine_or_run(path: Path) -> None:
    nb = load(path)
    user = getpass.getuser()
    home = str(Path.home())
    texts = [("notebook metadata", json.dumps(nb["metadata"]))]
    for i, cell in enumerate(nb["cells"], 1):
        texts.append((f"cell {i} metadata", json.dumps(cell["metadata"])))
        for output in cell.get("outputs", []):
            texts.append((f"cell {i} output", output_text(output)))
    for where, text in texts:
        for pattern in (MACHINE_PATH, TIMESTAMP, ADDRESS):
            found = pattern.search(text)
            assert not found, (
                f"{path.name} {where}: {found.group(0)!r} belongs to one machine/run"
            )
        assert home not in text, f"{path.name} {where}: contains the home folder"
        if len(user) > 3:  # short names like "root" match ordinary words
            assert not re.search(rf"\b{re.escape(user)}\b", text), (
                f"{path.name} {where}: user name"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_stored_file_is_what_the_executor_writes(path: Path) -> None:
    """The executor's own cleaning (tools/course.py) is the check: cleaning a stored lesson
    changes nothing, so its metadata is minimal and it holds nothing that varies by run."""
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    course.clean(nb)
    assert nbformat.writes(nb) + "\n" == text, (
        f"{path.name} is not stored as `make execute` stores it; run `make execute`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_shape(path: Path) -> None:
    nb = load(path)
    number = NAME.match(path.name).group(1)
    first = "".join(nb["cells"][0]["source"])
    assert first.startswith(f"# {number} · "), (
        f"{path.name}: title must read '# {number} · Title'"
    )
    markdown = "\n".join(
        "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"
    )
    for heading in ("## Setup", "## Summary", "## Exercises"):
        assert heading in markdown, f"{path.name}: missing '{heading}' section"
    setup = "".join(code_cells(nb)[0]["source"])
    assert "utils.setup()" in setup, (
        f"{path.name}: the first code cell must call utils.setup()"
    )
    hidden = [
        c
        for c in code_cells(nb)
        if c["metadata"].get("jupyter", {}).get("source_hidden")
    ]
    assert hidden, f"{path.name}: exercises need folded solution cells (source_hidden)"
    figures = [
        o
        for c in code_cells(nb)
        for o in c["outputs"]
        if "image/png" in o.get("data", {})
    ]
    assert figures, f"{path.name}: every lesson has at least one figure"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_are_tagged_and_folded_together(path: Path) -> None:
    """A solution is folded in JupyterLab (source_hidden), folded on the website (hide-input) and
    replaced in the student edition (solution): the three marks go together."""
    for i, cell in enumerate(code_cells(load(path)), 1):
        tags = cell["metadata"].get("tags", [])
        marks = {
            "source_hidden": bool(
                cell["metadata"].get("jupyter", {}).get("source_hidden")
            ),
            "solution": "solution" in tags,
            "hide-input": "hide-input" in tags,
        }
        assert len(set(marks.values())) == 1, (
            f"{path.name} code cell {i}: an exercise solution needs all of {sorted(marks)}, other "
            f"cells none; this one has {sorted(k for k, v in marks.items() if v)}"
        )


def test_readme_lists_every_notebook() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [p.name for p in NOTEBOOKS if p.name not in readme]
    assert not missing, f"README.md does not list {missing}"


def exercise_cells(
    path: Path,
) -> list[tuple[nbformat.NotebookNode, nbformat.NotebookNode]]:
    """Each exercise's solution cell and check cell (the student edition finds them)."""
    nb = nbformat.read(path, as_version=4)
    return [(nb.cells[s], nb.cells[c]) for _, s, c in student_edition.exercises(nb)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_show_nothing_outside_their_fold(path: Path) -> None:
    """A fold hides a solution's code, not its outputs (in JupyterLab and on the website): a
    solution that prints would show its answer before the learner has one."""
    for solution, _ in exercise_cells(path):
        assert not solution.outputs, (
            f"{path.name}: a solution shows {solution.outputs[0].get('text', 'output')!r} "
            f"below its fold: {solution.source[:60]!r}"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_check_goes_through_the_answer_checkers(path: Path) -> None:
    """utils.check_answer and utils.check_gradients say what is wrong with a wrong answer; a bare
    assert or NumPy's report does not (tests/test_exercises.py tries the wrong answers)."""
    for _, check in exercise_cells(path):
        source = check.source
        assert "utils.check_answer(" in source or "utils.check_gradients(" in source, (
            f"{path.name}: a check cell that uses neither checker: {source[:80]!r}"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_fits_the_websites_column(path: Path) -> None:
    """88 characters fit a code cell on the website and in a laptop's notebook. ruff formats
    code to 88; this holds the comments and strings it does not wrap."""
    for i, cell in enumerate(code_cells(load(path)), 1):
        long = [line for line in "".join(cell["source"]).splitlines() if len(line) > 88]
        assert not long, (
            f"{path.name} code cell {i}: {len(long[0])} characters: {long[0]!r}"
        )


def alt_text(cell: dict) -> str | None:
    return cell["metadata"].get("mystnb", {}).get("image", {}).get("alt")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_has_alt_text(path: Path) -> None:
    """The website gives each figure the alt text stored in its cell's metadata, which a screen
    reader reads out; without it, the alt text would be the image's file name."""
    for i, cell in enumerate(code_cells(load(path)), 1):
        draws = any("image/png" in o.get("data", {}) for o in cell["outputs"])
        alt = alt_text(cell)
        if not draws:
            assert alt is None, f"{path.name} code cell {i}: alt text but no figure"
            continue
        assert alt, (
            f"{path.name} code cell {i} draws a figure without alt text: give the cell the "
            'metadata {"mystnb": {"image": {"alt": "What the figure shows, in a sentence."}}}'
        )
        assert alt.endswith(".") and len(alt.split()) >= 8 and ".png" not in alt, (
            f"{path.name} code cell {i}: the alt text should be a sentence saying what the "
            f"figure shows: {alt!r}"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_closing_line_links_the_next_lesson(path: Path) -> None:
    nb = load(path)
    closing = [
        "".join(c["source"])
        for c in nb["cells"]
        if c["cell_type"] == "markdown" and "**Next:**" in "".join(c["source"])
    ]
    assert len(closing) == 1, (
        f"{path.name}: one closing '**Next:**' line, not {len(closing)}"
    )
    linked = re.findall(r"\]\((\d\d_\w+\.ipynb)\)", closing[0])
    later = NOTEBOOKS[NOTEBOOKS.index(path) + 1 :]
    if later:
        assert linked[:1] == [later[0].name], (
            f"{path.name}: the closing line's first link should be [...]({later[0].name})"
        )
    assert all((path.parent / name).is_file() for name in linked), linked


# Lesson 09 builds its engine in its own cells (about 700 words of code before it is used)
# and checks it on every operation and five computations: the engine is the lesson.
LONGER = {"09_a_tape_of_your_own.ipynb": 6000}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_lesson_is_at_most_4500_words(path: Path) -> None:
    """Prose and code, counted by whitespace: a lesson reads in one sitting."""
    words = sum(len("".join(c["source"]).split()) for c in load(path)["cells"])
    limit = LONGER.get(path.name, 4500)
    assert words <= limit, (
        f"{path.name}: {words} words; this lesson is at most {limit:,}"
    )
