"""Unit tests of utils.softmax_mse_grads against the tape and float64 finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import utils  # imports TensorFlow quietly, so it comes first

# isort: split
import tensorflow as tf


def loss(x, w, b, t):
    return tf.reduce_mean(tf.losses.MSE(t, tf.nn.softmax(x @ w + b, axis=1)))


def problem(n, f, c, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, f)).astype(dtype)
    w = rng.normal(size=(f, c)).astype(dtype)
    b = rng.normal(size=c).astype(dtype)
    t = np.eye(c, dtype=dtype)[rng.integers(0, c, n)]
    return x, w, b, t


@pytest.mark.parametrize(("n", "f", "c"), [(2, 4, 3), (1, 1, 2), (5, 3, 6)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_equals_the_tape(n, f, c, dtype):
    x, w, b, t = problem(n, f, c, dtype, seed=n + f + c)
    w_, b_ = tf.constant(w), tf.constant(b)
    with tf.GradientTape() as tape:
        tape.watch([w_, b_])
        value = loss(x, w_, b_, t)
    tape_dw, tape_db = tape.gradient(value, [w_, b_])
    dw, db = utils.softmax_mse_grads(x, w, b, t)
    assert dw.shape == (f, c) and db.shape == (c,) and dw.dtype == dtype
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(dw, tape_dw, atol=tol)
    np.testing.assert_allclose(db, tape_db, atol=tol)


def test_equals_float64_finite_differences_for_soft_targets():
    x, w, b, _ = problem(3, 2, 4, np.float64, seed=7)
    t = np.random.default_rng(8).dirichlet(np.ones(4), size=3)  # rows of probabilities
    numerical = utils.numerical_gradient(lambda w, b: loss(x, w, b, t), [w, b])
    for ours, estimate in zip(
        utils.softmax_mse_grads(x, w, b, t), numerical, strict=True
    ):
        np.testing.assert_allclose(ours, estimate, atol=1e-10)


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        (((2, 4), (4, 3), (3,), (2, 2)), r"shapes do not fit: .* t \(2, 2\)"),
        (((2, 4), (5, 3), (3,), (2, 3)), r"shapes do not fit: x \(2, 4\), w \(5, 3\)"),
        (
            ((2, 4), (4, 3), (3, 1), (2, 3)),
            r"expected x \(N, F\), w \(F, C\), b \(C,\)",
        ),
    ],
)
def test_bad_shapes_are_named(shapes, message):
    arrays = [np.zeros(s, np.float32) for s in shapes]
    with pytest.raises(ValueError, match=message):
        utils.softmax_mse_grads(*arrays)


def test_mixed_dtypes_are_named():
    x, w, b, t = problem(2, 4, 3, np.float32, seed=0)
    with pytest.raises(TypeError, match=r"one floating dtype; got .* t float64"):
        utils.softmax_mse_grads(x, w, b, t.astype(np.float64))
