"""What the course's pages add to myst-nb and sphinx-book-theme (a Sphinx extension).

- Chinese text (the original course's lesson titles) is marked ``lang="zh-Hans"``, so that a
  screen reader reads it in Chinese and the browser picks a Chinese font.
- Every figure links to its image file, so that a reader on a phone can open it at full size.
- A folded solution's button is named by its visible label ("Show the solution"), not by
  myst-nb's generic "Toggle hidden content".
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

from docutils import nodes
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput
from sphinx.application import Sphinx
from sphinx.util.images import get_image_size

# CJK ideographs and CJK punctuation, including full-width forms.
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
# Elements whose text is not page text.
VERBATIM = {"script", "style", "title", "textarea"}


def mark_chinese(html: str) -> str:
    """``html`` with each run of Chinese characters in its text wrapped in
    ``<span lang="zh-Hans">``: in the lesson, in the navigation and in code comments alike.
    Attribute values, scripts, styles and the page title (which cannot hold markup) are left
    as they are, and so is a run already marked."""
    parts = re.split(r"(<[^>]*>)", html)
    skip = None  # the element whose text is left alone, while inside it
    for i, part in enumerate(parts):
        if part.startswith("<"):
            tag = re.match(r"</?([a-zA-Z]+)", part)
            name = tag.group(1).lower() if tag else ""
            if skip is None and name in VERBATIM and not part.startswith("</"):
                skip = name
            elif skip == name and part.startswith("</"):
                skip = None
        elif (
            skip is None
            and CHINESE.search(part)
            and 'lang="zh-Hans"' not in parts[i - 1]
        ):
            parts[i] = CHINESE.sub(
                lambda m: f'<span lang="zh-Hans">{m.group()}</span>', part
            )
    return "".join(parts)


def mark_chinese_pages(app: Sphinx, error: Exception | None) -> None:
    if error is None and app.builder.format == "html":
        for page in Path(app.outdir).rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            if CHINESE.search(text):
                page.write_text(mark_chinese(text), encoding="utf-8")


def link_figures(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Give each output image its pixel width, so that Sphinx links it to the full-size file.

    Sphinx wraps an image in a link to its file when the image has a size option
    (``html_scaled_image_link``). The width given is the image's own, so nothing changes on
    screen: a figure wider than the column is still shrunk to it by the theme's CSS.
    """
    for image in doctree.findall(nodes.image):
        if "width" in image or "height" in image or "scale" in image:
            continue
        size = get_image_size(app.srcdir / image["uri"])
        if size is not None:
            image["width"] = f"{size[0]}px"


def visit_hidden_input(self: Any, node: HideCodeCellNode) -> None:
    """myst-nb's fold, without the ``aria-label`` that hides the visible label from readers."""
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(
        f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n'
    )
    self.body.append(
        f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n'
    )
    self.body.append("</summary>\n")


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("myst_nb")
    app.connect("build-finished", mark_chinese_pages)
    app.connect("doctree-resolved", link_figures)
    app.add_node(
        HideCodeCellNode, override=True, html=(visit_hidden_input, depart_HideCellInput)
    )
    return {"parallel_read_safe": True, "parallel_write_safe": True}
