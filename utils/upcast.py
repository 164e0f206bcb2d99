"""Evaluate a scalar TensorFlow function in float64, even one that closes over float32 tensors.

Lessons write losses as closures, ``lambda w, b: loss(x @ w + b)``, where ``x`` is a float32
tensor from the notebook. Calling such a closure with float64 ``w`` fails (``MatMul`` will not
mix dtypes), and evaluating it in float32 makes finite differences too coarse to check
anything. :func:`float64_evaluator` therefore traces the function once with
:func:`tf.function`, rewrites every float32 (and float16, bfloat16) in the traced graph -
placeholders, constants, casts, variable reads, captured tensors - to float64, and runs that
graph. A function that already computes in float64 when given float64 inputs is called as is.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import tensorflow as tf
from tensorflow.core.framework import attr_value_pb2, graph_pb2, types_pb2

#: Scalar function of the sources' values, computed in float64.
Float64Function = Callable[[Sequence[np.ndarray]], float]

_LOW_PRECISION = frozenset(
    {types_pb2.DT_FLOAT, types_pb2.DT_HALF, types_pb2.DT_BFLOAT16}
)


class _NotScalarError(ValueError):
    """f returned a non-scalar: the caller's mistake, reported as is on either route."""


def float64_evaluator(
    f: Callable[..., Any],
    sources: Sequence[tf.Tensor | tf.Variable],
    caller: str = "float64_evaluator",
) -> Float64Function:
    """Return ``g`` with ``g(values) == f(*values)``, computed in float64 throughout.

    A function that returns float64 when given float64 tensors is called as written (even if
    it casts to float32 inside); any other is traced and its graph rebuilt in float64.

    Args:
        f: the function to evaluate; it takes one argument per source and returns a scalar.
        sources: floating-point tensors (or Variables) giving the shapes and dtypes that ``f``
            expects; their values are the point at which ``f`` is probed once.
        caller: the public function whose name starts an error's message.

    Returns:
        A function of a list of float64 arrays, shaped like ``sources``, returning a Python
        float.

    Raises:
        ValueError: ``f`` returns something that is not a scalar.
        TypeError: ``f`` can be evaluated neither with float64 inputs nor as a rewritten graph;
            the message quotes both failures.
    """
    values = [np.asarray(s.numpy(), dtype=np.float64) for s in sources]
    try:
        probe = f(*[tf.constant(v) for v in values])
    except Exception as error:  # any failure sends us to the graph route
        direct_failure: Exception | None = error
    else:
        direct_failure = None
        require_scalar(probe, caller)
        if _dtype_of(probe) == np.float64:
            return lambda vals: float(f(*[tf.constant(v, tf.float64) for v in vals]))

    try:
        return _graph_evaluator(f, sources, caller)
    except _NotScalarError:
        raise
    except Exception as error:
        first = (
            f"calling it with float64 tensors failed ({type(direct_failure).__name__}: "
            f"{direct_failure})"
            if direct_failure is not None
            else "calling it with float64 tensors returned a result of lower precision"
        )
        raise TypeError(
            f"{caller}(): could not evaluate f in float64: {first}, and rebuilding its "
            f"traced graph in float64 failed ({type(error).__name__}: {error}). Make f "
            "work on float64 inputs, e.g. by creating the tensors it uses with "
            "dtype=tf.float64."
        ) from error


def _dtype_of(value: Any) -> np.dtype:
    return np.dtype(
        value.dtype.as_numpy_dtype
        if isinstance(value, tf.Tensor)
        else np.asarray(value).dtype
    )


def require_scalar(value: Any, caller: str) -> None:
    """Raise ValueError (saying how to reduce it) unless ``value`` has shape (); the message
    starts with ``caller()``, the public function that was given ``f``."""
    shape = tuple(value.shape) if isinstance(value, tf.Tensor) else np.shape(value)
    if shape != ():
        raise _NotScalarError(
            f"{caller}(): f must return a scalar (shape ()), but it returned shape "
            f"{shape}. Reduce it first, e.g. return tf.reduce_mean(...) or "
            "tf.reduce_sum(...)."
        )


