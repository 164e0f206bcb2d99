"""Unit tests of utils.setup and utils.runtime: seeds, printing, figures, quiet TensorFlow."""

from __future__ import annotations

import logging
import os
import random
import subprocess
import sys

import keras
import matplotlib
import numpy as np
import pytest
import tensorflow as tf
from matplotlib.figure import Figure
from tensorflow.python.platform import tf_logging

import utils
from tools.course import ROOT
from utils import runtime


@pytest.fixture(autouse=True)
def restore_global_state():
    """Put back what setup() changes: print options, rcParams and the TensorFlow logger.

    Before each test they are set to values setup() never uses, so a test can tell that setup()
    changed them.
    """
    printoptions = np.get_printoptions()
    rc = matplotlib.rcParams.copy()
    logger = logging.getLogger("tensorflow")
    handlers, propagate, level = list(logger.handlers), logger.propagate, logger.level
    np.set_printoptions(precision=8, suppress=False)
    matplotlib.rcParams.update({"figure.figsize": (2.0, 1.0), "figure.dpi": 50})
    yield
    np.set_printoptions(**printoptions)
    matplotlib.rcParams.update(rc)
    logger.handlers[:] = handlers
    logger.propagate = propagate
    logger.setLevel(level)


def draws():
    """One draw from every generator setup() seeds, including a fresh Keras layer's weights."""
    layer = keras.layers.Dense(3)
    layer.build((None, 4))
    return {
        "tf": tf.random.normal([3]).numpy(),
        "numpy": np.random.rand(3),
        "python": random.random(),
        "keras kernel": layer.kernel.numpy(),
        "keras.random": keras.ops.convert_to_numpy(keras.random.normal([3])),
    }


def draws_after_setup(*args, **kwargs):
    utils.setup(*args, **kwargs)
    return draws()


def assert_same(first, second):
    for name in first:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)


# --- seeds ---------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_draws():
    first = draws_after_setup(7)
    draws()  # move every generator on, so that only setup() can bring them back
    assert_same(first, draws_after_setup(7))


def test_default_seed_is_zero():
    assert_same(draws_after_setup(), draws_after_setup(seed=0))


def test_different_seeds_give_different_draws():
    first, second = draws_after_setup(1), draws_after_setup(2)
    for name in first:
        assert not np.array_equal(first[name], second[name]), name


def test_seed_beyond_numpy_range_is_rejected_up_front():
    state = random.getstate()
    with pytest.raises(
        ValueError, match=r"setup\(\): seed must be between 0 and 2\*\*32 - 1"
    ):
        utils.setup(seed=2**32)
    assert random.getstate() == state, "a rejected seed must not change any generator"


# --- printing ------------------------------------------------------------------------------------


def test_print_precision_is_set():
    utils.setup()
    assert np.get_printoptions()["precision"] == 4
    assert np.get_printoptions()["suppress"] is True
    assert repr(tf.constant([1 / 3], tf.float64)).endswith("numpy=array([0.3333])>")
    # no scientific notation
    assert np.array2string(np.array([1e-10, 1.0])) == "[0. 1.]"


@pytest.mark.parametrize("precision", [1, 6, 16])
def test_print_precision_can_be_chosen(precision):
    utils.setup(precision=precision)
    assert np.get_printoptions()["precision"] == precision
    assert np.array2string(np.array([2 / 3])) == f"[{2 / 3:.{precision}f}]"


# --- figures -------------------------------------------------------------------------------------


def test_figure_defaults_are_applied():
    utils.setup()
    for key, value in runtime.FIGURE_RC.items():
        got = matplotlib.rcParams[key]
        assert (tuple(got) if isinstance(got, list) else got) == value, key
    assert tuple(matplotlib.rcParams["figure.figsize"]) == (6.4, 4.0)
    assert matplotlib.rcParams["figure.dpi"] == 100
    assert repr(Figure()) == "<Figure size 640x400 with 0 Axes>"


# --- TensorFlow warnings go to stdout ------------------------------------------------------------


def test_tensorflow_warnings_go_to_stdout(capsys, monkeypatch):
    # TensorFlow prints this warning only the first 5 times per process; start the count afresh.
    monkeypatch.setattr(tf_logging, "_log_counter_per_token", {})
    utils.setup()
    utils.setup()  # twice: still one handler, one line per warning
    with tf.GradientTape() as tape:
        tape.watch(tf.constant(2))
    captured = capsys.readouterr()
    assert captured.out == (
        "WARNING: The dtype of the watched tensor must be floating (e.g. tf.float32), "
        "got tf.int32\n"
    )
    assert "watched tensor" not in captured.err


def test_tensorflow_logger_writes_to_the_current_stdout(capsys):
    utils.setup()
    tf.get_logger().warning("first %s", "line")
    assert capsys.readouterr().out == "WARNING: first line\n"
    tf.get_logger().info("not shown")  # the logger's level is untouched
    tf.get_logger().error("second")
    assert capsys.readouterr().out == "ERROR: second\n"


