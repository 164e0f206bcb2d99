"""Unit tests of utils.upcast: a scalar function evaluated in float64, and what it says when it
cannot be."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from utils.upcast import float64_evaluator

X32 = tf.constant(
    [[1.0, 2.0], [3.0, 4.0]], tf.float32
)  # what a lesson's closure captures


def w32() -> tf.Tensor:
    return tf.constant([0.5, -1.0], tf.float32)


def test_a_float64_function_is_called_as_written():
    calls = []

    def f(w):
        calls.append(w.dtype)
        return tf.reduce_sum(w**2)

    g = float64_evaluator(f, [tf.constant([1.0, 2.0], tf.float64)])
    assert g([np.array([3.0, 4.0])]) == 25.0
    assert calls == [tf.float64, tf.float64], "probed once, then called directly"


def test_a_closure_over_float32_is_rebuilt_in_float64():
    def f(w):
        return tf.reduce_sum(tf.linalg.matvec(X32, w) ** 2)

    g = float64_evaluator(f, [w32()])
    w = np.array([0.1, 1e-9])  # 1e-9 is lost in float32 next to 0.1, not in float64
    expected = np.sum((np.array([[1.0, 2.0], [3.0, 4.0]]) @ w) ** 2)
    assert g([w]) == pytest.approx(expected, rel=1e-15)


def test_a_float32_variable_read_is_fed_in_float64():
    v = tf.Variable([2.0, 3.0], dtype=tf.float32)
    g = float64_evaluator(lambda w: tf.reduce_sum(v * w), [w32()])
    assert g([np.array([1.0, 1.0 + 1e-12])]) == pytest.approx(5.0 + 3e-12, rel=1e-15)


def test_a_non_scalar_is_refused_with_how_to_reduce_it():
    with pytest.raises(ValueError, match=r"shape \(2,\).*tf.reduce_mean"):
        float64_evaluator(lambda w: w * 2.0, [tf.constant([1.0, 2.0], tf.float64)])


def test_a_non_scalar_is_refused_on_the_graph_route_too():
    # calling it with float64 fails (float32 X32 @ float64 w), so the trace is what says so
    with pytest.raises(ValueError, match=r"shape \(2,\).*tf.reduce_sum"):
        float64_evaluator(lambda w: tf.linalg.matvec(X32, w), [w32()])


def test_two_outputs_are_refused_and_both_routes_are_quoted():
    def f(w):
        loss = tf.reduce_sum(tf.linalg.matvec(X32, w))
        return loss, loss

    with pytest.raises(TypeError) as caught:
        float64_evaluator(f, [w32()])
    text = str(caught.value)
    assert "calling it with float64 tensors failed (InvalidArgumentError" in text
    assert "f must return one tensor, its trace returned 2" in text
    assert "dtype=tf.float64" in text, "the message says how to fix it"


def test_an_op_on_a_captured_variable_other_than_a_read_is_refused():
    v = tf.Variable([2.0, 3.0], dtype=tf.float32)

    def f(w):
        return tf.reduce_sum(tf.gather(v, [0, 1]) * w)  # ResourceGather, not a read

    with pytest.raises(TypeError, match=r"'ResourceGather' uses a captured Variable"):
        float64_evaluator(f, [w32()])


def test_an_output_that_stays_low_precision_is_refused():
    def f(w):  # an integer result: nothing to rewrite
        return tf.cast(tf.reduce_sum(w), tf.int32)

    with pytest.raises(TypeError) as caught:
        float64_evaluator(f, [w32()])
    text = str(caught.value)
    assert "returned a result of lower precision" in text
    assert "f's output has dtype int32 after the rewrite" in text


def test_functions_inside_the_graph_are_renamed_so_both_versions_coexist():
    inner = tf.function(lambda w: tf.reduce_sum(tf.linalg.matvec(X32, w)))
    g1 = float64_evaluator(lambda w: inner(w), [w32()])
    g2 = float64_evaluator(lambda w: 2.0 * inner(w), [w32()])
    w = np.array([1.0, 1e-9])
    assert g1([w]) == pytest.approx(1.0 + 2e-9 + 3.0 + 4e-9, rel=1e-15)
    assert g2([w]) == pytest.approx(2 * g1([w]), rel=1e-15)
