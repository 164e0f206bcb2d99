"""Process-wide set-up for the notebooks: quiet TensorFlow start-up, seeds, printing, figures.

Every notebook's first code cell is::

    import utils
    utils.setup()

``import utils`` already imports TensorFlow with its start-up log lines hidden (see
:func:`import_tensorflow_quietly`); :func:`setup` then fixes everything that makes a stored
output differ from one run, or one machine, to the next.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import TextIO

#: Environment variables read by TensorFlow's C++ runtime when it is first imported.
#: ``TF_CPP_MIN_LOG_LEVEL=2`` drops INFO and WARNING lines; ``TF_ENABLE_ONEDNN_OPTS=0``
#: turns off the oneDNN kernels, whose start-up notice survives the log level alone and
#: whose results depend on the CPU's instruction set.
TF_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}

DEFAULT_SEED = 0

#: Matplotlib settings applied by :func:`setup`: one figure size and resolution for every
#: lesson, so that the ``<Figure size 640x400 with N Axes>`` line nbval compares never moves.
FIGURE_RC = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


class _StableFormatter(logging.Formatter):
    """``LEVEL: message``, with memory addresses taken out of the message.

    Some TensorFlow warnings name an object by its repr, e.g. the retracing warning's
    ``<function pfor.<locals>.f at 0x7f3a...>``; the address changes from run to run, and a
    stored output that holds one could never be compared.
    """

    _ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")

    def __init__(self) -> None:
        super().__init__("%(levelname)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return self._ADDRESS.sub("", super().format(record))


class _StdoutHandler(logging.StreamHandler):
    """A log handler that writes to whatever ``sys.stdout`` is at the time of each record.

    Jupyter and pytest both swap ``sys.stdout``; binding the stream once would send later
    records to a stale object.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(_StableFormatter())

    @property
    def stream(self) -> TextIO:  # the logging API's own attribute, read at each write
        return sys.stdout

    @stream.setter
    def stream(self, value: object) -> None:  # StreamHandler.__init__ assigns it
        pass


@contextlib.contextmanager
def _stderr_fd_silenced() -> Iterator[None]:
    """Send file descriptor 2 to a temporary file for the duration of the block.

    TensorFlow writes its start-up lines from C++ (before its logging is configured, so the
    environment variables above cannot stop all of them). Python's ``sys.stderr`` is left
    alone. If the block raises, whatever was written is replayed to stderr so that a
    failing import still explains itself.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr at all: nothing to silence
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


#: The oldest TensorFlow the lessons run on (README.md, "Where you run it"): Keras 3, which the
#: lessons use (``keras.config``, ``stateless_call``), comes with 2.16 and later.
LOWEST_TENSORFLOW = (2, 16)
#: The release ``requirements.txt`` pins, named in the fixes below.
COURSE_TENSORFLOW = "2.21.0"


class EnvironmentProblem(ImportError):
    """This Python environment cannot run the course; the message says why and what to run."""


def _release(version: str) -> tuple[int, int]:
    """``"2.16.2"`` -> ``(2, 16)``; pre-release suffixes (``2.17.0rc1``) are ignored."""
    parts = re.findall(r"\d+", version)[:2]
    return (int(parts[0]), int(parts[1])) if len(parts) == 2 else (0, 0)


def environment_problem(version_of: Callable[[str], str | None]) -> str | None:
    """What keeps this environment from running the course, or None if nothing does.

    Checked before TensorFlow is imported (a broken install fails there with an obscure
    error), from the installed distributions' versions alone:

    - neither ``tensorflow`` nor ``tensorflow-cpu`` is installed;
    - both are, at different versions: they write the same ``tensorflow/`` folder, so the
      files of one overwrite the other's and ``import tensorflow`` breaks (``pip check``
      does not notice);
    - TensorFlow is older than 2.16, or Keras is older than 3 (the lessons use Keras 3).

    Args:
        version_of: the installed version of a distribution, or None if it is not installed
            (``importlib.metadata.version``, with ``PackageNotFoundError`` turned into None).

    Returns:
        A message that says what is wrong and the command that fixes it, or None.
    """
    install = f"pip install tensorflow=={COURSE_TENSORFLOW}"
    full, cpu = version_of("tensorflow"), version_of("tensorflow-cpu")
    if full is None and cpu is None:
        return (
            "TensorFlow is not installed in this Python environment "
            f"({sys.executable}). Install the course's release with `{install}` "
            "(or, from the course's folder, `pip install -r requirements.txt`)."
        )
    if full is not None and cpu is not None and full != cpu:
        return (
            f"Both tensorflow {full} and tensorflow-cpu {cpu} are installed. They share one "
            "`tensorflow` folder, so the one installed last has overwritten parts of the other "
            "and TensorFlow cannot load. Keep one of them, for example your tensorflow "
            f"{full}: `pip uninstall -y tensorflow-cpu` and then "
            f"`pip install --force-reinstall --no-deps tensorflow=={full}`."
        )
    tf_version = full or cpu
    lowest = LOWEST_TENSORFLOW
    if _release(tf_version) < lowest:
        keras = version_of("keras") or "none"
        return (
            f"This course needs TensorFlow {lowest[0]}.{lowest[1]} or later, with Keras 3; this "
            f"environment has TensorFlow {tf_version} and Keras {keras}. Upgrade with "
            f"`{install}`."
        )
    keras = version_of("keras")
    if keras is None or _release(keras) < (3, 0):
        return (
            f"This course needs Keras 3, which TensorFlow {tf_version} uses; this environment "
            f'has Keras {keras or "not installed"}. Install it with `pip install "keras>=3"`.'
        )
    return None


def _installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_environment() -> None:
    """Raise :class:`EnvironmentProblem` if :func:`environment_problem` finds one."""
    problem = environment_problem(_installed_version)
    if problem is not None:
        raise EnvironmentProblem(problem)


def import_tensorflow_quietly() -> ModuleType:
    """Import TensorFlow and start its CPU runtime without its start-up log lines.

    Sets the variables in :data:`TF_ENVIRONMENT` (unless already set), limits intra-op
    threads to one (tiny tensors gain nothing from threads, and a fixed reduction order keeps
    float results identical on machines with different core counts), and creates the CPU
    device while C-level stderr is redirected. Calling it again is cheap.

    Returns:
        The ``tensorflow`` module.
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    check_environment()
    for name, value in TF_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    with _stderr_fd_silenced():
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.list_logical_devices()  # starts the runtime (and its CUDA probe) now
    return tf