def test_tensorflow_warnings_lose_their_memory_addresses(capsys):
    """The retracing warning names a function by its repr, whose address changes every run."""
    utils.setup()

    def f():
        return None

    tf.get_logger().warning("5 calls to %s triggered tf.function retracing.", f)
    out = capsys.readouterr().out
    assert out == (
        "WARNING: 5 calls to <function test_tensorflow_warnings_lose_their_memory_addresses."
        "<locals>.f> triggered tf.function retracing.\n"
    )


# --- bad arguments -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"seed": -1},
            ValueError,
            r"seed must be between 0 and 2\*\*32 - 1 \(NumPy.s range\), got -1",
        ),
        ({"precision": 0}, ValueError, r"precision must be between 1 and 16, got 0"),
        ({"precision": 17}, ValueError, r"precision must be between 1 and 16, got 17"),
        ({"seed": 1.5}, TypeError, r"seed must be an int, got float 1\.5"),
        ({"seed": True}, TypeError, r"seed must be an int, got bool True"),
        ({"seed": "0"}, TypeError, r"seed must be an int, got str '0'"),
        ({"precision": 4.0}, TypeError, r"precision must be an int, got float 4\.0"),
        ({"precision": False}, TypeError, r"precision must be an int, got bool False"),
    ],
)
def test_bad_arguments_are_rejected_before_anything_changes(kwargs, error, message):
    state = random.getstate()
    with pytest.raises(error, match=rf"^setup\(\): {message}"):
        utils.setup(**kwargs)
    assert np.get_printoptions()["precision"] == 8  # as the fixture left it
    assert matplotlib.rcParams["figure.dpi"] == 50
    assert random.getstate() == state


# --- quiet import --------------------------------------------------------------------------------


def test_import_tensorflow_quietly_returns_the_imported_module():
    assert runtime.import_tensorflow_quietly() is tf


def test_importing_utils_and_setup_write_nothing_to_stderr():
    env = dict(os.environ)
    for name in runtime.TF_ENVIRONMENT:
        env.pop(name, None)
    code = (
        "import os, utils; utils.setup(); "
        "print(*(os.environ[name] for name in utils.runtime.TF_ENVIRONMENT))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    # set by utils, since the parent's values were removed
    assert result.stdout == "2 0\n"


def test_silenced_stderr_is_replayed_when_the_block_raises(capfd):
    with runtime._stderr_fd_silenced():
        os.write(2, b"start-up noise\n")
    assert capfd.readouterr().err == ""
    with pytest.raises(RuntimeError), runtime._stderr_fd_silenced():
        os.write(2, b"why it failed\n")
        raise RuntimeError("import failed")
    assert capfd.readouterr().err == "why it failed\n"


def test_setup_turns_off_tf32_matrix_products():
    tf.config.experimental.enable_tensor_float_32_execution(True)  # the GPU default
    try:
        utils.setup()
        assert not tf.config.experimental.tensor_float_32_execution_enabled()
    finally:
        tf.config.experimental.enable_tensor_float_32_execution(False)


def installed(**versions: str):
    """A version lookup for environment_problem: tensorflow_cpu="2.21.0" and so on."""
    return lambda name: versions.get(name.replace("-", "_"))


def test_the_course_environment_has_no_problem():
    assert (
        runtime.environment_problem(installed(tensorflow_cpu="2.21.0", keras="3.15.1"))
        is None
    )
    assert (
        runtime.environment_problem(installed(tensorflow="2.16.2", keras="3.3.3"))
        is None
    )
    # one release installed under both names is not the broken case
    both_same = installed(tensorflow="2.21.0", tensorflow_cpu="2.21.0", keras="3.15.1")
    assert runtime.environment_problem(both_same) is None


def test_both_tensorflow_builds_at_different_versions_are_named_with_the_fix():
    problem = runtime.environment_problem(
        installed(tensorflow="2.20.0", tensorflow_cpu="2.21.0", keras="3.15.1")
    )
    assert "Both tensorflow 2.20.0 and tensorflow-cpu 2.21.0 are installed" in problem
    assert "`pip uninstall -y tensorflow-cpu`" in problem
    assert "`pip install --force-reinstall --no-deps tensorflow==2.20.0`" in problem


def test_keras_2_is_refused_with_the_fix():
    problem = runtime.environment_problem(
        installed(tensorflow="2.15.0", keras="2.15.0")
    )
    assert "needs TensorFlow 2.16 or later, with Keras 3" in problem
    assert "TensorFlow 2.15.0 and Keras 2.15.0" in problem
    assert "`pip install tensorflow==2.21.0`" in problem
    problem = runtime.environment_problem(
        installed(tensorflow="2.17.0", keras="2.15.0")
    )
    assert "needs Keras 3" in problem and 'pip install "keras>=3"' in problem


def test_a_missing_tensorflow_is_named_with_the_fix():
    problem = runtime.environment_problem(installed())
    assert problem.startswith("TensorFlow is not installed")
    assert "`pip install tensorflow==2.21.0`" in problem


def test_check_environment_raises_an_import_error_that_says_what_to_do(monkeypatch):
    monkeypatch.setattr(
        runtime, "_installed_version", installed(tensorflow="2.15.0", keras="2.15.0")
    )
    with pytest.raises(
        runtime.EnvironmentProblem, match="needs TensorFlow 2.16"
    ) as raised:
        runtime.check_environment()
    assert isinstance(raised.value, ImportError)  # so `import utils` stops with it
