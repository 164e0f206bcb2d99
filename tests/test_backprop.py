"""Unit tests of utils.backprop: the by-hand gradients (the perceptron's backpropagation and
softmax_mse_grads) against the tape and finite differences, and a clear message for every kind
of bad input."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import utils
from utils import backprop

TOLERANCE = {np.float32: 2e-5, np.float64: 1e-12}


def make_network(widths, dtype, seed=0):
    """Random params for layer widths like [3, 5, 4]: W (fan_in, fan_out), b (fan_out,)."""
    rng = np.random.default_rng(seed)
    return [
        (
            rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out)).astype(dtype),
            rng.normal(0, 0.5, n_out).astype(dtype),
        )
        for n_in, n_out in zip(widths[:-1], widths[1:], strict=True)
    ]


def make_batch(batch, features, classes, dtype, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(batch, features)).astype(dtype), rng.integers(
        0, classes, batch
    )


def tape_loss_and_grads(params, x, y, activation):
    """The same network written with TensorFlow ops and differentiated by the tape."""
    variables = [(tf.Variable(w), tf.Variable(b)) for w, b in params]
    act = {"sigmoid": tf.sigmoid, "relu": tf.nn.relu}[activation]
    with tf.GradientTape() as tape:
        a = tf.constant(x)
        for i, (w, b) in enumerate(variables):
            z = a @ w + b
            a = z if i == len(variables) - 1 else act(z)
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=a)
        )
    grads = tape.gradient(loss, variables)
    return loss.numpy(), [(dw.numpy(), db.numpy()) for dw, db in grads]


def relative(a, b):
    return np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize(
    "widths",
    [[4, 3], [4, 6, 3], [2, 8, 8, 2], [5, 7, 6, 4, 3]],
    ids=["1", "2", "3", "4"],
)
def test_equals_the_tape(widths, activation, dtype):
    params = make_network(widths, dtype)
    x, y = make_batch(9, widths[0], widths[-1], dtype)
    loss, grads = backprop.loss_and_grads(params, x, y, activation)
    tape_loss, tape_grads = tape_loss_and_grads(params, x, y, activation)

    assert loss.dtype == dtype and np.shape(loss) == ()
    assert relative(loss, tape_loss) < TOLERANCE[dtype]
    assert len(grads) == len(params)
    for (dw, db), (tw, tb), (w, b) in zip(grads, tape_grads, params, strict=True):
        assert dw.shape == w.shape and db.shape == b.shape
        assert dw.dtype == dtype and db.dtype == dtype
        assert relative(dw, tw) < TOLERANCE[dtype]
        assert relative(db, tb) < TOLERANCE[dtype]


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_equals_float64_finite_differences(activation):
    """An independent check that does not use TensorFlow's gradients at all."""
    params = make_network([3, 5, 4, 3], np.float64, seed=4)
    x, y = make_batch(6, 3, 3, np.float64, seed=5)
    _, grads = backprop.loss_and_grads(params, x, y, activation)
    flat = [a for pair in params for a in pair]

    def loss_of(*arrays):
        pairs = list(zip(arrays[::2], arrays[1::2], strict=True))
        return backprop.loss_and_grads(pairs, x, y, activation)[0]

    numerical = utils.numerical_gradient(lambda *a: tf.constant(loss_of(*a)), flat)
    for by_hand, estimate in zip(
        [g for pair in grads for g in pair], numerical, strict=True
    ):
        assert relative(by_hand, estimate) < 1e-7


def test_accepts_tensors_and_variables_and_returns_numpy():
    params = make_network([2, 4, 2], np.float32)
    x, y = make_batch(5, 2, 2, np.float32)
    tf_params = [(tf.Variable(w), tf.constant(b)) for w, b in params]
    loss, grads = backprop.loss_and_grads(
        tf_params, tf.constant(x), tf.constant(y), "relu"
    )
    ref_loss, ref_grads = backprop.loss_and_grads(params, x, y, "relu")
    assert loss == ref_loss
    for (dw, db), (rw, rb) in zip(grads, ref_grads, strict=True):
        assert isinstance(dw, np.ndarray) and isinstance(db, np.ndarray)
        np.testing.assert_array_equal(dw, rw)
        np.testing.assert_array_equal(db, rb)


