"""The Tensor, the graph it records, and the backward walk.

A :class:`Tensor` wraps a NumPy array. When an op is applied to tensors of
which at least one requires grad (and grad mode is on), the result remembers
its parents and a ``backward`` closure that maps the gradient of the result to
one gradient per parent. :meth:`Tensor.backward` walks that graph once, in
reverse topological order, and fills in ``.grad`` on the leaves.

Every op is built the same way (see ``microtensor/ops``): check the inputs,
compute ``out``, define ``backward(grad_out)`` closing over what it needs, and
return ``_record(op, out, parents, backward)``. The closure *is* the saved
state of the node: releasing the graph means dropping the closure.
"""

import functools
import itertools
import operator

import numpy as np

from microtensor.errors import DTypeError, GraphError, ShapeError

__all__ = [
    "Tensor",
    "arange",
    "enable_grad",
    "is_grad_enabled",
    "no_grad",
    "ones",
    "ones_like",
    "rand",
    "randn",
    "tensor",
    "zeros",
    "zeros_like",
]

_ndarray = np.ndarray
_asarray = np.asarray
_new = object.__new__

# Global switches, read on every op. Module globals are the cheapest thing
# Python can look up; ``anomaly.py`` flips the second one.
_grad_enabled = True
_anomaly_enabled = False

# Numbers the recorded nodes in the order they are made; the backward walk
# visits them in the reverse order (see ``_topological_order``).
_next_seq = itertools.count().__next__


def _released_backward(grad_out):
    """Stands in for the closure of a node whose graph has been released."""
    raise GraphError("backward: this part of the graph has already been released")


