"""Gradients derived by hand, computed without a GradientTape.

- :func:`loss_and_grads`: backpropagation for a multilayer perceptron, in NumPy (lesson 07);
- :func:`softmax_mse_grads`: the gradient of one dense softmax layer under the original
  course's MSE loss, derived in lesson 02 and used again in lesson 05 (TensorFlow ops).

For the perceptron, the network is a list of ``(W, b)`` layers. Hidden layers compute
``z = a @ W + b`` and then ``a = f(z)`` with ``f`` the sigmoid or ReLU; the last layer is linear
and its output ``z`` is the logits, scored by the mean softmax cross-entropy against integer
class labels.

Names follow CS231n's staged style: every forward quantity ``q`` has a twin ``dq`` that holds
``dL/dq``, with the same shape. The backward pass starts from ``dz = (softmax(z) - onehot(y)) / N``
at the output and repeats, layer by layer from the last to the first::

    dW = a_prev.T @ dz        # (fan_in, fan_out)
    db = dz.sum(axis=0)       # (fan_out,)
    da_prev = dz @ W.T        # (batch, fan_in)
    dz_prev = da_prev * f'(z_prev)

where ``f'(z) = a (1 - a)`` for the sigmoid (from the stored activation ``a``) and ``[z > 0]``
for ReLU. Lesson 07 builds these pieces up one by one; this module is the finished version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

#: The hidden-layer activations ``loss_and_grads`` knows.
ACTIVATIONS = ("sigmoid", "relu")

Array = Any  # a NumPy array, a tf.Tensor or a tf.Variable
Layer = tuple[np.ndarray, np.ndarray]


def _as_array(value: Array, what: str, caller: str) -> np.ndarray:
    """``value`` as a NumPy array (tensors and Variables through ``.numpy()``)."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    try:
        return np.asarray(value)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{caller}(): {what} must be an array or a tensor; got "
            f"{type(value).__name__}."
        ) from error


def _check_params(params: Any, caller: str) -> tuple[list[Layer], np.dtype]:
    """Validate ``[(W, b), ...]``; return the layers as arrays and their common float
    dtype. Every message starts with ``caller()``, the public function that was given them."""
    if not isinstance(params, Sequence) or isinstance(params, str) or len(params) == 0:
        raise TypeError(
            f"{caller}(): params must be a non-empty list of (W, b) pairs, one per "
            "layer, with W of shape (fan_in, fan_out) and b of shape (fan_out,); got "
            f"{type(params).__name__}."
        )
    layers: list[Layer] = []
    for i, pair in enumerate(params):
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            raise TypeError(
                f"{caller}(): params[{i}] must be a (W, b) pair; got "
                f"{type(pair).__name__}"
                + (f" of length {len(pair)}" if isinstance(pair, Sequence) else "")
                + "."
            )
        w = _as_array(pair[0], f"params[{i}][0] (W)", caller)
        b = _as_array(pair[1], f"params[{i}][1] (b)", caller)
        if w.ndim != 2:
            raise ValueError(
                f"{caller}(): layer {i}: W must be 2-D (fan_in, fan_out); got shape "
                f"{w.shape}."
            )
        if b.shape != (w.shape[1],):
            raise ValueError(
                f"{caller}(): layer {i}: b must have shape ({w.shape[1]},) to match "
                f"W's fan_out; got {b.shape}."
            )
        if i > 0 and w.shape[0] != layers[-1][0].shape[1]:
            raise ValueError(
                f"{caller}(): layer {i}: W has fan_in {w.shape[0]}, but layer {i - 1} "
                f"has fan_out {layers[-1][0].shape[1]}; each W must have as many rows "
                "as the previous layer has outputs."
            )
        layers.append((w, b))
    dtypes = {a.dtype for layer in layers for a in layer}
    if len(dtypes) != 1 or not all(d in (np.float32, np.float64) for d in dtypes):
        names = sorted(str(d) for d in dtypes)
        raise TypeError(
            f"{caller}(): every W and b must be float32, or every one float64; got "
            f"{', '.join(names)}. Cast them to one dtype (e.g. tf.cast(w, tf.float64) "
            "or w.astype(np.float64))."
        )
    for i, (w, b) in enumerate(layers):
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            raise ValueError(
                f"{caller}(): layer {i}: W or b holds NaN or inf; the weights have "
                "diverged or were not initialised. Re-initialise them or lower the "
                "learning rate."
            )
    if layers[-1][0].shape[1] < 2:
        raise ValueError(
            f"{caller}(): the last layer must have at least 2 outputs (one logit per "
            "class); softmax cross-entropy over a single class is always 0."
        )
    return layers, dtypes.pop()