def test_forward_gives_the_logits_the_loss_is_computed_from():
    params = make_network([3, 4, 3], np.float64)
    x, y = make_batch(7, 3, 3, np.float64)
    logits = backprop.forward(params, x, "sigmoid")
    assert logits.shape == (7, 3)
    expected = tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    ).numpy()
    loss, _ = backprop.loss_and_grads(params, x, y, "sigmoid")
    assert abs(loss - expected) < 1e-12


def test_softmax_cross_entropy_survives_huge_logits():
    logits = np.array([[1000.0, 0.0, -1000.0], [0.0, 2000.0, 0.0]], dtype=np.float32)
    loss, dz = backprop.softmax_cross_entropy(logits, np.array([0, 0]))
    assert np.isfinite(loss) and np.all(np.isfinite(dz))
    assert loss == pytest.approx(1000.0)  # (0 + 2000) / 2
    np.testing.assert_allclose(dz, [[0, 0, 0], [-0.5, 0.5, 0]], atol=1e-7)


def test_gradient_is_zero_at_a_perfect_confident_fit():
    params = [(np.zeros((2, 2)), np.array([50.0, -50.0]))]
    loss, grads = backprop.loss_and_grads(
        params, np.ones((3, 2)), np.zeros(3, dtype=int)
    )
    assert loss < 1e-40
    assert np.all(np.abs(grads[0][0]) < 1e-40) and np.all(np.abs(grads[0][1]) < 1e-40)


# --- bad input -----------------------------------------------------------------------------------

GOOD = make_network([2, 3, 2], np.float32)
X, Y = make_batch(4, 2, 2, np.float32)


def bad(index, position, value):
    """GOOD with one array replaced."""
    params = [list(pair) for pair in GOOD]
    params[index][position] = value
    return [tuple(pair) for pair in params]


@pytest.mark.parametrize(
    ("params", "x", "y", "activation", "error", "message"),
    [
        (
            GOOD,
            X,
            np.array([0, 1, 2, 0]),
            "sigmoid",
            ValueError,
            r"labels must be in 0 \.\. 1",
        ),
        (
            GOOD,
            X,
            np.array([0, -1, 1, 0]),
            "sigmoid",
            ValueError,
            r"got values from -1 to 1",
        ),
        (
            GOOD,
            X,
            Y.astype(np.float32),
            "sigmoid",
            TypeError,
            r"integer class labels.*float32",
        ),
        (
            GOOD,
            X,
            np.eye(2, dtype=int)[Y],
            "sigmoid",
            ValueError,
            r"y must have shape \(4,\)",
        ),
        (
            GOOD,
            X[:, :1],
            Y,
            "sigmoid",
            ValueError,
            r"x has 1 features.*expects 2 \(its fan_in\)",
        ),
        (GOOD, X[0], Y, "sigmoid", ValueError, r"x must be 2-D \(batch, features\)"),
        (GOOD, X[:0], Y[:0], "sigmoid", ValueError, r"x has no rows"),
        (
            GOOD,
            X.astype(np.float64),
            Y,
            "sigmoid",
            TypeError,
            r"x is float64 but the weights",
        ),
        (
            GOOD,
            np.where(X > 0, np.nan, X),
            Y,
            "sigmoid",
            ValueError,
            r"x holds NaN or inf",
        ),
        (
            GOOD,
            X,
            Y,
            "tanh",
            ValueError,
            r"unknown activation 'tanh'; use one of 'sigmoid', 're",
        ),
        ([], X, Y, "sigmoid", TypeError, r"non-empty list of \(W, b\) pairs"),
        (GOOD[0], X, Y, "sigmoid", TypeError, r"params\[0\] must be a \(W, b\) pair"),
        ([(GOOD[0][0],)], X, Y, "sigmoid", TypeError, r"params\[0\].*of length 1"),
        (
            bad(0, 1, np.zeros(4, np.float32)),
            X,
            Y,
            "relu",
            ValueError,
            r"layer 0: b must have",
        ),
        (
            bad(1, 0, np.zeros((4, 2), np.float32)),
            X,
            Y,
            "relu",
            ValueError,
            r"layer 1: W has",
        ),
        (
            bad(0, 0, np.zeros(3, np.float32)),
            X,
            Y,
            "relu",
            ValueError,
            r"layer 0: W must be 2-D",
        ),
        (
            bad(1, 1, np.zeros(2)),
            X,
            Y,
            "relu",
            TypeError,
            r"float32, float64\. Cast them",
        ),
        (
            bad(0, 0, np.ones((2, 3), int)),
            X,
            Y,
            "relu",
            TypeError,
            r"every W and b must be",
        ),
        (
            bad(1, 0, np.full((3, 2), np.inf, np.float32)),
            X,
            Y,
            "relu",
            ValueError,
            r"layer 1",
        ),
        (
            [(np.zeros((2, 1), np.float32), np.zeros(1, np.float32))],
            X,
            np.zeros(4, int),
            "relu",
            ValueError,
            r"at least 2 outputs",
        ),
    ],
)
def test_bad_input_gets_a_message_that_names_the_problem(
    params, x, y, activation, error, message
):
    with pytest.raises(error, match=message):
        backprop.loss_and_grads(params, x, y, activation)


