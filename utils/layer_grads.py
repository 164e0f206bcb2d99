"""Hand-derived gradients of one dense softmax layer, for the lessons that check them.

Lesson 02 derives the gradient of the original course's MSE-on-softmax loss stage by stage;
lesson 05 uses the same loss at a special point. The derivation lives in lesson 02; this
module holds the finished formula so that the two lessons do not each write it.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf


def _shape_error(message: str) -> ValueError:
    return ValueError(f"softmax_mse_grads(): {message}")


def softmax_mse_grads(x: Any, w: Any, b: Any, t: Any) -> tuple[tf.Tensor, tf.Tensor]:
    """dL/dw and dL/db for ``L = reduce_mean(tf.losses.MSE(t, softmax(x @ w + b)))``.

    With ``p = softmax(z)``, ``z = x @ w + b``, N examples and C classes, the three stages are

    - ``dp = 2 (p - t) / (N C)``: the square's 2, the 1/C of ``tf.losses.MSE`` (a mean over
      the last axis) and the 1/N of ``reduce_mean``;
    - ``dz = p * (dp - sum_k p_k dp_k)``, which is ``J^T dp`` for the softmax Jacobian
      ``J = diag(p) - p p^T`` of each row, without building J;
    - ``dw = x^T dz``, ``db = sum_n dz``.

    Args:
        x: ``(N, F)`` inputs.
        w: ``(F, C)`` weights.
        b: ``(C,)`` biases.
        t: ``(N, C)`` targets (one-hot rows, or any probabilities).
        All floating, of one dtype: tensors, Variables or NumPy arrays.

    Returns:
        ``(dw, db)``, tensors of shapes ``(F, C)`` and ``(C,)``.

    Raises:
        TypeError: the four are not all of one floating dtype.
        ValueError: shapes that do not fit together (the message names them).
    """
    x, w, b, t = (tf.convert_to_tensor(v) for v in (x, w, b, t))
    dtypes = {v.dtype for v in (x, w, b, t)}
    if len(dtypes) != 1 or not x.dtype.is_floating:
        names = ", ".join(
            f"{k} {v.dtype.name}" for k, v in zip("xwbt", (x, w, b, t), strict=True)
        )
        raise TypeError(
            f"softmax_mse_grads(): x, w, b and t must share one floating dtype; got {names}. "
            "Cast them, e.g. tf.one_hot(y, depth=3, dtype=x.dtype) for t."
        )
    if x.shape.rank != 2 or w.shape.rank != 2 or b.shape.rank != 1 or t.shape.rank != 2:
        raise _shape_error(
            "expected x (N, F), w (F, C), b (C,) and t (N, C); got ranks "
            f"{x.shape.rank}, {w.shape.rank}, {b.shape.rank}, {t.shape.rank}."
        )
    n, f = x.shape
    c = w.shape[1]
    if w.shape[0] != f or b.shape[0] != c or tuple(t.shape) != (n, c):
        raise _shape_error(
            f"shapes do not fit: x {tuple(x.shape)}, w {tuple(w.shape)}, b {tuple(b.shape)}, "
            f"t {tuple(t.shape)}; need x (N, F), w (F, C), b (C,), t (N, C)."
        )
    p = tf.nn.softmax(x @ w + b, axis=1)
    # stage 1, dL/dp: the square's 2, the 1/C of tf.losses.MSE, the 1/N of reduce_mean
    dp = 2 * (p - t) / (n * c)
    # stage 2, dL/dz = J^T dp for each row, without building J = diag(p) - p p^T
    dz = p * (dp - tf.reduce_sum(p * dp, axis=1, keepdims=True))
    # stage 3, through z = x w + b: dw = x^T dz, db = dz summed over the batch
    return tf.transpose(x) @ dz, tf.reduce_sum(dz, axis=0)
