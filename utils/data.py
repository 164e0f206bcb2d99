"""Small, seeded 2-D data sets for the lessons that train a model.

Every function takes a ``seed`` and draws from its own NumPy generator, so a data set is the
same whatever ran before it (``utils.setup`` is not needed for it) and on every machine.
Points are float32 (the dtype of the lessons' weights); labels are int32 class indices.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

#: Two well separated classes: a straight line splits them (with ``spread`` <= 0.6).
TWO_CENTRES = ((-1.5, -1.0), (1.5, 1.0))


def _check_int(name: str, value: object, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}.")
    if value < low or (high is not None and value > high):
        top = "" if high is None else f" and at most {high}"
        raise ValueError(f"{name} must be at least {low}{top}, got {value}.")
    return int(value)


def _check_positive(name: str, value: object, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a number, got {type(value).__name__} {value!r}."
        )
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value}.")
    return float(value)


def blobs(
    n_per_class: int = 20,
    centres: Sequence[Sequence[float]] = TWO_CENTRES,
    spread: float = 0.5,
    *,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clouds of 2-D points, one per class, round the given centres.

    Class ``k`` has ``n_per_class`` points drawn from a normal distribution with mean
    ``centres[k]`` and standard deviation ``spread`` in each coordinate. The points are
    shuffled, so the classes are interleaved.

    Args:
        n_per_class: points per class, >= 1.
        centres: ``(k, 2)``, k >= 2 class centres.
        spread: standard deviation of each cloud, > 0.
        seed: an integer from 0 to 2**32 - 1.

    Returns:
        ``x``: float32 ``(k * n_per_class, 2)``; ``y``: int32 ``(k * n_per_class,)`` with
        values ``0 .. k-1``.

    Raises:
        TypeError, ValueError: an argument of the wrong type, shape or range (the message
        names it).
    """
    n_per_class = _check_int("blobs(): n_per_class", n_per_class, 1)
    spread = _check_positive("blobs(): spread", spread)
    seed = _check_int("blobs(): seed", seed, 0, 2**32 - 1)
    centres_array = np.asarray(centres, dtype=np.float64)
    if centres_array.ndim != 2 or centres_array.shape[1] != 2 or len(centres_array) < 2:
        raise ValueError(
            "blobs(): centres must have shape (k, 2) with k >= 2, one (x1, x2) pair per class; "
            f"got shape {centres_array.shape}."
        )
    if not np.all(np.isfinite(centres_array)):
        raise ValueError("blobs(): centres must be finite numbers.")
    rng = np.random.default_rng(seed)
    k = len(centres_array)
    y = np.repeat(np.arange(k), n_per_class)
    x = centres_array[y] + spread * rng.standard_normal((len(y), 2))
    order = rng.permutation(len(y))
    return x[order].astype(np.float32), y[order].astype(np.int32)


def moons(
    n: int = 200, noise: float = 0.15, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: a two-class set that no straight line separates.

    Class 0 lies on the upper half of the unit circle centred at (0, 0); class 1 on the lower
    half of the unit circle centred at (1, 0.5). Each point is then moved by normal noise of
    standard deviation ``noise`` in each coordinate.

    Args:
        n: number of points, >= 2; class 0 gets ``ceil(n / 2)``, class 1 the rest.
        noise: standard deviation of the added noise, >= 0.
        seed: an integer from 0 to 2**32 - 1.

    Returns:
        ``x``: float32 ``(n, 2)``; ``y``: int32 ``(n,)`` with values 0 and 1, shuffled.

    Raises:
        TypeError, ValueError: an argument of the wrong type or range (the message names it).
    """
    n = _check_int("moons(): n", n, 2)
    noise = _check_positive("moons(): noise", noise, allow_zero=True)
    seed = _check_int("moons(): seed", seed, 0, 2**32 - 1)
    rng = np.random.default_rng(seed)
    n0 = (n + 1) // 2
    angle0 = rng.uniform(0.0, np.pi, n0)
    angle1 = rng.uniform(0.0, np.pi, n - n0)
    upper = np.stack([np.cos(angle0), np.sin(angle0)], axis=1)
    lower = np.stack([1.0 - np.cos(angle1), 0.5 - np.sin(angle1)], axis=1)
    x = np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n0), np.ones(n - n0)])
    order = rng.permutation(n)
    return x[order].astype(np.float32), y[order].astype(np.int32)