def _check_inputs(
    x: Array, layers: list[Layer], dtype: np.dtype, caller: str
) -> np.ndarray:
    x = _as_array(x, "x", caller)
    if x.ndim != 2:
        raise ValueError(
            f"{caller}(): x must be 2-D (batch, features); got shape {x.shape}."
        )
    if x.shape[1] != layers[0][0].shape[0]:
        raise ValueError(
            f"{caller}(): x has {x.shape[1]} features per example, but the first "
            f"layer's W expects {layers[0][0].shape[0]} (its fan_in). Give W0 shape "
            f"({x.shape[1]}, ...) or pass x with that many columns."
        )
    if x.dtype != dtype:
        raise TypeError(
            f"{caller}(): x is {x.dtype} but the weights are {dtype}; cast x to "
            f"{dtype} (e.g. tf.cast(x, tf.{dtype}) or x.astype(np.{dtype}))."
        )
    if x.shape[0] == 0:
        raise ValueError(f"{caller}(): x has no rows; pass at least one example.")
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"{caller}(): x holds NaN or inf; clean or drop those examples first."
        )
    return x


def _check_labels(y: Array, batch: int, classes: int, caller: str) -> np.ndarray:
    y = _as_array(y, "y", caller)
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(
            f"{caller}(): y must hold integer class labels (0 .. {classes - 1}); got "
            f"dtype {y.dtype}. Pass class indices, not one-hot rows or floats: e.g. "
            "tf.argmax(onehot, axis=1) or y.astype(np.int32)."
        )
    if y.shape != (batch,):
        raise ValueError(
            f"{caller}(): y must have shape ({batch},), one label per row of x; got "
            f"{y.shape}."
        )
    if batch and (y.min() < 0 or y.max() >= classes):
        raise ValueError(
            f"{caller}(): labels must be in 0 .. {classes - 1} (the last layer has "
            f"{classes} outputs); got values from {y.min()} to {y.max()}."
        )
    return y.astype(np.intp)


def _check_activation(activation: Any, caller: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"{caller}(): unknown activation {activation!r}; use one of "
            f"{', '.join(map(repr, ACTIVATIONS))}."
        )
    return activation


def _activate(z: np.ndarray, activation: str) -> np.ndarray:
    if activation == "sigmoid":
        # 1 / (1 + e^-z) without overflow warnings for large negative z
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)
    return np.maximum(z, 0)


def _activation_grad(z: np.ndarray, a: np.ndarray, activation: str) -> np.ndarray:
    """f'(z), from the stored pre-activation ``z`` and activation ``a = f(z)``."""
    if activation == "sigmoid":
        return a * (1 - a)
    return (z > 0).astype(z.dtype)


def forward(
    params: Sequence[tuple[Array, Array]], x: Array, activation: str = "sigmoid"
) -> Any:
    """The network's logits for a batch.

    Args:
        params: ``[(W, b), ...]``, W ``(fan_in, fan_out)``, b ``(fan_out,)``; all float32 or
            all float64, as NumPy arrays or tensors.
        x: ``(batch, features)`` with ``features`` = the first W's fan_in, the weights' dtype.
        activation: ``"sigmoid"`` or ``"relu"``, for the hidden layers.

    Returns:
        NumPy array ``(batch, classes)``, the weights' dtype.
    """
    layers, dtype = _check_params(params, "forward")
    activation = _check_activation(activation, "forward")
    a = _check_inputs(x, layers, dtype, "forward")
    for i, (w, b) in enumerate(layers):
        z = a @ w + b
        a = z if i == len(layers) - 1 else _activate(z, activation)
    return a


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[Any, np.ndarray]:
    """Mean softmax cross-entropy of ``logits`` against labels, and its gradient.

    ``L = mean_n( logsumexp(z_n) - z_n[y_n] )``, computed with the largest logit of each row
    subtracted first so that ``exp`` cannot overflow; ``dL/dz = (softmax(z) - onehot(y)) / N``.

    Args:
        logits: ``(batch, classes)`` float array.
        y: ``(batch,)`` integer labels in ``0 .. classes - 1`` (not checked here).

    Returns:
        ``(loss, dz)``: a NumPy scalar and ``(batch, classes)``, both of ``logits``' dtype.
    """
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = np.mean(np.log(total[:, 0]) - shifted[rows, y])
    dz = exp / total
    dz[rows, y] -= 1
    return logits.dtype.type(loss), (dz / n).astype(logits.dtype)


