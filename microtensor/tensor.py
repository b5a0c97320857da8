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

import numpy as np

from microtensor.errors import DTypeError, GraphError, ShapeError

__all__ = [
    "Tensor",
    "tensor",
    "zeros",
    "ones",
    "zeros_like",
    "ones_like",
    "randn",
    "rand",
    "arange",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
]

_ndarray = np.ndarray
_asarray = np.asarray
_new = object.__new__

# Global switches, read on every op. Module globals are the cheapest thing
# Python can look up; ``anomaly.py`` flips the second one.
_grad_enabled = True
_anomaly_enabled = False


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
        "data",
        "grad",
        "requires_grad",
        "_parents",
        "_backward",
        "_op",
        "_retains_grad",
        "__weakref__",
    )

    # ``==`` is overridden (it returns a boolean Tensor), so keep identity hashing
    # to let tensors live in sets and dict keys.
    __hash__ = object.__hash__

    # Makes ``ndarray + Tensor`` and ``np.float64(2) * Tensor`` return
    # NotImplemented from NumPy's side, so Python calls our reflected operator.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = _to_array(data, dtype)
        if requires_grad and self.data.dtype.kind != "f":
            raise DTypeError(
                f"tensor: only floating point tensors can require grad, "
                f"got dtype {self.data.dtype}"
            )
        self.grad = None
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
        self.grad = None

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

    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis`` (an int, a tuple of ints, or None for all)."""
        return _red.sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis`` (an int, a tuple of ints, or None for all)."""
        return _red.mean(self, axis, keepdims)

    def max(self, axis=None, keepdims=False):
        """Maximum over ``axis``; tied maxima share the gradient evenly."""
        return _red.max(self, axis, keepdims)

    def min(self, axis=None, keepdims=False):
        """Minimum over ``axis``; tied minima share the gradient evenly."""
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
        return np.array(data, dtype=dtype)
    array = np.array(data)
    kind = array.dtype.kind
    if kind in "biu":
        return array.astype(np.float64)
    if kind != "f":
        raise DTypeError(
            f"tensor: cannot make a tensor from data of dtype {array.dtype} "
            f"(type {type(data).__name__}); give real numbers or arrays of them"
        )
    return array


def _wrap(data):
    """Make a tensor around an ndarray without copying or converting it."""
    if type(data) is not _ndarray:
        data = _asarray(data)
    out = _new(Tensor)
    out.data = data
    out.grad = None
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
    result.grad = None
    result._op = op
    result._retains_grad = False
    if _grad_enabled:
        for parent in parents:
            if parent is not None and parent.requires_grad:
                result.requires_grad = True
                result._parents = parents
                result._backward = backward
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
    if isinstance(grad, Tensor):
        grad = grad.data
    grad = np.asarray(grad)
    if grad.dtype.kind not in "fc":
        grad = grad.astype(data.dtype)
    if grad.shape != data.shape:
        if grad.size == 1 and data.size == 1:
            return grad.reshape(data.shape)
        raise ShapeError(
            f"backward: grad has shape {grad.shape} but the tensor has shape "
            f"{data.shape}; they must be equal"
        )
    return grad


def _topological_order(root):
    """Return the nodes that require grad below ``root``, consumers last.

    An iterative post-order depth-first search: the stack holds each node
    under expansion with an iterator over its parents, so the depth of the
    graph is limited by memory, not by Python's recursion limit. A node is
    appended once all of its parents are, hence after everything it depends
    on; reversed, the list puts every node after all of its consumers.
    Tensors hash by identity, so they serve as their own keys.
    """
    _check_not_released(root)
    order = []
    append = order.append
    visited = {root}
    mark = visited.add
    stack = [(root, iter(root._parents))]
    push = stack.append
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent is None or not parent.requires_grad or parent in visited:
                continue
            mark(parent)
            if parent._parents:
                _check_not_released(parent)
                push((parent, iter(parent._parents)))
                break
            append(parent)  # a leaf has nothing below it: it is done at once
        else:
            stack.pop()
            append(node)
    return order


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
    order = _topological_order(root)
    grads = {root: seed}
    # The nodes whose pending gradient is an array made during this walk and
    # held by nothing else: it can become their .grad without a copy.
    owned = set()
    pop = grads.pop
    previous_grad = grads.get
    anomaly = _anomaly_enabled
    released = _released_backward
    for node in reversed(order):
        grad_out = pop(node, None)
        if grad_out is None:
            continue
        backward = node._backward
        if backward is None:
            _store_grad(node, grad_out, node in owned)
            continue
        if node._retains_grad:
            _store_grad(node, grad_out, node in owned)
        parent_grads = backward(grad_out)
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


def _store_grad(node, grad, owned=False):
    """Add ``grad`` into ``node.grad``, sharing no array with the graph.

    An ``owned`` array (made by the walk, held by nothing else) is kept as it
    is when it has the right type and dtype; any other is copied, so that
    changing one ``.grad`` in place can never change another, or a value the
    graph saved. Skipping the copy matters for large layers, where it would
    cost as much as a tenth of a training step.
    """
    dtype = node.data.dtype
    if node.grad is None:
        if owned and type(grad) is _ndarray and grad.dtype == dtype:
            node.grad = grad
        else:
            node.grad = np.array(grad, dtype=dtype)
    else:
        if grad.dtype != dtype:
            grad = grad.astype(dtype)
        node.grad = node.grad + grad


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

    Examples
    --------
    >>> import microtensor as mt
    >>> w = mt.tensor([1.0, 2.0], requires_grad=True)
    >>> with mt.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """

    _enable = False

    def __init__(self):
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
