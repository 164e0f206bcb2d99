"""Bytecode for exactly what the course imports, written once at install time.

    python tools/bytecode.py warm                   # `make install` runs this after pip
    python tools/bytecode.py warm --site            # and this after the website's packages
    python tools/bytecode.py report [--min 0.95]    # how much of `import utils` has bytecode

Why: ``pip install --no-compile`` halves the install (TensorFlow ships thousands of modules a
lesson never loads), and Python would normally write the ``.pyc`` of what is imported on first
use. But where ``PYTHONDONTWRITEBYTECODE=1`` is set (CI, many container images) nothing is ever
written, and every kernel and test worker compiles TensorFlow's sources again: ``import utils``
then takes two to three times as long.

``warm`` allows bytecode writing in this process and in the processes it starts, whatever the
environment says, then loads what ``make test`` and ``make lab`` load: the test stack (pytest,
xdist, nbval, nbclient) and JupyterLab's server in this process, and a short notebook run in a
real kernel the way the tests run lessons (``import utils``, ``utils.setup()``, a tape, a
``tf.function``, a Keras layer, an inline figure, a cell that raises). Python writes a ``.pyc``
for each module as it is imported; nothing else is compiled.

``report`` imports ``utils`` and counts the ``.py`` modules it loaded that have an up-to-date
``.pyc`` (same source size and modification time as recorded in the ``.pyc``'s header). Run it
with ``PYTHONDONTWRITEBYTECODE=1`` so that the count is not helped by the run itself.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import struct
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Modules that test workers, the notebook runner and ``make lab`` import besides ``utils``.
TOOLING_MODULES = (
    "pytest",
    "xdist.plugin",
    "xdist.remote",
    "execnet",
    "nbval.plugin",
    "nbval.kernel",
    "nbclient",
    "nbformat",
    "jupyter_client",
    "jupyterlab.labapp",
    "jupyter_server.serverapp",
    "jupyter_lsp",
    "jupyter_server_terminals",
    "notebook_shim",
)

#: What the warm-up kernel runs: the imports and the kinds of calls the lessons make.
WARM_UP_CELL = """\
import utils
utils.setup()
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

x = tf.Variable([1.0, 2.0])
with tf.GradientTape(persistent=True) as tape:
    y = tf.reduce_sum(tf.nn.softmax(x) ** 2)
tape.gradient(y, x), tape.jacobian(tf.sigmoid(x), x)
tf.function(lambda v: v * 2.0)(x)
keras.layers.Dense(2)(tf.ones([1, 2]))
utils.check_gradients(lambda v: tf.reduce_sum(v**2), [x.numpy().astype(np.float64)])
fig, ax = plt.subplots(figsize=(2, 2))
ax.plot([0, 1], [0, 1])
plt.show()
"""
RAISING_CELL = "tape.gradient(y, x, unconnected_gradients='no such option')"


def warm_site() -> None:
    """Build a one-lesson site in a temporary folder, so Sphinx's modules get their bytecode."""
    from build_site import build  # this folder

    with tempfile.TemporaryDirectory() as tmp:
        build(sorted((ROOT / "notebooks").glob("*.ipynb"))[:1], Path(tmp) / "html")


def warm(site: bool = False) -> None:
    """Import what the course uses with bytecode writing on.

    With ``site``, only what ``make html`` and the site's test load (installed separately).
    """
    sys.dont_write_bytecode = False
    # the kernel inherits this environment
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if site:
        warm_site()
        return
    for name in TOOLING_MODULES:
        importlib.import_module(name)

    import nbformat
    from execute_notebooks import run  # this folder: the tests' own kernel and settings

    # A lesson's tagged raising cell loads IPython's traceback formatting (stack_data, pygments).
    raising = nbformat.v4.new_code_cell(
        RAISING_CELL, metadata={"tags": ["raises-exception"]}
    )
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(WARM_UP_CELL), raising]
    )
    run(nb, ROOT / "notebooks")


def has_current_pyc(source: str) -> bool:
    """True if ``source`` has a ``.pyc`` that Python would load instead of compiling.

    Checks the header of the timestamp-based ``.pyc`` (the kind pip and imports write): the
    interpreter's magic number, then the source's modification time and size.
    """
    try:
        cached = importlib.util.cache_from_source(source)
        with open(cached, "rb") as f:
            header = f.read(16)
        stat = os.stat(source)
    except (OSError, NotImplementedError, ValueError):
        return False
    if len(header) < 16 or header[:4] != importlib.util.MAGIC_NUMBER:
        return False
    flags, mtime, size = struct.unpack("<3I", header[4:16])
    if flags != 0:  # hash-based .pyc: valid by construction unless checked
        return True
    return (
        mtime == int(stat.st_mtime) & 0xFFFFFFFF and size == stat.st_size & 0xFFFFFFFF
    )


def loaded_sources() -> list[str]:
    """The ``.py`` files behind the modules imported in this process (not the script run)."""
    main = sys.modules["__main__"]  # also registered as __mp_main__ by multiprocessing
    modules = [m for m in list(sys.modules.values()) if m is not main]
    files = {getattr(m, "__file__", None) for m in modules}
    return sorted(f for f in files if isinstance(f, str) and f.endswith(".py"))


def report(minimum: float | None) -> int:
    """Import ``utils``; print the share of its modules that had a current ``.pyc``."""
    importlib.import_module("utils")
    sources = loaded_sources()
    missing = [s for s in sources if not has_current_pyc(s)]
    share = 1 - len(missing) / len(sources)
    print(
        f"import utils: {len(sources) - len(missing)} of {len(sources)} .py modules "
        f"have a current .pyc ({share:.1%})"
    )
    for source in missing[:10]:
        print(f"  without: {os.path.relpath(source, sys.prefix)}")
    if minimum is not None and share < minimum:
        hint = "delete .venv/.installed, then run `make install`"
        print(f"below the minimum of {minimum:.0%}: {hint}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    warm_parser = sub.add_parser(
        "warm", help="write .pyc files for what the course imports"
    )
    warm_parser.add_argument(
        "--site", action="store_true", help="for the website's build"
    )
    check = sub.add_parser(
        "report", help="share of `import utils` modules with a current .pyc"
    )
    check.add_argument(
        "--min", type=float, default=None, help="fail below this share (0 to 1)"
    )
    args = parser.parse_args(argv)
    if args.command == "warm":
        warm(site=args.site)
        return 0
    return report(args.min)


if __name__ == "__main__":
    sys.exit(main())