def _graph_evaluator(
    f: Callable[..., Any], sources: Sequence[tf.Tensor], caller: str
) -> Float64Function:
    specs = [tf.TensorSpec(s.shape, s.dtype) for s in sources]
    concrete = tf.function(f, autograph=False).get_concrete_function(*specs)
    if len(concrete.outputs) != 1:
        raise TypeError(
            f"f must return one tensor, its trace returned {len(concrete.outputs)}"
        )
    require_scalar(concrete.outputs[0], caller)

    graph_def = concrete.graph.as_graph_def()
    fixed: dict[str, tf.Tensor] = {}  # node name -> value fed on every call
    for external, internal in concrete.graph.captures:
        if internal.dtype == tf.resource:
            fixed.update(
                _variable_reads_as_placeholders(graph_def, internal.op.name, external)
            )
        else:
            fixed[internal.op.name] = external
    _to_float64(graph_def)

    def import_graph() -> None:
        tf.graph_util.import_graph_def(graph_def, name="")

    wrapped = tf.compat.v1.wrap_function(import_graph, [])
    graph = wrapped.graph
    argument_names = [t.op.name for t in concrete.inputs[: len(sources)]]
    feeds = [graph.get_tensor_by_name(f"{n}:0") for n in [*argument_names, *fixed]]
    output = graph.get_tensor_by_name(concrete.outputs[0].name)
    if output.dtype != tf.float64:
        raise TypeError(
            f"f's output has dtype {output.dtype.name} after the rewrite, not float64"
        )
    run = wrapped.prune(feeds, output)
    fixed_values = [
        tf.cast(v, graph.get_tensor_by_name(f"{n}:0").dtype) for n, v in fixed.items()
    ]

    return lambda vals: float(
        run(*[tf.constant(v, tf.float64) for v in vals], *fixed_values)
    )


def _variable_reads_as_placeholders(
    graph_def: graph_pb2.GraphDef, handle_name: str, handle: tf.Tensor
) -> dict[str, tf.Tensor]:
    """Turn each ``ReadVariableOp`` of a captured Variable into a Placeholder fed its
    value."""
    reads: dict[str, tf.Tensor] = {}
    for node in graph_def.node:
        if handle_name not in (i.split(":")[0].lstrip("^") for i in node.input):
            continue
        if node.op != "ReadVariableOp":
            raise TypeError(
                f"op {node.op!r} uses a captured Variable; only plain reads can be "
                "upcast"
            )
        dtype = tf.as_dtype(node.attr["dtype"].type)
        reads[node.name] = tf.raw_ops.ReadVariableOp(resource=handle, dtype=dtype)
        node.op = "Placeholder"
        del node.input[:]
        node.attr["shape"].shape.CopyFrom(reads[node.name].shape.as_proto())
    return reads


def _to_float64(graph_def: graph_pb2.GraphDef) -> None:
    """Rewrite every low-precision float type in ``graph_def`` (and its functions) to float64.

    The graph's functions (branches of ``tf.cond``, loop bodies, inner ``tf.function`` calls)
    get new names, since the originals stay registered with their float32 signatures.
    """
    suffix = f"_float64_{next(_renames)}"
    renamed = {
        f.signature.name: f.signature.name + suffix for f in graph_def.library.function
    }
    nodes = list(graph_def.node)
    for function in graph_def.library.function:
        function.signature.name = renamed[function.signature.name]
        for arg in [*function.signature.input_arg, *function.signature.output_arg]:
            if arg.type in _LOW_PRECISION:
                arg.type = types_pb2.DT_DOUBLE
        nodes += function.node_def
    for node in nodes:
        node.op = renamed.get(node.op, node.op)
        for attr in node.attr.values():
            _retype(attr, renamed)


_renames = itertools.count()


def _retype(attr: attr_value_pb2.AttrValue, renamed: dict[str, str]) -> None:
    kind = attr.WhichOneof("value")
    if kind == "type" and attr.type in _LOW_PRECISION:
        attr.type = types_pb2.DT_DOUBLE
    elif kind == "list":
        for i, dtype in enumerate(attr.list.type):
            if dtype in _LOW_PRECISION:
                attr.list.type[i] = types_pb2.DT_DOUBLE
        for func in attr.list.func:
            func.name = renamed.get(func.name, func.name)
    elif kind == "func":
        attr.func.name = renamed.get(attr.func.name, attr.func.name)
    elif kind == "tensor" and attr.tensor.dtype in _LOW_PRECISION:
        value = tf.make_ndarray(attr.tensor).astype(np.float64)
        attr.tensor.CopyFrom(tf.make_tensor_proto(value, dtype=tf.float64))
