"""Sphinx configuration of the course's website.

`make html` (tools/build_site.py) copies this folder's index.md, the README (whose lesson table
the landing page includes) and the stored, executed notebooks into one source folder and builds
build/html/ from it with this file. Nothing is re-executed.
"""

import sys
from pathlib import Path

# course_pages.py, the course's own extension
sys.path.insert(0, str(Path(__file__).parent))

project = "Gradient notebooks"
author = "the gradient notebooks authors"
copyright = "the gradient notebooks authors"

extensions = [
    "myst_nb",  # reads .ipynb (and MyST markdown) with their stored outputs
    "sphinx-mathjax-offline",  # ships MathJax 3 in _static/ instead of loading it from a CDN
    "sphinx_copybutton",  # a copy button on each code cell
    "course_pages",  # lang="zh-Hans", figures that open at full size, named solution folds
]

root_doc = "index"
# README.md is only included (its lesson table), not a page of its own.
exclude_patterns = ["README.md", "**/.ipynb_checkpoints"]

# Notebooks are stored executed and tested by nbval; the site shows them as stored.
nb_execution_mode = "off"
# $...$ and $$...$$ in markdown cells, as Jupyter renders them.
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
# Only exercise solutions carry the hide-input tag, so the fold's label can say what it hides.
nb_code_prompt_show = "Show the solution"
nb_code_prompt_hide = "Hide the solution"
# No widget outputs: do not add require.js or the widget manager from a CDN.
nb_ipywidgets_js = {}

# The copy button goes on the lessons' code, not on their printed outputs.
copybutton_selector = "div.cell_input div.highlight pre"

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_js_files = ["course.js"]
templates_path = ["_templates"]
html_title = "Gradient notebooks"
html_show_sourcelink = False  # the download button offers the .ipynb instead
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    # Off: with it on, the arrow keys that scroll a wide code block sideways also jump to the
    # previous or next lesson (issue 14).
    "navigation_with_keys": False,
}