class Tensor:
    """An n-dimensional array that records the ops applied to it.

    Parameters
    ----------
    data : array_like
        The values, copied. Integer and boolean data become float64 unless
        ``dtype`` asks otherwise; floating data keeps its dtype.
    requires_grad : bool, optional
        Whether :meth:`backward` should compute a gradient for this tensor.
    dtype : numpy dtype or str, optional
        ``float64`` by default; ``float32`` on request. An integer or boolean
        dtype may be asked for explicitly (labels, masks), but such a tensor
        cannot require grad.

    Attributes
    ----------
    data : numpy.ndarray
        The values.
    grad : numpy.ndarray or None
        The accumulated gradient, same shape and dtype as ``data``, or None.
    requires_grad : bool
        Whether gradients flow to this tensor.
    """

    __slots__ = (
        "__weakref__",
        "_backward",
        "_grad",
        "_op",
        "_parents",
        "_retains_grad",
        "_seq",
        "data",
        "requires_grad",
    )

    # ``==`` is overridden (it returns a boolean Tensor), so keep identity hashing
    # to let tensors live in sets and dict keys.
    __hash__ = object.__hash__

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """Run ``ndarray + Tensor`` and the like as tensor ops; refuse the rest.

        NumPy calls this for every ufunc that meets a Tensor: for the
        operators (``ndarray + Tensor``, ``np.float64(2) * Tensor``,
        ``ndarray < Tensor``, ...) it runs the tensor op, so that the result
        stays in the graph. Any other ufunc (``np.exp(x)``) would compute on
        the values and lose the gradient, so it raises a DTypeError naming the
        microtensor op to use instead.
        """
        if method == "__call__" and not kwargs and len(inputs) == 2:
            tensor_op = _UFUNC_OPERATORS.get(ufunc)
            if tensor_op is not None:
                return tensor_op(*inputs)
        raise DTypeError(_ufunc_hint(ufunc, method, kwargs))

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = _to_array(data, dtype)
        if requires_grad and self.data.dtype.kind != "f":
            raise DTypeError(
                f"tensor: only floating point tensors can require grad, "
                f"got dtype {self.data.dtype}"
            )
        self._grad = None
        self.requires_grad = bool(requires_grad)
        self._parents = ()
        self._backward = None
        self._op = None
        self._retains_grad = False

    # ------------------------------------------------------------------
    # Attributes

    @property
    def shape(self):
        """tuple of int: the shape of ``data``."""
        return self.data.shape

    @property
    def ndim(self):
        """int: the number of dimensions."""
        return self.data.ndim

    @property
    def size(self):
        """int: the number of elements."""
        return self.data.size

    @property
    def dtype(self):
        """numpy.dtype: the dtype of ``data``."""
        return self.data.dtype

    @property
    def is_leaf(self):
        """bool: True when the tensor was not produced by a recorded op."""
        return not self._parents

    @property
    def op(self):
        """str or None: the name of the op that produced this tensor."""
        return self._op

    @property
    def parents(self):
        """tuple of Tensor: the tensor inputs of the recorded op.

        Constant operands (numbers, arrays) are not graph nodes and are left
        out. Empty for a leaf and for results computed without recording.
        """
        return tuple(p for p in self._parents if p is not None)

    @property
    def T(self):
        """Tensor: the axes reversed, as ``numpy.ndarray.T``."""
        return _shape.transpose(self)

    @property
    def grad(self):
        """numpy.ndarray or None: the accumulated gradient, shaped like ``data``.

        Assigning a value checks it: it must hold real numbers and have the
        tensor's shape; it is cast to the tensor's dtype.
        """
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            value = _assigned_grad(self, value)
        self._grad = value

    # ------------------------------------------------------------------
    # Conversions

    def item(self):
        """Return the single element as a Python number.

        Raises
        ------
        ShapeError
            If the tensor has more than one element.
        """
        if self.data.size != 1:
            raise ShapeError(
                f"item: only one-element tensors convert to a number, "
                f"got shape {self.data.shape}"
            )
        return self.data.item()

    def numpy(self):
        """Return ``data`` (shared, not copied); the graph is not followed."""
        return self.data

    def detach(self):
        """Return a tensor that shares ``data`` but is cut from the graph."""
        return _wrap(self.data)

    def astype(self, dtype):
        """Return a copy cast to ``dtype``; the gradient is cast back.

        Parameters
        ----------
        dtype : numpy dtype or str
            A floating dtype for a differentiable cast.
        """
        return _ew.astype(self, dtype)

    def float(self):
        """Return the tensor as float32 (as ``torch.Tensor.float``)."""
        return _ew.astype(self, np.float32)

    def double(self):
        """Return the tensor as float64."""
        return _ew.astype(self, np.float64)

    def __array__(self, dtype=None, copy=None):
        if dtype is None and not copy:
            return self.data
        return self.data.astype(self.data.dtype if dtype is None else dtype)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise ShapeError(
                f"bool: the truth value of a tensor with {self.data.size} elements "
                f"(shape {self.data.shape}) is ambiguous; compare one element, "
                f"or use x.numpy().any() / x.numpy().all()"
            )
        return bool(self.data)

    def __len__(self):
        if self.data.ndim == 0:
            raise ShapeError("len: a 0-d tensor has no length")
        return self.data.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extras = []
        if self.data.dtype != np.float64:
            extras.append(f"dtype={self.data.dtype}")
        if self._op is not None and self.requires_grad:
            extras.append(f"op={self._op}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        tail = "".join(", " + e for e in extras)
        return f"tensor({body}{tail})"

    # ------------------------------------------------------------------
    # Gradient bookkeeping

    def zero_grad(self):
        """Forget the accumulated gradient (``.grad = None``)."""
        self._grad = None

    def retain_grad(self):
        """Keep ``.grad`` on this non-leaf tensor after :meth:`backward`."""
        self._retains_grad = True
        return self

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place and return the tensor."""
        if requires_grad and self.data.dtype.kind != "f":
            raise DTypeError(
                f"requires_grad_: only floating point tensors can require grad, "
                f"got dtype {self.data.dtype}"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def backward(self, grad=None, retain_graph=False):
        """Compute the gradient of this tensor with respect to every leaf.

        Gradients are added into ``.grad`` of each leaf that requires grad
        (they accumulate across calls until zeroed).

        Parameters
        ----------
        grad : Tensor, numpy.ndarray or number, optional
            The gradient of the final quantity with respect to this tensor,
            same shape as this tensor. May be omitted for a one-element tensor
            (it is then 1).
        retain_graph : bool, optional
            Keep the graph's saved state so that backward can run through it
            again. By default the graph is released.

        Raises
        ------
        GraphError
            If the tensor does not require grad, if ``grad`` is omitted on a
            tensor of several elements, or if the graph was released.
        ShapeError
            If ``grad`` has the wrong shape.
        """
        if not self.requires_grad:
            raise GraphError(
                "backward: this tensor does not require grad; create an input "
                "with requires_grad=True (and do not compute under no_grad())"
            )
        _backward_walk(self, _seed_gradient(self, grad), retain_graph)

    # ------------------------------------------------------------------
    # Arithmetic (the ops live in microtensor/ops)

    def __add__(self, other):
        return _ew.add(self, other)

    def __radd__(self, other):
        return _ew.add(other, self)

    def __sub__(self, other):
        return _ew.sub(self, other)

    def __rsub__(self, other):
        return _ew.sub(other, self)

    def __mul__(self, other):
        return _ew.mul(self, other)

    def __rmul__(self, other):
        return _ew.mul(other, self)

    def __truediv__(self, other):
        return _ew.div(self, other)

    def __rtruediv__(self, other):
        return _ew.div(other, self)

    def __pow__(self, other):
        return _ew.pow(self, other)

    def __rpow__(self, other):
        return _ew.pow(other, self)

    def __neg__(self):
        return _ew.neg(self)

    def __pos__(self):
        return self

    def __matmul__(self, other):
        return _mm.matmul(self, other)

    def __rmatmul__(self, other):
        return _mm.matmul(other, self)

    def __lt__(self, other):
        return _ew.compare("lt", self, other)

    def __le__(self, other):
        return _ew.compare("le", self, other)

    def __gt__(self, other):
        return _ew.compare("gt", self, other)

    def __ge__(self, other):
        return _ew.compare("ge", self, other)

    def __eq__(self, other):
        return _ew.compare("eq", self, other)

    def __ne__(self, other):
        return _ew.compare("ne", self, other)

    def __getitem__(self, index):
        return _shape.getitem(self, index)

    def __setitem__(self, index, value):
        raise GraphError(
            "setitem: tensors do not support in-place assignment, because it would "
            "silently change values that the graph has saved; build a new tensor "
            "instead, e.g. microtensor.where(mask, value, x), or change "
            "x.data[...] outside of any graph"
        )

    # ------------------------------------------------------------------
    # Elementwise functions

    def exp(self):
        """Return ``e ** x`` elementwise."""
        return _ew.exp(self)

    def log(self):
        """Return the natural logarithm elementwise."""
        return _ew.log(self)

    def sqrt(self):
        """Return the square root elementwise."""
        return _ew.sqrt(self)

    def abs(self):
        """Return ``|x|`` elementwise; the gradient at 0 is 0."""
        return _ew.abs(self)

    def __abs__(self):
        return _ew.abs(self)

    def erf(self):
        """Return the error function elementwise."""
        return _ew.erf(self)

    def tanh(self):
        """Return the hyperbolic tangent elementwise."""
        return _ew.tanh(self)

    def sigmoid(self):
        """Return ``1 / (1 + exp(-x))`` elementwise, without overflow."""
        return _ew.sigmoid(self)

    def relu(self):
        """Return ``max(x, 0)`` elementwise; the gradient at 0 is 0."""
        return _ew.relu(self)

    def clip(self, lo=None, hi=None):
        """Return ``x`` limited to ``[lo, hi]``; either bound may be None."""
        return _ew.clip(self, lo, hi)

    # ------------------------------------------------------------------
    # Reductions

    # The reductions take NumPy's ``out`` (and ``mean`` its ``dtype``) only so
    # that ``np.sum(x)``, which calls ``x.sum(axis=None, out=None)``, works;
    # a tensor is never written in place, so anything but None is refused.

    def sum(self, axis=None, keepdims=False, *, out=None):
        """Sum over ``axis`` (an int, a tuple of ints, or None for all)."""
        if out is not None:
            raise _out_error("sum")
        return _red.sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False, *, dtype=None, out=None):
        """Mean over ``axis`` (an int, a tuple of ints, or None for all)."""
        if out is not None or dtype is not None:
            raise _out_error("mean", "out=" if dtype is None else "dtype=")
        return _red.mean(self, axis, keepdims)

    def max(self, axis=None, keepdims=False, *, out=None):
        """Maximum over ``axis``; tied maxima share the gradient evenly."""
        if out is not None:
            raise _out_error("max")
        return _red.max(self, axis, keepdims)

    def min(self, axis=None, keepdims=False, *, out=None):
        """Minimum over ``axis``; tied minima share the gradient evenly."""
        if out is not None:
            raise _out_error("min")
        return _red.min(self, axis, keepdims)

    def argmax(self, axis=None):
        """Return the indices of the maxima as an ndarray (no gradient)."""
        return self.data.argmax(axis)

    def argmin(self, axis=None):
        """Return the indices of the minima as an ndarray (no gradient)."""
        return self.data.argmin(axis)

    # ------------------------------------------------------------------
    # Shape

    def reshape(self, *shape):
        """Return the same values in a new shape (``reshape(2, 3)`` or ``((2, 3))``)."""
        return _shape.reshape(self, *shape)

    def transpose(self, *axes):
        """Permute the axes; no argument reverses them, as NumPy does."""
        return _shape.transpose(self, *axes)

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge the axes ``start_dim..end_dim`` (all, by default) into one."""
        return _shape.flatten(self, start_dim, end_dim)

    def squeeze(self, axis=None):
        """Remove axes of size 1 (all of them, or the ones named)."""
        return _shape.squeeze(self, axis)

    def unsqueeze(self, axis):
        """Insert an axis of size 1 at position ``axis``."""
        return _shape.unsqueeze(self, axis)


def _to_array(data, dtype=None):
    """Turn user data into the ndarray a tensor holds (float64 by default)."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype.kind not in _REAL_KINDS:
            raise DTypeError(
                f"tensor: dtype {dtype} is not supported; tensors hold real "
                f"numbers (float, int or bool)"
            )
        if isinstance(data, _ndarray) and data.dtype.kind not in _REAL_KINDS:
            # NumPy would drop an imaginary part with no more than a warning.
            raise DTypeError(
                f"tensor: cannot make a tensor from data of dtype {data.dtype}; "
                f"give real numbers or arrays of them"
            )
        return _nested_array(data, "tensor", "data", dtype)
    array = _nested_array(data, "tensor", "data")
    kind = array.dtype.kind
    if kind in "biu":
        return array.astype(np.float64)
    if kind != "f":
        raise DTypeError(
            f"tensor: cannot make a tensor from data of dtype {array.dtype} "
            f"(type {type(data).__name__}); give real numbers or arrays of them"
        )
    return array


# ----------------------------------------------------------------------
# Checking values that enter from outside the graph
#
# Constant operands, gradients passed to backward or assigned to .grad, and
# the gradients a custom Function returns all meet the same rule: real
# numbers only (bool, int, float). A complex array would otherwise turn a
# result complex, or lose its imaginary part with no more than a warning
# when a gradient is cast back to a float dtype.

# dtype kinds of real numbers: bool, signed and unsigned integer, float.
_REAL_KINDS = "biuf"

# Scalars taken as they are, without a conversion (np.float64 is a float).
_REAL_SCALARS = (float, int, np.floating, np.integer, np.bool_)


def _constant(value, op):
    """Return the number or array behind a non-tensor operand, or raise.

    The one check of every constant operand of every op. The common cases
    cost one ``isinstance`` (a real number) or one look at the dtype's kind
    (an ndarray); a list or tuple is converted first.

    Parameters
    ----------
    value : object
        The operand that is not a Tensor.
    op : str
        The op's name, for the error message.

    Returns
    -------
    number or numpy.ndarray

    Raises
    ------
    DTypeError
        If ``value`` is not made of real numbers (complex, object, text).
    ShapeError
        If ``value`` is a ragged nested sequence.
    """
    if isinstance(value, _REAL_SCALARS):
        return value
    if isinstance(value, _ndarray):
        if value.dtype.kind in _REAL_KINDS:
            return value
        raise _dtype_error(op, "an array", value.dtype)
    if isinstance(value, (list, tuple)):
        array = _nested_array(value, op, "the operand")
        if array.dtype.kind in _REAL_KINDS:
            return array
        raise _dtype_error(op, "a sequence", array.dtype)
    raise DTypeError(f"{op}: cannot combine a tensor with {_describe_value(value)}")


def _real_array(value, op, name):
    """Return ``value`` (a gradient, loaded values) as a real ndarray, or raise.

    Parameters
    ----------
    value : Tensor, numpy.ndarray, number or nested sequence
    op : str
        Who received it, for the message (``"backward"``).
    name : str
        What it is, for the message (``"grad"``).

    Returns
    -------
    numpy.ndarray
        ``value`` itself when it is an ndarray (not copied).
    """
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, _ndarray):
        array = value
    elif isinstance(value, (list, tuple)):
        array = _nested_array(value, op, name)
    elif isinstance(value, _REAL_SCALARS):
        array = _asarray(value)
    else:
        raise DTypeError(
            f"{op}: {name} must be a Tensor, an ndarray or a real number, got "
            f"{_describe_value(value)}"
        )
    if array.dtype.kind not in _REAL_KINDS:
        raise DTypeError(
            f"{op}: {name} has dtype {array.dtype}{_text_note(array.dtype)}; "
            f"only real numbers (float, int or bool) are supported"
        )
    return array


def _dtype_error(op, what, dtype):
    return DTypeError(
        f"{op}: cannot combine a tensor with {what} of dtype {dtype}"
        f"{_text_note(dtype)}; only real numbers (float, int or bool) are supported"
    )


def _text_note(dtype):
    return " (text is not a number)" if dtype.kind in "US" else ""


def _describe_value(value):
    """Name the type of a value that is not a number, for an error message."""
    kind = type(value).__name__
    if isinstance(value, (str, bytes)):
        shown = repr(value) if len(value) <= 20 else repr(value[:20]) + "..."
        return f"a value of type {kind} ({shown}): a {kind} is not a number"
    if isinstance(value, complex):
        return f"a value of type {kind} (value {value!r}), which is not a real number"
    return f"a value of type {kind}"


def _nested_array(value, op, name, dtype=None):
    """``np.array(value)``, with a ragged nested sequence named plainly."""
    try:
        return np.array(value, dtype=dtype)
    except (ValueError, TypeError) as exc:
        detail = _ragged_detail(value)
        if detail is None:
            raise DTypeError(
                f"{op}: cannot convert {name} of type {type(value).__name__} to an "
                f"array of real numbers ({exc})"
            ) from None
        raise ShapeError(
            f"{op}: {name} is a ragged nested sequence ({detail}); every row "
            f"must have the same length"
        ) from None


def _ragged_detail(value):
    """Say at which depth a nested sequence stops being rectangular, or None."""
    level = [value]
    depth = 0
    while level:
        kinds = dict.fromkeys(_length(x) for x in level)
        if len(kinds) > 1:
            words = ", ".join("none (a number)" if n is None else str(n) for n in kinds)
            return f"the items at depth {depth} have lengths {words}"
        if None in kinds:
            return None
        level = [item for x in level for item in x]
        depth += 1
    return None


def _length(item):
    """The length of a list, tuple or non-0-d array; None for anything else."""
    if isinstance(item, (list, tuple)):
        return len(item)
    if isinstance(item, _ndarray) and item.ndim:
        return len(item)
    return None


def _assigned_grad(node, value):
    """Check a value assigned to ``node.grad``; return it as an ndarray."""
    grad = _real_array(value, "grad", "the assigned gradient")
    data = node.data
    if grad.shape != data.shape:
        raise ShapeError(
            f"grad: cannot assign a gradient of shape {grad.shape} to "
            f"{_describe_node(node)}; .grad must have the tensor's shape"
        )
    if grad.dtype != data.dtype:
        grad = grad.astype(data.dtype)
    return grad


def _describe_node(node):
    """``"a Tensor of shape (2, 3)"``, with the op that made it if any."""
    made_by = f" made by '{node._op}'" if node._op is not None else ""
    return f"a {type(node).__name__} of shape {node.data.shape}{made_by}"


def _out_error(op, argument="out="):
    """The error for NumPy's ``out=`` or ``dtype=`` given to a reduction."""
    if argument == "dtype=":
        why = f"call x.{op}(...) and convert the result with .astype(...)"
    else:
        why = f"a tensor is never written in place; use the result of x.{op}(...)"
    return DTypeError(f"{op}: {argument} is not supported; {why}")


# The Tensor methods that NumPy's ufuncs stand for, named in the hint.
_UFUNC_METHODS = {
    "exp": "x.exp() or mt.exp(x)",
    "log": "x.log() or mt.log(x)",
    "sqrt": "x.sqrt() or mt.sqrt(x)",
    "absolute": "abs(x), x.abs() or mt.abs(x)",
    "tanh": "x.tanh() or mt.tanh(x)",
    "maximum": "mt.maximum(a, b)",
    "minimum": "mt.minimum(a, b)",
    "negative": "-x",
    "square": "x * x",
    "reciprocal": "1 / x",
}


def _ufunc_hint(ufunc, method, kwargs):
    """The message for a NumPy ufunc called on a Tensor."""
    name = f"np.{ufunc.__name__}"
    if method != "__call__":
        return (
            f"{name}.{method} does not work on a Tensor; use its methods "
            f"(x.sum(), x.max(), ...), or {name}.{method}(x.numpy()) for the "
            f"values without a gradient"
        )
    if kwargs and ufunc in _UFUNC_OPERATORS:
        return (
            f"{name} with {', '.join(kwargs)}= does not work on a Tensor (tensors "
            f"are never written in place); write the operator, e.g. a + b"
        )
    use = _UFUNC_METHODS.get(ufunc.__name__)
    if use is None:
        return (
            f"{name} has no microtensor version, and on a Tensor it would lose "
            f"the gradient; build it from the ops that exist, or call "
            f"{name}(x.numpy()) for the values without a gradient"
        )
    return (
        f"{name} would compute on a Tensor's values and lose the gradient; use "
        f"{use} instead ({name}(x.numpy()) gives the values without a gradient)"
    )


def _wrap(data):
    """Make a tensor around an ndarray without copying or converting it."""
    if type(data) is not _ndarray:
        data = _asarray(data)
    out = _new(Tensor)
    out.data = data
    out._grad = None
    out.requires_grad = False
    out._parents = ()
    out._backward = None
    out._op = None
    out._retains_grad = False
    return out


def _record(op, out, parents, backward):
    """Wrap the result of an op and, when needed, link it into the graph.

    Parameters
    ----------
    op : str
        The op's name, used in error messages and graph drawings.
    out : numpy.ndarray or numpy scalar
        The result of the forward computation.
    parents : tuple of (Tensor or None)
        The op's operands in order; None marks a constant operand (a number
        or an array), which is not a graph node.
    backward : callable
        ``backward(grad_out)`` returning one gradient (or None) per parent:
        each an array computed by this call, or ``grad_out`` itself, or a
        view of it; never an array the closure keeps, and never one array
        for two parents (the backward walk hands new arrays to ``.grad``
        without copying them).

    Returns
    -------
    Tensor
        A graph node when grad mode is on and some parent requires grad,
        otherwise a plain tensor that keeps no closure.
    """
    if type(out) is not _ndarray:
        out = _asarray(out)
    if _anomaly_enabled:
        _anomaly.check_forward(op, out, parents)
    result = _new(Tensor)
    result.data = out
    result._grad = None
    result._op = op
    result._retains_grad = False
    if _grad_enabled:
        for parent in parents:
            if parent is not None and parent.requires_grad:
                result.requires_grad = True
                result._parents = parents
                result._backward = backward
                result._seq = _next_seq()
                return result
    result.requires_grad = False
    result._parents = ()
    result._backward = None
    return result


def _seed_gradient(root, grad):
    """Return the gradient that starts the walk, checked against ``root``."""
    data = root.data
    if grad is None:
        if data.size != 1:
            raise GraphError(
                f"backward: an implicit gradient needs a one-element result, got "
                f"shape {data.shape}; call .sum() first or pass grad= of shape "
                f"{data.shape}"
            )
        return np.ones_like(data)
    grad = _real_array(grad, "backward", "grad")
    if grad.dtype.kind != "f":
        grad = grad.astype(data.dtype)
    if grad.shape != data.shape:
        if grad.size == 1 and data.size == 1:
            return grad.reshape(data.shape)
        raise ShapeError(
            f"backward: grad has shape {grad.shape} but the tensor has shape "
            f"{data.shape}; they must be equal"
        )
    return grad


_creation_order = operator.attrgetter("_seq")


def _topological_order(root):
    """Return the recorded nodes at and below ``root``, the latest made first.

    An op records its result after its operands exist, so the order in which
    nodes were made is a topological order, and its reverse puts every node
    after all of its consumers. Walking backward in that order, the reverse
    of the forward pass, also frees each gradient as early as possible: in an
    RNN step ``tanh(ih(x) + hh(h))`` the ``ih`` branch is handled right after
    the step's sum, instead of every step's ``ih`` gradient waiting until the
    whole chain of hidden states has been walked.

    The nodes are found with an explicit stack, so the depth of the graph is
    limited by memory, not by Python's recursion limit. Leaves are left out:
    the walk stores their gradients at the end. Tensors hash by identity, so
    they serve as their own keys.
    """
    _check_not_released(root)
    nodes = [root]
    append = nodes.append
    seen = {root}
    mark = seen.add
    stack = [root]
    push = stack.append
    pop = stack.pop
    while stack:
        for parent in pop()._parents:
            if (
                parent is None
                or parent in seen
                or not parent._parents
                or not parent.requires_grad
            ):
                continue
            _check_not_released(parent)
            mark(parent)
            append(parent)
            push(parent)
    nodes.sort(key=_creation_order, reverse=True)
    return nodes


def _check_not_released(node):
    if node._backward is _released_backward:
        raise GraphError(
            f"backward: the graph through '{node._op}' (shape "
            f"{node.data.shape}) was already released by an earlier "
            f"backward(); pass retain_graph=True to that first call to "
            f"backward through the graph twice"
        )


def _backward_walk(root, seed, retain_graph):
    """Propagate ``seed`` from ``root`` to every leaf that requires grad."""
    order = _topological_order(root) if root._parents else ()
    grads = {root: seed}
    # The nodes whose pending gradient is an array made during this walk and
    # held by nothing else: it can become their .grad without a copy.
    owned = set()
    pop = grads.pop
    previous_grad = grads.get
    anomaly = _anomaly_enabled
    released = _released_backward
    for node in order:
        grad_out = pop(node, None)
        if grad_out is None:
            continue
        if node._retains_grad:
            _store_grad(node, grad_out, node in owned)
        parent_grads = node._backward(grad_out)
        if not retain_graph:
            node._backward = released
        if anomaly:
            _anomaly.check_backward(node._op, grad_out, node._parents, parent_grads)
        for parent, grad in zip(node._parents, parent_grads):
            if grad is None or parent is None or not parent.requires_grad:
                continue
            if grad.shape != parent.data.shape:
                grad = _fit_gradient(grad, parent, node._op)
            previous = previous_grad(parent)
            if previous is None:
                grads[parent] = grad
                # grad_out and views of it may reach other nodes too.
                if grad is not grad_out and grad.base is None:
                    owned.add(parent)
                continue
            # A node can feed several consumers: their contributions add up.
            # The sum is out of place because one array may be handed to two
            # parents (``add`` passes grad_out to both).
            grads[parent] = previous + grad
            owned.add(parent)
    # Every recorded node has been popped: what is left belongs to leaves.
    for leaf, grad in grads.items():
        _store_grad(leaf, grad, leaf in owned)


def _store_grad(node, grad, owned=False):
    """Add ``grad`` into ``node.grad``, sharing no array with the graph.

    An ``owned`` array (made by the walk, held by nothing else) is kept as it
    is when it has the right type and dtype; any other is copied, so that
    changing one ``.grad`` in place can never change another, or a value the
    graph saved. Skipping the copy matters for large layers, where it would
    cost as much as a tenth of a training step.
    """
    dtype = node.data.dtype
    stored = node._grad
    if stored is None:
        if owned and type(grad) is _ndarray and grad.dtype == dtype:
            node._grad = grad
        else:
            node._grad = np.array(grad, dtype=dtype)
        return
    if stored.shape != grad.shape:
        raise ShapeError(
            f"backward: cannot add a gradient of shape {grad.shape} to the .grad "
            f"of shape {stored.shape} already stored on {_describe_node(node)}; "
            f"reset it with .grad = None (or zero_grad()) first"
        )
    if grad.dtype != dtype:
        grad = grad.astype(dtype)
    node._grad = stored + grad


def _fit_gradient(grad, parent, op):
    """Sum a broadcast gradient back to its parent's shape, or raise.

    This is the one place where broadcasting is undone: an operand that was
    stretched along an axis in the forward pass receives the sum of the
    gradients of all the copies.
    """
    shape = parent.data.shape
    grad = _unbroadcast(grad, shape)
    if grad.shape != shape:
        raise ShapeError(
            f"{op}: backward returned a gradient of shape {grad.shape} for an "
            f"input of shape {shape}"
        )
    return grad


def _unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched."""
    ndim = len(shape)
    extra = grad.ndim - ndim
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    if grad.shape != shape and grad.ndim == ndim:
        stretched = tuple(
            i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1
        )
        if stretched:
            grad = grad.sum(axis=stretched, keepdims=True)
    return grad


# ----------------------------------------------------------------------
# Grad mode


class no_grad:
    """Context manager and decorator under which no op is recorded.

    As a decorator it may be written with or without brackets:
    ``@no_grad()`` and ``@no_grad`` do the same.

    Examples
    --------
    >>> import microtensor as mt
    >>> w = mt.tensor([1.0, 2.0], requires_grad=True)
    >>> with mt.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    >>> @mt.no_grad
    ... def double(x):
    ...     return x * 2
    >>> double(w).requires_grad
    False
    """

    _enable = False

    def __new__(cls, function=None):
        if function is None:
            return super().__new__(cls)
        if not callable(function):
            raise DTypeError(
                f"{cls.__name__}: takes no argument, or a function to decorate; "
                f"got a value of type {type(function).__name__}"
            )
        # ``@no_grad`` without brackets: decorate ``function`` directly.
        return cls()(function)

    def __init__(self, function=None):
        self._previous = []

    def __enter__(self):
        global _grad_enabled
        self._previous.append(_grad_enabled)
        _grad_enabled = self._enable
        return self

    def __exit__(self, *exc_info):
        global _grad_enabled
        _grad_enabled = self._previous.pop()
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return function(*args, **kwargs)

        return wrapper


class enable_grad(no_grad):
    """Context manager and decorator that turns recording back on."""

    _enable = True


def is_grad_enabled():
    """Return True when ops are being recorded (outside ``no_grad()``)."""
    return _grad_enabled


def _set_anomaly_enabled(enabled):
    """Turn the anomaly checks on or off; return the previous setting."""
    global _anomaly_enabled
    previous = _anomaly_enabled
    _anomaly_enabled = bool(enabled)
    return previous


# ----------------------------------------------------------------------
# Factories


def tensor(data, requires_grad=False, dtype=None):
    """Make a tensor from data (a number, nested lists, an ndarray, a tensor).

    Parameters
    ----------
    data : array_like
        The values; the data is copied. Integer and boolean data become
        float64.
    requires_grad : bool, optional
        Whether gradients should flow to this tensor.
    dtype : numpy dtype or str, optional
        float64 by default, e.g. ``"float32"`` on request.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import microtensor as mt
    >>> x = mt.tensor([1, 2, 3], requires_grad=True)
    >>> (x / 2).sum().backward()
    >>> x.grad
    array([0.5, 0.5, 0.5])
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return shape


def _float_dtype(dtype):
    return np.float64 if dtype is None else np.dtype(dtype)


def zeros(*shape, dtype=None, requires_grad=False):
    """Return a tensor of zeros; ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    data = np.zeros(_shape_args(shape), dtype=_float_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)


def ones(*shape, dtype=None, requires_grad=False):
    """Return a tensor of ones; ``ones(2, 3)`` or ``ones((2, 3))``."""
    data = np.ones(_shape_args(shape), dtype=_float_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)


def zeros_like(x, dtype=None, requires_grad=False):
    """Return zeros with the shape (and dtype) of ``x``."""
    data = np.zeros_like(_to_array(x), dtype=dtype)
    return Tensor(data, requires_grad=requires_grad)


def ones_like(x, dtype=None, requires_grad=False):
    """Return ones with the shape (and dtype) of ``x``."""
    data = np.ones_like(_to_array(x), dtype=dtype)
    return Tensor(data, requires_grad=requires_grad)


def randn(*shape, rng=None, dtype=None, requires_grad=False):
    """Return standard normal samples; ``randn(2, 3)`` or ``randn((2, 3))``.

    Parameters
    ----------
    *shape : int
        The shape.
    rng : None, int or numpy.random.Generator, optional
        Where the samples come from; None uses the generator seeded by
        :func:`microtensor.manual_seed`.
    """
    generator = _random.as_rng(rng)
    data = generator.standard_normal(_shape_args(shape)).astype(_float_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)


def rand(*shape, rng=None, dtype=None, requires_grad=False):
    """Return samples uniform on [0, 1); ``rand(2, 3)`` or ``rand((2, 3))``."""
    generator = _random.as_rng(rng)
    data = generator.random(_shape_args(shape)).astype(_float_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)


def arange(start, stop=None, step=1, dtype=None, requires_grad=False):
    """Return evenly spaced values in ``[start, stop)``, float64 by default."""
    if stop is None:
        start, stop = 0, start
    data = np.arange(start, stop, step, dtype=_float_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)


# The op modules import this one, so they are imported last.
from microtensor import anomaly as _anomaly
from microtensor import random as _random
from microtensor.ops import elementwise as _ew
from microtensor.ops import matmul as _mm
from microtensor.ops import reductions as _red
from microtensor.ops import shape as _shape

# The ufuncs behind Python's operators, run as tensor ops when NumPy meets a
# Tensor on the right of an array (see ``Tensor.__array_ufunc__``).
_UFUNC_OPERATORS = {
    np.add: _ew.add,
    np.subtract: _ew.sub,
    np.multiply: _ew.mul,
    np.true_divide: _ew.div,
    np.power: _ew.pow,
    np.matmul: _mm.matmul,
    np.less: functools.partial(_ew.compare, "lt"),
    np.less_equal: functools.partial(_ew.compare, "le"),
    np.greater: functools.partial(_ew.compare, "gt"),
    np.greater_equal: functools.partial(_ew.compare, "ge"),
    np.equal: functools.partial(_ew.compare, "eq"),
    np.not_equal: functools.partial(_ew.compare, "ne"),
}
