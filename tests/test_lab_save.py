"""Saving from the course's Lab stores a lesson as the course stores it:
tools/jupyter_server_config.py, the pre-save hook the set-up installs.

A real Jupyter server of this environment, with the course's config, saves copies of the lessons
through its contents API with what JupyterLab sends: the notebook it loaded plus the kernel's
Python version in ``language_info`` and ``trusted`` on each code cell (measured on a PUT from
JupyterLab 4.6). No browser, no kernel: a few seconds, most of them the server's start.
"""

from __future__ import annotations

import copy
import io
import json
import os
import platform
import runpy
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from tools.course import ROOT, lessons

CONFIG = ROOT / "tools" / "jupyter_server_config.py"
LESSONS = lessons()
TOKEN = "course-lab-save-test"
# Not through a proxy that http_proxy may name, whatever no_proxy says.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Server:
    def __init__(self, url: str, folder: Path) -> None:
        self.url, self.folder = url, folder

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}api/contents/{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"token {TOKEN}",
                "Content-Type": "application/json",
            },
        )
        with OPENER.open(request, timeout=30) as response:
            return json.loads(response.read())

    def open_and_save(self, path: str, edit=None) -> None:
        """What JupyterLab does with a lesson it opens: load it, add the kernel's language
        version (and ``trusted`` on code cells), apply the learner's ``edit`` if any, save."""
        nb = self.request("GET", path)["content"]
        nb["metadata"]["language_info"]["version"] = platform.python_version()
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                cell["metadata"]["trusted"] = False
        if edit:
            edit(nb)
        self.request("PUT", path, {"type": "notebook", "format": "json", "content": nb})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A Jupyter server of this environment with the course's config, serving a folder that holds
    a copy of the lessons in ``notebooks/`` (the course's folder for the hook) and in ``other/``."""
    folder = tmp_path_factory.mktemp("lab")
    for name in ("notebooks", "other"):
        (folder / name).mkdir()
        for lesson in LESSONS:
            shutil.copyfile(lesson, folder / name / lesson.name)
    runtime = folder / "runtime"
    env = {
        **os.environ,
        "GRADIENT_NOTEBOOKS_LESSONS": str(folder / "notebooks"),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        # Not the user's own Jupyter config; the environment's (sys.prefix) is still read.
        "JUPYTER_CONFIG_DIR": str(folder / "config"),
    }
    command = [sys.executable, "-m", "jupyter_server", f"--config={CONFIG}"]
    command += [
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=0",
        "--ServerApp.open_browser=False",
    ]
    command += [f"--ServerApp.root_dir={folder}", f"--IdentityProvider.token={TOKEN}"]
    command += ["--allow-root"] if hasattr(os, "getuid") and os.getuid() == 0 else []
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while not (info := list(runtime.glob("jpserver-*.json"))):
            assert process.poll() is None, (folder / "server.log").read_text()
            assert time.monotonic() < deadline, (
                "the Jupyter server did not start in 60 s"
            )
            time.sleep(0.1)
        yield Server(json.loads(info[0].read_text())["url"], folder)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    assert "Pre-save hook" not in (folder / "server.log").read_text(), "the hook failed"


def written(nb: nbformat.NotebookNode) -> bytes:
    """The bytes nbformat writes for ``nb``, as the server and tools/course.py do."""
    out = io.StringIO()
    nbformat.write(nb, out)
    return out.getvalue().encode()


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name)
def test_a_lesson_opened_and_saved_in_the_lab_is_byte_identical(
    server: Server, lesson: Path
) -> None:
    saved = server.folder / "notebooks" / lesson.name
    before = saved.read_bytes()
    server.open_and_save(f"notebooks/{lesson.name}")
    assert saved.read_bytes() == before


def test_outside_the_course_folder_a_save_is_left_alone(server: Server) -> None:
    """The hook touches the course's notebooks only; and the same save without it (here) does
    change the file, so the test above is not vacuous."""
    saved = server.folder / "other" / LESSONS[0].name
    server.open_and_save(f"other/{LESSONS[0].name}")
    nb = json.loads(saved.read_text(encoding="utf-8"))
    assert nb["metadata"]["language_info"]["version"] == platform.python_version()


def test_a_learners_cell_edits_and_outputs_are_kept(server: Server) -> None:
    """A new source, outputs as a run leaves them (two stream messages, a full traceback) and a
    tag: all stored as sent. Only the notebook's own metadata is the course's."""
    lesson = LESSONS[0]
    original = nbformat.read(lesson, as_version=4)
    index = next(i for i, cell in enumerate(original.cells) if cell.cell_type == "code")
    outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="my answer\n"),
        nbformat.v4.new_output("stream", name="stdout", text="again\n"),
        nbformat.v4.new_output(
            "error",
            ename="ValueError",
            evalue="no",
            traceback=[
                "Traceback (most recent call last)",
                '  File "/home/me/x.py"',
                "ValueError",
            ],
        ),
    ]

    def edit(nb: dict) -> None:
        cell = nb["cells"][index]
        cell["source"] = "# my own try\nprint('my answer')"
        cell["outputs"] = copy.deepcopy(outputs)
        cell["execution_count"] = 7
        cell["metadata"]["tags"] = ["mine"]

    server.open_and_save(f"notebooks/{lesson.name}", edit)

    expected = copy.deepcopy(original)
    cell = expected.cells[index]
    cell.source = "# my own try\nprint('my answer')"
    cell.outputs = outputs
    cell.execution_count = 7
    cell.metadata["tags"] = ["mine"]
    assert (server.folder / "notebooks" / lesson.name).read_bytes() == written(expected)


def test_the_course_folder_is_the_checkout_this_environment_was_installed_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the override the tests use, the hook cleans this checkout's notebooks/ (pip's
    record of the editable install) with this checkout's tools/course.py."""
    monkeypatch.delenv("GRADIENT_NOTEBOOKS_LESSONS", raising=False)
    config = runpy.run_path(str(CONFIG), init_globals={"get_config": Config})
    assert config["lessons_folder"]() == (ROOT / "notebooks").resolve()
    assert Path(config["cleaning"]().__file__) == ROOT / "tools" / "course.py"
    assert (
        config["c"].ContentsManager.pre_save_hook is config["store_as_the_course_does"]
    )


@pytest.mark.needs_install
def test_the_set_up_installs_the_config_where_every_jupyter_server_reads_it() -> None:
    installed = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.py"
    assert installed.exists(), f"{installed} is missing: run `make install` again"
    assert installed.read_bytes() == CONFIG.read_bytes(), f"{installed} is not {CONFIG}"
