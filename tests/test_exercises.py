"""Every exercise's check, tried with the wrong answers a learner typically gives.

An exercise is a code cell tagged ``solution`` (the right answer) and the check cell after it.
Its answers are the names the solution defines and the check reads. The lesson runs in a kernel
up to the exercise; then each answer in turn is replaced by each typical wrong answer that fits
it (``wrong_answers.py``: twice too large, negated, transposed, reordered, one more, one
prediction flipped, ...) and the check cell runs again. Every wrong answer must make the check
fail with an ``AssertionError`` whose message names the answer and the kind of mistake, with
nothing shown before it (no answer leaks out of a failing check), and the right answer must pass.

The lessons run one after another in one kernel per test worker, its namespace cleared
between them (``%reset -f``), so that TensorFlow is imported once per worker rather than once
per lesson. Each lesson's test is in a class of its own, which `pytest --dist loadscope` (as in
`make test`) sends to a worker as one unit, so the lessons spread over the workers.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from tools import course, student_edition
from tools.course import ROOT

NOTEBOOKS = course.lessons()

#: What a message must say for each kind of wrong answer (see wrong_answers.py).
SAYS = {
    "twice": r"\b2 ×",
    "negated": r"\bsign\b",
    "transposed": r"transpose",
    "reordered": r"\border\b",
    "one more": r"too high",
    "flipped": r"is wrong",
    "as a list": r"\bdict\b",
    "other word": r"is wrong",
}
#: Messages that say nothing a learner can use.
UNHELPFUL = re.compile(
    r"^\s*$|tf\.Tensor\(|^\s*Not equal to tolerance|^\s*Arrays are not"
)


@dataclass
class Exercise:
    number: str
    solution: int  # cell indices in the lesson
    check: int
    answers: list[str]


def top_level_names(source: str) -> list[str]:
    """The names a cell binds at its top level, in order."""
    names: list[str] = []
    for node in ast.parse(source).body:
        targets: list[ast.expr] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
    return list(dict.fromkeys(names))


def names_read(source: str) -> set[str]:
    return {
        n.id
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }


def exercises(nb: nbformat.NotebookNode) -> list[Exercise]:
    found = []
    for number, solution, check in student_edition.exercises(nb):
        read = names_read(nb.cells[check].source)
        answers = [n for n in top_level_names(nb.cells[solution].source) if n in read]
        found.append(Exercise(str(number), solution, check, answers))
    return found


class Kernel:
    """One kernel for all the lessons, running cells as the tests and `make execute` do."""

    def __init__(self) -> None:
        # the client stores each cell it runs in its notebook: one slot is enough
        slot = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell()])
        self.client = course.client(slot, ROOT / "notebooks", timeout=300)
        self.client.reset_execution_trackers()

    def run(self, cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
        """Run a copy of ``cell``; return the copy, with its outputs. Raises if it raises
        (``CellExecutionError``), unless the cell is tagged ``raises-exception``."""
        cell = nbformat.from_dict(cell)
        cell.outputs, cell.execution_count = [], None
        self.client.execute_cell(cell, 0)
        return cell

    def fail(self, cell: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
        """Run a copy of ``cell`` that should raise: the copy with its outputs, or None."""
        tags = [*cell.metadata.get("tags", []), "raises-exception"]
        ran = self.run(
            nbformat.from_dict({**cell, "metadata": {**cell.metadata, "tags": tags}})
        )
        return ran if any(o.output_type == "error" for o in ran.outputs) else None

    def code(self, source: str) -> str:
        """Run ``source``; return what it printed."""
        cell = self.run(nbformat.v4.new_code_cell(source))
        return "".join(
            o.get("text", "") for o in cell.outputs if o.output_type == "stream"
        )


@pytest.fixture(scope="session")
def kernel():
    kernel = Kernel()
    with kernel.client.setup_kernel():
        yield kernel


def call(function: str, *args: str) -> str:
    return f"_wrong_answers.{function}(globals(), {', '.join(map(repr, args))})"


def try_wrong_answers(
    kernel: Kernel, nb: nbformat.NotebookNode, exercise: Exercise
) -> list[str]:
    """Run the exercise with each typical wrong answer; return what went wrong with its check."""
    problems = []
    where = f"Exercise {exercise.number}"
    check = nb.cells[exercise.check]
    if not exercise.answers:
        return [f"{where}: its check reads none of the names its solution defines"]
    for name in exercise.answers:  # one run of the right answer tells what each returns
        kernel.code(call("spy", name))
    try:
        kernel.run(check)
    except CellExecutionError as error:
        problems.append(
            f"{where}: the right answer fails: {error.ename}: {error.evalue}"
        )
    query = ", ".join(call("kinds", name) for name in exercise.answers)
    all_kinds = json.loads(kernel.code(f"print(__import__('json').dumps([{query}]))"))
    for name in exercise.answers:
        kernel.code(call("restore", name))
    if problems:
        return problems
    for name, kinds in zip(exercise.answers, all_kinds, strict=True):
        if not kinds:
            problems.append(
                f"{where}: no typical wrong answer fits {name!r} (never called?)"
            )
        for kind in kinds:
            kernel.code(call("mutate", name, kind))
            try:
                failed = kernel.fail(check)
            finally:
                kernel.code(call("restore", name))
            if failed is None:
                problems.append(
                    f"{where}, {name} {kind}: the check passed a wrong answer"
                )
            else:
                problems += judge(f"{where}, {name} {kind}", name, kind, failed.outputs)
    return problems


def judge(where: str, name: str, kind: str, outputs: list) -> list[str]:
    """What is wrong with how a check failed (its outputs end with the error), if anything."""
    *shown, error = outputs
    message = error.evalue
    problems = []
    if error.ename != "AssertionError":
        problems.append(f"{where}: {error.ename}, not a check: {message}")
    if UNHELPFUL.search(message):
        problems.append(f"{where}: an unhelpful message: {message!r}")
    if name not in message:
        problems.append(f"{where}: the message does not name {name!r}: {message}")
    pattern = SAYS[kind.split(":")[0]]
    if not re.search(pattern, message):
        problems.append(f"{where}: the message does not say {pattern!r}: {message}")
    if kind.startswith("flipped:") and f"[{kind.split(':', 1)[1]!r}]" not in message:
        problems.append(
            f"{where}: the message does not name the flipped item: {message}"
        )
    if shown:
        problems.append(f"{where}: the check showed output before it failed: {shown}")
    return problems


class _WrongAnswersOfALesson:
    """The test of one lesson's exercises; a subclass per lesson names the lesson."""

    path: Path

    def test_every_wrong_answer_is_told_what_is_wrong(self, kernel: Kernel) -> None:
        path = self.path
        nb = nbformat.read(path, as_version=4)
        found = {e.solution: e for e in exercises(nb)}
        assert found, f"{path.name}: no exercise"
        kernel.code("%reset -f")
        # Figures are drawn but not rendered (the Agg backend draws only when asked to save)
        kernel.code("%matplotlib agg")
        kernel.code(
            f"import sys\nsys.path.insert(0, {str(ROOT / 'tests')!r})\n"
            "import wrong_answers as _wrong_answers"
        )
        problems = []
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            kernel.run(cell)
            if "plt." in cell.source:
                kernel.code("import matplotlib.pyplot\nmatplotlib.pyplot.close('all')")
            if index in found:
                problems += try_wrong_answers(kernel, nb, found[index])
        assert not problems, f"{path.name}:\n" + "\n".join(problems)