def loss_and_grads(
    params: Sequence[tuple[Array, Array]],
    x: Array,
    y: Array,
    activation: str = "sigmoid",
) -> tuple[Any, list[tuple[np.ndarray, np.ndarray]]]:
    """The loss of an MLP on a batch and its gradients, by backpropagation (no tape).

    Args:
        params: ``[(W, b), ...]``, any number of layers, W ``(fan_in, fan_out)``,
            b ``(fan_out,)``; all float32 or all float64, NumPy arrays or tensors/Variables.
        x: ``(batch, features)``, features = the first W's fan_in, the weights' dtype.
        y: ``(batch,)`` integer class labels in ``0 .. classes - 1``, classes = the last
            layer's fan_out (>= 2).
        activation: ``"sigmoid"`` or ``"relu"`` for every hidden layer; the last is linear.

    Returns:
        ``(loss, grads)``: the mean softmax cross-entropy as a NumPy scalar, and a list of
        ``(dW, db)`` NumPy pairs with the shapes of ``params``, all in the weights' dtype.

    Raises:
        TypeError: params not a list of pairs, mixed or non-float dtypes, x of another dtype,
            labels that are not integers.
        ValueError: a W or b of the wrong shape, layers that do not chain, x of the wrong
            width, labels out of range or of the wrong shape, NaN or inf in x or the weights,
            an unknown activation, fewer than 2 outputs.
    """
    layers, dtype = _check_params(params, "loss_and_grads")
    activation = _check_activation(activation, "loss_and_grads")
    x = _check_inputs(x, layers, dtype, "loss_and_grads")
    y = _check_labels(y, x.shape[0], layers[-1][0].shape[1], "loss_and_grads")
    return backpropagate(layers, x, y, activation)


def backpropagate(
    layers: list[Layer], x: np.ndarray, y: np.ndarray, activation: str
) -> tuple[Any, list[Layer]]:
    """Backpropagation itself, on arguments that loss_and_grads has checked."""
    # Forward: keep each layer's input a and pre-activation z for the backward pass.
    inputs, pre_activations = [], []
    a = x
    for i, (w, b) in enumerate(layers):
        z = a @ w + b
        inputs.append(a)
        pre_activations.append(z)
        a = z if i == len(layers) - 1 else _activate(z, activation)
    loss, dz = softmax_cross_entropy(a, y)

    # Backward: from the loss end, carry dz = dL/dz through every layer.
    grads: list[tuple[np.ndarray, np.ndarray]] = []
    for i in range(len(layers) - 1, -1, -1):
        w, _ = layers[i]
        a_prev = inputs[i]
        grads.append((a_prev.T @ dz, dz.sum(axis=0)))
        if i > 0:
            da_prev = dz @ w.T
            dz = da_prev * _activation_grad(pre_activations[i - 1], a_prev, activation)
    grads.reverse()
    return loss, grads


def _softmax_mse_shape_error(message: str) -> ValueError:
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
            "softmax_mse_grads(): x, w, b and t must share one floating dtype; got "
            f"{names}. Cast them, e.g. tf.one_hot(y, depth=3, dtype=x.dtype) for t."
        )
    if x.shape.rank != 2 or w.shape.rank != 2 or b.shape.rank != 1 or t.shape.rank != 2:
        raise _softmax_mse_shape_error(
            "expected x (N, F), w (F, C), b (C,) and t (N, C); got ranks "
            f"{x.shape.rank}, {w.shape.rank}, {b.shape.rank}, {t.shape.rank}."
        )
    n, f = x.shape
    c = w.shape[1]
    if w.shape[0] != f or b.shape[0] != c or tuple(t.shape) != (n, c):
        raise _softmax_mse_shape_error(
            f"shapes do not fit: x {tuple(x.shape)}, w {tuple(w.shape)}, b "
            f"{tuple(b.shape)}, t {tuple(t.shape)}; need x (N, F), w (F, C), b (C,), t "
            "(N, C)."
        )
    p = tf.nn.softmax(x @ w + b, axis=1)
    # stage 1, dL/dp: the square's 2, the 1/C of tf.losses.MSE, the 1/N of reduce_mean
    dp = 2 * (p - t) / (n * c)
    # stage 2, dL/dz = J^T dp for each row, without building J = diag(p) - p p^T
    dz = p * (dp - tf.reduce_sum(p * dp, axis=1, keepdims=True))
    # stage 3, through z = x w + b: dw = x^T dz, db = dz summed over the batch
    return tf.transpose(x) @ dz, tf.reduce_sum(dz, axis=0)
