"""Typical wrong answers, made from a right one: what `test_exercises.py` puts in place of each
exercise's answer, inside the lesson's kernel.

A wrong answer is made by a *kind* of mistake applied to the right answer (a value) or to what
it returns (a function):

=============  ==========================================================================
twice          every number doubled (a factor 2 too many)
negated        every number's sign flipped
transposed     every 2-D array that is not square transposed
reordered      the first two different items of a list or tuple swapped
one more       a whole number plus one
flipped:KEY    one prediction of a dict of True/False flipped
flipped        a True/False prediction flipped
as a list      a dict of predictions given as the list of its values
other word     the other of two words (e.g. "forward" for "reverse")
=============  ==========================================================================

:func:`kinds` says which kinds fit an answer; for a function it needs the values the function
returned while the check ran (:func:`spy` records them).
"""

from __future__ import annotations

import functools
import numbers
from fractions import Fraction
from typing import Any

import numpy as np
import tensorflow as tf

#: The other word of each pair of words an exercise chooses between.
OTHER_WORD = {"forward": "reverse", "reverse": "forward"}

_saved: dict[str, Any] = {}
_returned: dict[str, list[Any]] = {}


def spy(namespace: dict, name: str) -> None:
    """Wrap the function ``namespace[name]`` so that it records what it returns (a value is
    left as it is)."""
    original = _saved.setdefault(name, namespace[name])
    _returned[name] = []
    if not _is_function(original):
        return

    @functools.wraps(original)
    def recording(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        _returned[name].append(result)
        return result

    namespace[name] = recording


def kinds(namespace: dict, name: str) -> list[str]:
    """The kinds of wrong answer that fit ``namespace[name]`` (see the module docstring).

    For a function, judged by what it returned since :func:`spy`; an empty list if it was
    never called.
    """
    value = _saved.get(name, namespace[name])
    if _is_function(value):
        found: list[str] = []
        for result in _returned.get(name, []):
            found += [k for k in _value_kinds(result) if k not in found]
        return found
    return _value_kinds(value)


def mutate(namespace: dict, name: str, kind: str) -> None:
    """Put the wrong answer of ``kind`` in place of ``namespace[name]``."""
    original = _saved.setdefault(name, namespace[name])
    if _is_function(original):

        @functools.wraps(original)
        def wrong(*args: Any, **kwargs: Any) -> Any:
            return _wrong(original(*args, **kwargs), kind)

        namespace[name] = wrong
    else:
        namespace[name] = _wrong(original, kind)


def restore(namespace: dict, name: str) -> None:
    """Put the right answer back."""
    namespace[name] = _saved.pop(name)
    _returned.pop(name, None)


# --- the kinds --------------------------------------------------------------------------------


def _is_function(value: Any) -> bool:
    return callable(value) and not isinstance(
        value, (tf.Tensor, tf.Variable, np.ndarray)
    )


def _value_kinds(value: Any) -> list[str]:
    if isinstance(value, (bool, np.bool_)):
        return ["flipped"]
    if isinstance(value, dict):
        return [f"flipped:{key}" for key in value] + ["as a list"]
    if isinstance(value, str):
        return ["other word"] if value in OTHER_WORD else []
    if isinstance(value, numbers.Integral) and not isinstance(value, Fraction):
        return ["twice", "negated", "one more"]
    if not _has_numbers(value):
        return []
    found = ["twice", "negated"]
    if any(_non_square(leaf) for leaf in _leaves(value)):
        found.append("transposed")
    if _swap(value) is not None:
        found.append("reordered")
    return found


def _wrong(value: Any, kind: str) -> Any:
    if kind == "twice":
        return _scale(value, 2)
    if kind == "negated":
        return _scale(value, -1)
    if kind == "transposed":
        return _transpose(value)
    if kind == "reordered":
        swapped = _swap(value)
        return value if swapped is None else swapped
    if kind == "one more":
        return value + 1
    if kind == "flipped":
        return not value
    if kind.startswith("flipped:"):
        key = kind.removeprefix("flipped:")
        return {**value, key: not value[key]}
    if kind == "as a list":
        return list(value.values())
    if kind == "other word":
        return OTHER_WORD[value]
    raise ValueError(f"no such kind of wrong answer: {kind!r}")


def _scale(value: Any, factor: int) -> Any:
    if isinstance(value, tf.Variable):
        return tf.Variable(factor * value)
    if isinstance(value, (tf.Tensor, np.ndarray)):
        return factor * value
    if isinstance(value, numbers.Number) and not isinstance(value, (bool, np.bool_)):
        return factor * value
    if isinstance(value, (list, tuple)):
        return type(value)(_scale(v, factor) for v in value)
    return value


def _transpose(value: Any) -> Any:
    if _non_square(value):
        return (
            tf.transpose(value)
            if isinstance(value, (tf.Tensor, tf.Variable))
            else value.T
        )
    if isinstance(value, (list, tuple)):
        return type(value)(_transpose(v) for v in value)
    return value


def _swap(value: Any) -> list | tuple | None:
    """``value`` with its first two different items swapped, if it is a flat list of numbers."""
    if not isinstance(value, (list, tuple)) or len(value) < 2:
        return None
    if any(isinstance(v, (list, tuple, dict)) or not _has_numbers(v) for v in value):
        return None
    for i in range(len(value)):
        for j in range(i + 1, len(value)):
            a, b = np.asarray(value[i], dtype=float), np.asarray(value[j], dtype=float)
            if a.shape != b.shape or not np.allclose(a, b):
                items = list(value)
                items[i], items[j] = items[j], items[i]
                return type(value)(items)
    return None


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def _has_numbers(value: Any) -> bool:
    if isinstance(value, (tf.Tensor, tf.Variable, np.ndarray)):
        return value.dtype != tf.string if isinstance(value, tf.Tensor) else True
    if isinstance(value, (bool, np.bool_, str)):
        return False
    if isinstance(value, numbers.Number):
        return True
    return isinstance(value, (list, tuple)) and any(_has_numbers(v) for v in value)


def _non_square(value: Any) -> bool:
    if not isinstance(value, (tf.Tensor, tf.Variable, np.ndarray)):
        return False
    shape = tuple(value.shape)
    return len(shape) == 2 and shape[0] != shape[1]