def setup(seed: int = DEFAULT_SEED, precision: int = 4) -> None:
    """Make a notebook's outputs reproducible. Call it in the first code cell.

    - seeds Python's ``random``, NumPy, TensorFlow and Keras (initialisers, dropout) with
      ``seed`` through ``keras.utils.set_random_seed``;
    - makes NumPy (and so the ``numpy=`` part of a tensor's repr) print ``precision`` digits
      after the point, without scientific notation for tiny values, so that stored outputs
      do not depend on the last bits of a float;
    - routes TensorFlow's Python warnings (for example "The dtype of the watched tensor must
      be floating") to stdout as plain ``WARNING: ...`` lines, so a lesson can show them, with
      memory addresses (`` at 0x7f...``) removed so that they read the same on every run;
    - turns off TensorFlow's TF32 matrix products (on by default on Ampere and newer GPUs,
      about 1e-3 relative error), so float32 results match a CPU's to float32 precision;
    - applies :data:`FIGURE_RC` to matplotlib.

    Args:
        seed: an integer from 0 to 2**32 - 1.
        precision: digits after the decimal point in printed arrays, 1 to 16.

    Raises:
        ValueError: ``seed`` or ``precision`` is out of range.
        TypeError: ``seed`` or ``precision`` is not an integer.
    """
    for name, value in (("seed", seed), ("precision", precision)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(
                f"setup(): {name} must be an int, got {type(value).__name__} {value!r}."
            )
    if not 0 <= seed < 2**32:
        raise ValueError(
            f"setup(): seed must be between 0 and 2**32 - 1 (NumPy's range), got {seed}. "
            "Use e.g. setup(seed=0)."
        )
    if not 1 <= precision <= 16:
        raise ValueError(
            f"setup(): precision must be between 1 and 16, got {precision}."
        )

    tf = import_tensorflow_quietly()
    import keras
    import matplotlib
    import numpy as np

    keras.utils.set_random_seed(seed)
    # On Ampere and newer GPUs float32 matrix products default to TF32 (about 1e-3 relative
    # error), too coarse for the lessons' float32 checks at 1e-4. No effect on a CPU.
    tf.config.experimental.enable_tensor_float_32_execution(False)
    np.set_printoptions(precision=precision, suppress=True)

    tf_logger = logging.getLogger("tensorflow")
    tf_logger.handlers[:] = [_StdoutHandler()]
    tf_logger.propagate = False

    matplotlib.rcParams.update(FIGURE_RC)
