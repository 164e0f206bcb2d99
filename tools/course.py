"""The course's paths and lessons, and how a lesson is run and stored: shared by every tool.

The tools and the tests find the lessons here, and run and clean a notebook with these
functions (``make execute``, the benchmark, the student edition's test, the Lab's save hook),
so they agree on what "executed as the tests run it" and "stored clean" mean.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

# Imported where they are used, so that the paths can be imported by any Python (make compat
# runs on the system's interpreter, the Lab's save hook at its first save).
if TYPE_CHECKING:
    import nbformat
    from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def lessons() -> list[Path]:
    """The lessons, ``notebooks/NN_topic.ipynb``, in order."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


#: Cell metadata worth keeping: nbval/nbconvert tags, JupyterLab's collapsed state, and
#: myst-nb's options (a figure's alt text on the website).
KEPT_CELL_METADATA = ("tags", "jupyter", "collapsed", "mystnb")
KERNELSPEC = {
    "name": "python3",
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
}
KEPT_LANGUAGE_INFO = (
    "name",
    "mimetype",
    "file_extension",
    "codemirror_mode",
    "pygments_lexer",
    "nbconvert_exporter",
)


def client(
    nb: nbformat.NotebookNode, folder: Path, timeout: int = 120
) -> NotebookClient:
    """A client that runs ``nb``'s cells in a fresh kernel, in ``folder``, as the tests do."""
    from jupyter_client import KernelManager
    from nbclient import NotebookClient
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager

    km = KernelManager(
        kernel_name=CURRENT_ENV_KERNEL_NAME,
        kernel_spec_manager=NbvalKernelspecManager(),
    )
    return NotebookClient(
        nb,
        km=km,
        timeout=timeout,
        record_timing=False,
        # C-level output stays out of the notebook (as under pytest); the kernel's own log
        # keeps to errors, not its notices about TCP transport or its parent's exit.
        extra_arguments=[
            "--IPKernelApp.capture_fd_output=False",
            "--IPKernelApp.log_level=ERROR",
        ],
        resources={"metadata": {"path": str(folder)}},
    )


def run(nb: nbformat.NotebookNode, folder: Path, timeout: int = 120) -> float:
    """Execute ``nb`` top to bottom in a fresh kernel, in ``folder``; return the seconds taken.

    Raises ``nbclient.exceptions.CellExecutionError`` if a cell not tagged
    ``raises-exception`` raises.
    """
    start = time.perf_counter()
    client(nb, folder, timeout).execute()
    return time.perf_counter() - start


def clean(nb: nbformat.NotebookNode) -> None:
    """Drop what changes from run to run or machine to machine.

    Cell metadata keeps only :data:`KEPT_CELL_METADATA`. An error's traceback keeps only its
    last entry, the ``Name: message`` line: the frames above it name files on the machine that
    ran the notebook (nbval does not compare tracebacks; a learner who runs the cell sees all).
    Consecutive stream outputs of one name are merged: how a kernel splits printed text into
    messages depends on timing (on a busy machine a print's closing newline can arrive alone).
    """
    for cell in nb.cells:
        cell.metadata = {
            k: cell.metadata[k] for k in KEPT_CELL_METADATA if k in cell.metadata
        }
        if "outputs" in cell:
            cell.outputs = merge_streams(cell.outputs)
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                output.traceback = output.traceback[-1:]
    clean_metadata(nb)


def clean_metadata(nb: nbformat.NotebookNode) -> None:
    """Reduce the notebook's own metadata to the kernel spec and the language, without its version.

    Also what the course's Lab applies to a lesson it saves (tools/jupyter_server_config.py): the
    front end adds the kernel's Python version as soon as a kernel starts.
    """
    import nbformat

    language = nb.metadata.get("language_info", {})
    nb.metadata = nbformat.from_dict(
        {
            "kernelspec": KERNELSPEC,
            "language_info": {
                k: language[k] for k in KEPT_LANGUAGE_INFO if k in language
            },
        }
    )


def merge_streams(outputs: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """Join each run of consecutive ``stream`` outputs with the same name into one output."""
    merged: list[nbformat.NotebookNode] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.output_type == "stream" == previous.output_type
            and output.name == previous.name
        ):
            previous.text += output.text
        else:
            merged.append(output)
    return merged
