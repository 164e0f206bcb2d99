"""The website (`make html`) and the student edition (`make student`), built from the stored
notebooks: what a reader and a student get."""

from __future__ import annotations

import html as html_module
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from tools import build_site, course, student_edition
from tools.course import ROOT

NOTEBOOKS = course.lessons()


# --- the website ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The whole site, as `make html` builds it."""
    out = tmp_path_factory.mktemp("site") / "html"
    build_site.build(NOTEBOOKS, out)
    return out


def page(site: Path, notebook: Path) -> str:
    return (site / "notebooks" / f"{notebook.stem}.html").read_text(encoding="utf-8")


def pages(site: Path) -> dict[str, str]:
    paths = [site / "index.html", *sorted((site / "notebooks").glob("*.html"))]
    return {p.name: p.read_text(encoding="utf-8") for p in paths}


def article_text(html: str) -> str:
    """What a reader reads in the page's article: no code, no formulas, no markup."""
    article = html[html.index("<article") : html.index("</article>")]
    for verbatim in (
        r"<script.*?</script>",
        r"<pre.*?</pre>",
        r"<code.*?</code>",
        r'<span class="math notranslate nohighlight">.*?</span>',
        r'<div class="math notranslate nohighlight">.*?</div>',
    ):
        article = re.sub(verbatim, " ", article, flags=re.S)
    return html_module.unescape(re.sub(r"<[^>]+>", " ", article))