# --- softmax_mse_grads: one dense softmax layer under the MSE loss ---------------------------


def softmax_mse_loss(x, w, b, t):
    return tf.reduce_mean(tf.losses.MSE(t, tf.nn.softmax(x @ w + b, axis=1)))


def softmax_mse_problem(n, f, c, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, f)).astype(dtype)
    w = rng.normal(size=(f, c)).astype(dtype)
    b = rng.normal(size=c).astype(dtype)
    t = np.eye(c, dtype=dtype)[rng.integers(0, c, n)]
    return x, w, b, t


@pytest.mark.parametrize(("n", "f", "c"), [(2, 4, 3), (1, 1, 2), (5, 3, 6)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_mse_grads_equal_the_tape(n, f, c, dtype):
    x, w, b, t = softmax_mse_problem(n, f, c, dtype, seed=n + f + c)
    w_, b_ = tf.constant(w), tf.constant(b)
    with tf.GradientTape() as tape:
        tape.watch([w_, b_])
        value = softmax_mse_loss(x, w_, b_, t)
    tape_dw, tape_db = tape.gradient(value, [w_, b_])
    dw, db = utils.softmax_mse_grads(x, w, b, t)
    assert dw.shape == (f, c) and db.shape == (c,) and dw.dtype == dtype
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(dw, tape_dw, atol=tol)
    np.testing.assert_allclose(db, tape_db, atol=tol)


def test_softmax_mse_grads_equal_finite_differences_for_soft_targets():
    x, w, b, _ = softmax_mse_problem(3, 2, 4, np.float64, seed=7)
    t = np.random.default_rng(8).dirichlet(np.ones(4), size=3)  # rows of probabilities
    numerical = utils.numerical_gradient(
        lambda w, b: softmax_mse_loss(x, w, b, t), [w, b]
    )
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
def test_softmax_mse_grads_name_bad_shapes(shapes, message):
    arrays = [np.zeros(s, np.float32) for s in shapes]
    with pytest.raises(ValueError, match=message):
        utils.softmax_mse_grads(*arrays)


def test_softmax_mse_grads_name_mixed_dtypes():
    x, w, b, t = softmax_mse_problem(2, 4, 3, np.float32, seed=0)
    with pytest.raises(TypeError, match=r"one floating dtype; got .* t float64"):
        utils.softmax_mse_grads(x, w, b, t.astype(np.float64))