for _path in NOTEBOOKS:  # TestLesson01, TestLesson02, ...
    _name = f"TestLesson{_path.name[:2]}"
    globals()[_name] = type(_name, (_WrongAnswersOfALesson,), {"path": _path})


def test_answers_are_found_from_the_cells() -> None:
    solution = "s = 1\ndef f(x):\n    y = 2\n    return x\nz_flat, other = 1.0, 2\n"
    check = "print(f(3), z_flat)\nassert s"
    assert top_level_names(solution) == ["s", "f", "z_flat", "other"]
    assert [n for n in top_level_names(solution) if n in names_read(check)] == [
        "s",
        "f",
        "z_flat",
    ]


def test_the_wrong_answers_are_made_as_described() -> None:
    import numpy as np
    import wrong_answers

    right = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert wrong_answers.kinds({"a": right}, "a") == ["twice", "negated", "transposed"]
    assert wrong_answers.kinds({"a": [right, right[0]]}, "a") == [
        "twice",
        "negated",
        "transposed",
        "reordered",
    ]
    assert wrong_answers.kinds({"a": {"x": True, "y": False}}, "a") == [
        "flipped:x",
        "flipped:y",
        "as a list",
    ]
    assert wrong_answers.kinds({"a": 4}, "a") == ["twice", "negated", "one more"]
    assert wrong_answers.kinds({"a": "forward"}, "a") == ["other word"]

    namespace = {"f": lambda x: [x, 2 * x]}
    wrong_answers.spy(namespace, "f")
    namespace["f"](right)
    assert wrong_answers.kinds(namespace, "f") == [
        "twice",
        "negated",
        "transposed",
        "reordered",
    ]
    wrong_answers.restore(namespace, "f")
    for kind, wrong in [
        ("twice", [2 * right, 4 * right]),
        ("negated", [-right, -2 * right]),
        ("transposed", [right.T, 2 * right.T]),
        ("reordered", [2 * right, right]),
    ]:
        wrong_answers.mutate(namespace, "f", kind)
        for got, want in zip(namespace["f"](right), wrong, strict=True):
            np.testing.assert_array_equal(got, want)
        wrong_answers.restore(namespace, "f")
    # the right one is back
    np.testing.assert_array_equal(namespace["f"](right)[1], 2 * right)

    namespace = {"p": {"x": True, "y": False}}
    wrong_answers.mutate(namespace, "p", "flipped:y")
    assert namespace["p"] == {"x": True, "y": True}
    wrong_answers.restore(namespace, "p")
    wrong_answers.mutate(namespace, "p", "as a list")
    assert namespace["p"] == [True, False]