def test_landing_page_lists_every_lesson_with_a_link(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for notebook in NOTEBOOKS:
        assert f'href="notebooks/{notebook.stem}.html"' in index, notebook.name
    assert "what you learn" in index


def test_a_site_of_some_lessons_leaves_the_other_rows_out():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    kept = build_site.lesson_rows_only_for(readme, NOTEBOOKS[:2])
    assert NOTEBOOKS[1].name in kept and NOTEBOOKS[2].name not in kept
    assert kept.count("\n") == readme.count("\n") - (len(NOTEBOOKS) - 2)


def test_lesson_page_has_its_figures(site):
    html = page(site, NOTEBOOKS[1])
    images = re.findall(r'<img[^>]+src="\.\./(_images/[^"]+\.png)"', html)
    stored = [
        o
        for c in json.loads(NOTEBOOKS[1].read_text("utf-8"))["cells"]
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert len(images) == len(stored) > 0
    assert all((site / image).stat().st_size > 1000 for image in images)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_has_its_alt_text_and_opens_at_full_size(site, notebook):
    cells = json.loads(notebook.read_text("utf-8"))["cells"]
    alts = [
        c["metadata"]["mystnb"]["image"]["alt"]
        for c in cells
        if any("image/png" in o.get("data", {}) for o in c.get("outputs", []))
    ]
    figures = re.findall(
        r'<a class="reference internal image-reference" href="([^"]+)">'
        r'<img alt="([^"]*)" src="([^"]+)"',
        page(site, notebook),
    )
    assert [html_module.unescape(alt) for _, alt, _ in figures] == alts
    assert all(href == src for href, _, src in figures), "each links to its own file"
    assert page(site, notebook).count("<img") == len(alts), "an image outside a link"


def test_lesson_page_has_formulas_and_renders_them_without_a_network(site):
    html = page(site, NOTEBOOKS[1])
    assert html.count('class="math') >= 10  # MyST's $...$ and $$...$$ kept for MathJax
    assert r"\frac{\partial L}" in html
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert "../_static/mathjax/tex-chtml.js" in scripts
    assert not [s for s in scripts if "//" in s], (
        "every script must come from the site itself"
    )
    assert (site / "_static" / "mathjax" / "tex-chtml.js").stat().st_size > 100_000
    fonts = site / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert len(list(fonts.glob("*.woff"))) > 10


def test_the_site_leaves_out_what_no_page_loads(site):
    mathjax = site / "_static" / "mathjax"
    for name in build_site.UNUSED_MATHJAX:
        assert not (mathjax / name).exists(), name
    for kept in ("input/tex/extensions", "a11y", "sre", "ui"):  # loaded on demand
        assert (mathjax / kept).is_dir(), kept
    assert not list(site.rglob("*.map"))
    everything = "".join(pages(site).values())
    assert not [
        name for name in build_site.UNUSED_MATHJAX if f"mathjax/{name}" in everything
    ]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_no_page_shows_a_dollar_of_its_markdown(site, notebook):
    """A `$` left in the text is a formula MyST did not recognise (for instance $$...$$ in a
    list item without blank lines around it)."""
    text = article_text(page(site, notebook))
    assert "$" not in text, text[max(0, text.index("$") - 80) : text.index("$") + 80]


def test_lesson_page_has_its_gradient_check_tables(site):
    html = page(site, NOTEBOOKS[1])
    assert html.count("Gradient check (float32)") >= 3
    assert "derived~<wbr>numerical" in html


def test_lesson_page_links_to_its_neighbours(site):
    html = page(site, NOTEBOOKS[1])
    nav = html[html.index('class="prev-next-area"') :]
    assert re.search(rf'class="left-prev"\s+href="{NOTEBOOKS[0].stem}.html"', nav)
    assert re.search(rf'class="right-next"\s+href="{NOTEBOOKS[2].stem}.html"', nav)
    sidebar = re.findall(
        r'<li class="toctree-l1([^"]*)"><a class="[^"]*" href="([^"]*)"', html
    )
    expected = [("", f"{n.stem}.html") for n in NOTEBOOKS]
    # every lesson listed, this one marked as current
    expected[1] = (" current active", "#")
    assert sidebar == expected
    closing = re.search(
        r"<strong>Next:</strong> <a class=\"reference internal\" href=\"([^\"]+)\"",
        html,
    )
    assert closing and closing.group(1) == f"{NOTEBOOKS[2].stem}.html"


def test_solutions_are_folded_and_named_by_their_label(site):
    html = page(site, NOTEBOOKS[1])
    folds = re.findall(r"<details[^>]*>(.*?)</details>", html, flags=re.S)
    solutions = [
        c
        for c in json.loads(NOTEBOOKS[1].read_text("utf-8"))["cells"]
        if is_solution(c)
    ]
    assert len(folds) == len(solutions) > 0
    assert all("Show the solution" in fold for fold in folds)
    # a button's name is its visible label: no aria-label that says something else
    assert re.findall(r"<summary[^>]*>", html) == ["<summary>"] * len(folds)
    field = re.findall(r'<button class="btn search-button-field[^>]*>', html)
    assert field and not [b for b in field if "aria-label" in b]


def test_chinese_text_is_marked_as_chinese(site):
    chinese = re.compile(r"[\u4e00-\u9fff]+")
    for name, html in pages(site).items():
        body = re.sub(r"<title>.*?</title>|<script.*?</script>", "", html, flags=re.S)
        for text in re.split(r"<[^>]*>", body):  # the text between tags, not attributes
            run = chinese.search(text)
            assert not run or f'<span lang="zh-Hans">{text}</span>' in body, (
                f"{name}: {run.group()!r} is not marked lang=zh-Hans"
            )
    assert '<span lang="zh-Hans">链式法则</span>' in pages(site)["index.html"]


def test_the_menu_buttons_reach_the_themes_handlers(site):
    """The themes attach the lessons and contents menus to the first .primary-toggle and
    .secondary-toggle, a hidden button; site/_static/course.js hands the visible buttons'
    clicks to it. If a theme release binds every button, this fails: course.js can go."""
    html = page(site, NOTEBOOKS[1])
    assert '<script src="../_static/course.js' in html
    for toggle in ("primary-toggle", "secondary-toggle"):
        buttons = re.findall(rf'<button class="([^"]*\b{toggle}\b[^"]*)"', html)
        assert len(buttons) == 2 and "pst-navbar-icon" in buttons[0], buttons
    scripts = site / "_static" / "scripts"
    themes = (scripts / "pydata-sphinx-theme.js").read_text("utf-8")
    themes += (scripts / "sphinx-book-theme.js").read_text("utf-8")
    assert 'document.querySelector(".primary-toggle")' in themes
    assert 'querySelectorAll(".primary-toggle")' not in themes


def test_code_cells_have_a_copy_button(site):
    html = page(site, NOTEBOOKS[1])
    assert '<script src="../_static/copybutton.js' in html
    copybutton = (site / "_static" / "copybutton.js").read_text("utf-8")
    assert "div.cell_input div.highlight pre" in copybutton  # the code, not its outputs


def test_site_holds_nothing_from_the_build_machine(site):
    for name, text in pages(site).items():
        assert str(ROOT) not in text and "site-src-" not in text, name


# --- the student edition -------------------------------------------------------------------------


def is_solution(cell: dict) -> bool:
    return "solution" in cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_solution_survives_in_the_student_edition(path, tmp_path):
    original = nbformat.read(path, as_version=4)
    (written,) = student_edition.write_student_edition([path], tmp_path)
    student = nbformat.read(written, as_version=4)

    solutions = [c for c in original.cells if is_solution(c)]
    assert solutions, f"{path.name}: no cell tagged 'solution'"
    # lines that appear in a solution and nowhere else in the lesson must be gone
    elsewhere = {
        line.strip()
        for c in original.cells
        if not is_solution(c)
        for line in c.source.splitlines()
    }
    student_lines = {
        line.strip() for c in student.cells for line in c.source.splitlines()
    }
    for cell in solutions:
        own = {line.strip() for line in cell.source.splitlines()} - elsewhere - {""}
        assert own, f"{path.name}: a solution with no line of its own"
        survivors = own & student_lines
        assert not survivors, f"{path.name}: solution lines survive: {survivors}"

    stubs = [c for c in student.cells if "raise NotImplementedError" in c.source]
    assert len(stubs) == len(solutions)
    for stub in stubs:  # each repeats the form of the answer, in plain text
        comment = "\n".join(
            line for line in stub.source.splitlines() if line.startswith("# ")
        )
        assert re.match(r"# Exercise \d+\. Your answer: `\w+", comment), stub.source
        assert "\\" not in comment and "$" not in comment, f"LaTeX left in {comment!r}"
        assert all(len(line) <= 88 for line in stub.source.splitlines()[:-1])
    assert len(student.cells) == len(original.cells)
    assert all(
        c.get("outputs", []) == [] for c in student.cells if c.cell_type == "code"
    )
    assert all(
        c.get("execution_count") is None for c in student.cells if c.cell_type == "code"
    )
    # everything that is not a solution is unchanged
    for before, after in zip(original.cells, student.cells, strict=True):
        if not is_solution(before):
            assert before.source == after.source and before.cell_type == after.cell_type


def test_a_student_notebook_runs_until_its_first_exercise(tmp_path):
    lesson = NOTEBOOKS[1]
    (written,) = student_edition.write_student_edition([lesson], tmp_path)
    nb = nbformat.read(written, as_version=4)
    with pytest.raises(CellExecutionError, match="NotImplementedError"):
        course.run(nb, tmp_path)

    code = [c for c in nb.cells if c.cell_type == "code"]
    first_stub = next(
        i for i, c in enumerate(code) if "NotImplementedError" in c.source
    )
    assert all(c.execution_count is not None for c in code[:first_stub]), (
        "cells before it ran"
    )
    assert not [
        o for c in code[:first_stub] for o in c.outputs if o.output_type == "error"
    ]
    (error,) = [o for o in code[first_stub].outputs if o.output_type == "error"]
    assert error.ename == "NotImplementedError"
    assert error.evalue == student_edition.stub_message("1")
    assert all(c.execution_count is None for c in code[first_stub + 1 :]), (
        "and nothing after"
    )


def test_student_edition_refuses_a_lesson_without_tagged_solutions():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    with pytest.raises(ValueError, match="no cell is tagged 'solution'"):
        student_edition.student_version(nb, "lesson.ipynb")


def test_the_stub_repeats_the_answer_form_the_exercise_states():
    exercise = nbformat.v4.new_markdown_cell(
        "**Exercise 2.** Predict.\n\n**Your answer:** `z_flat`, a float: $\\partial E/\\partial"
        " \\mathbf{x}$\nat $z^*$, like $\\delta_{n0}$.\n\nThen run the check."
    )
    cell = nbformat.v4.new_code_cell("z_flat = 1.0", metadata={"tags": ["solution"]})
    nb = nbformat.v4.new_notebook(cells=[exercise, cell])
    stub = student_edition.student_version(nb, "lesson.ipynb").cells[1].source
    assert stub.splitlines() == [
        "# Exercise 2. Your answer: `z_flat`, a float: ∂E/∂x at z^*, like δ_n0.",
        f"raise NotImplementedError({student_edition.stub_message('2')!r})",
    ]


def test_student_edition_refuses_an_exercise_that_does_not_state_its_answer_form():
    exercise = nbformat.v4.new_markdown_cell("**Exercise 1.** Derive it.")
    cell = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]})
    nb = nbformat.v4.new_notebook(cells=[exercise, cell])
    with pytest.raises(
        ValueError, match=r"exercise 1 does not state its answer's form"
    ):
        student_edition.student_version(nb, "lesson.ipynb")


def test_student_edition_refuses_a_solution_without_an_exercise_heading():
    cell = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]})
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("## Summary"), cell]
    )
    with pytest.raises(ValueError, match=r"no '\*\*Exercise N\.\*\*' heading above it"):
        student_edition.student_version(nb, "lesson.ipynb")
