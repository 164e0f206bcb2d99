"""The course's Jupyter server settings: the Lab saves a lesson as the course stores it.

The set-up (`make install`, run by `make lab`) copies this file to
``.venv/etc/jupyter/jupyter_server_config.py``, where every Jupyter server of the environment reads
it. As soon as a lesson's kernel starts, JupyterLab writes the kernel's Python version into the
notebook's ``language_info`` (``"version": "3.11.7"``), which the course stores without: the lesson
shows as modified, autosave writes it, and a learner who only read it has a changed file, a
machine-specific value in it and a conflict on the next ``git pull``.

So before a notebook under the course's ``notebooks/`` folder is written, its *notebook* metadata
gets the course's own cleaning, :func:`tools.course.clean_metadata` (the kernel spec and the
language without its version; what ``make execute`` stores). Cells are the learner's and left as
they are: sources, outputs, execution counts and cell metadata (tags, a collapsed output). A
lesson whose cells did not change is saved byte-identical (nbformat writes the same indent, key
order and closing newline as ``make execute``); one the learner edited keeps every edit. (The
Lab still marks a lesson modified once its kernel starts: that is in the browser; the save it
leads to now writes the same bytes.)

If the hook fails, Jupyter logs the error and saves the notebook unchanged: nothing is lost.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import warnings
from pathlib import Path
from types import ModuleType
from urllib.parse import urlparse
from urllib.request import url2pathname

#: Overrides the folder whose notebooks are cleaned on save (the tests point it at a copy).
NOTEBOOKS_ENV = "GRADIENT_NOTEBOOKS_LESSONS"


def course_root() -> Path | None:
    """The checkout this environment's ``utils`` was installed from (``pip install -e .``), from
    pip's record of where the package came from (``direct_url.json``, PEP 610); None if unknown.

    The checkout's own ``gradient_notebooks_utils.egg-info``, a by-product of the install, has no
    such record; it is found first where the current folder is on ``sys.path``.
    """
    for dist in importlib.metadata.distributions(name="gradient-notebooks-utils"):
        try:
            url = urlparse(
                json.loads(dist.read_text("direct_url.json") or "{}").get("url", "")
            )
        except (ValueError, AttributeError):
            continue
        if url.scheme == "file":
            return Path(url2pathname(url.path))
    return None


def lessons_folder() -> Path | None:
    """The folder whose notebooks are stored as the course stores them."""
    if os.environ.get(NOTEBOOKS_ENV):
        return Path(os.environ[NOTEBOOKS_ENV]).resolve()
    root = course_root()
    return (root / "notebooks").resolve() if root else None


_course: ModuleType | None = None


def cleaning() -> ModuleType:
    """The course's tools/course.py, imported on the first save (not at start-up)."""
    global _course
    if _course is None:
        source = course_root() / "tools" / "course.py"
        spec = importlib.util.spec_from_file_location("course_tools_course", source)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _course = module
    return _course


def store_as_the_course_does(
    model: dict, path: str, contents_manager, **kwargs
) -> None:
    """Pre-save hook: clean a course notebook's own metadata; cells are left as they are."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    lessons = lessons_folder()
    os_path = Path(contents_manager.root_dir, path.strip("/")).resolve()
    if lessons is None or not os_path.is_relative_to(lessons):
        return
    import nbformat

    nb = nbformat.from_dict(model["content"])
    cleaning().clean_metadata(nb)
    model["content"]["metadata"] = nb.metadata


c = get_config()  # noqa: F821 (defined where Jupyter reads this file)
c.ContentsManager.pre_save_hook = store_as_the_course_does
# A hook set from configuration is validated twice as the contents manager is built (traitlets
# checks it again once notifications are released), and jupyter_server 2.21 then warns that it
# overrides itself. Only that warning is silenced: a hook replacing another one is still reported.
warnings.filterwarnings(
    "ignore",
    message=r"Overriding existing pre_save_hook \(store_as_the_course_does\) "
    r"with a new one \(store_as_the_course_does\)",
)
