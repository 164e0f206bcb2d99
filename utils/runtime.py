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
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from types import ModuleType

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

    @property  # type: ignore[override]
    def stream(self):  # noqa: ANN201 - the logging API's own attribute
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
        raise ValueError(f"setup(): precision must be between 1 and 16, got {precision}.")

    import_tensorflow_quietly()
    import keras
    import matplotlib
    import numpy as np

    keras.utils.set_random_seed(seed)
    np.set_printoptions(precision=precision, suppress=True)

    tf_logger = logging.getLogger("tensorflow")
    tf_logger.handlers[:] = [_StdoutHandler()]
    tf_logger.propagate = False

    matplotlib.rcParams.update(FIGURE_RC)
