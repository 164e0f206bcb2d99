"""Re-execute notebooks in place, exactly as the tests run them, and store them clean.

    python tools/execute_notebooks.py [notebooks/NN_topic.ipynb ...]   # default: all

Each notebook runs top to bottom in a fresh kernel on this interpreter (nbval's
``--nbval-current-env`` kernel), with the notebook's folder as working directory and C-level
output left out of the notebook, as under ``pytest --nbval``. Then only what is stable is kept:
no timing metadata, tracebacks cut to their last line, cell ids and tags untouched, notebook
metadata reduced to the kernel spec and the language (without its version). Running it twice
leaves ``git diff`` empty.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

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


def execute(path: Path, timeout: int = 120) -> float:
    """Execute the notebook at ``path`` in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    seconds = run(nb, path.parent, timeout)
    clean(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="notebooks to execute (default: notebooks/*.ipynb)",
    )
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    for path in paths:
        seconds = execute(path.resolve())
        print(f"executed {path.name} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
