"""Plain data across the process boundary: JSON-ready values, with arrays' raw bytes beside them.

Allowed: None, bool, int, float (nan/inf included), str, lists, tuples, dicts with str keys,
and numpy arrays of bool, integer or float dtype (sent as dtype, shape and their raw bytes, which
`protocol` carries in a block of the frame, not in the JSON). `decode` is the trust boundary:
it rebuilds only these types, checks every array's byte count against its dtype and shape, and
never calls code of the sender's choosing.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


ALLOWED_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                  "float16", "float32", "float64"}
MAX_DEPTH = 32
_NAME_OF = {np.dtype(name): name for name in ALLOWED_DTYPES}  # dtype -> name at a dict lookup (dtype.name is slow)
_DTYPE = {name: np.dtype(name) for name in ALLOWED_DTYPES}


class CodecError(ValueError):
    """A value that is not plain data, or a message that does not decode to plain data."""


def encode(value: Any, _depth: int = 0) -> Any:
    """`value` as JSON-ready data; raises CodecError naming the first type that is not plain data."""
    if _depth > MAX_DEPTH:
        raise CodecError("nested too deeply")
    if value is None or type(value) in (bool, str):
        return value
    if type(value) is int:
        return value
    if type(value) is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.generic) and (_NAME_OF.get(value.dtype) or value.dtype.name) in ALLOWED_DTYPES:
        return encode(value.item(), _depth)
    if isinstance(value, np.ndarray):
        array = value if type(value) is np.ndarray else value.view(np.ndarray)
        if not array.flags.c_contiguous:
            array = np.ascontiguousarray(array)
        if not array.dtype.isnative:  # ">f8" is float64 too, but its bytes must be sent in this machine's order
            array = array.astype(array.dtype.newbyteorder("="))
        name = _NAME_OF.get(array.dtype) or array.dtype.name
        if name not in ALLOWED_DTYPES:
            raise CodecError(f"a numpy array of dtype {array.dtype} (expected numbers or booleans)")
        return {"__ndarray__": {"dtype": name, "shape": list(array.shape), "data": array.tobytes()}}
    if type(value) in (list, tuple):
        items = [encode(v, _depth + 1) for v in value]
        return items if type(value) is list else {"__tuple__": items}
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            raise CodecError("a dict whose keys are not all strings")
        return {"__dict__": {k: encode(v, _depth + 1) for k, v in value.items()}}
    raise CodecError(f"a value of type {type(value).__name__}")


def decode(data: Any, _depth: int = 0) -> Any:
    """Rebuild a value from `encode`'s output, checking every part; raises CodecError."""
    if _depth > MAX_DEPTH:
        raise CodecError("nested too deeply")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [decode(v, _depth + 1) for v in data]
    if type(data) is dict and len(data) == 1:
        (tag, body), = data.items()
        if tag == "__tuple__" and type(body) is list:
            return tuple(decode(v, _depth + 1) for v in body)
        if tag == "__dict__" and type(body) is dict:
            return {str(k): decode(v, _depth + 1) for k, v in body.items()}
        if tag == "__float__" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag == "__ndarray__" and type(body) is dict:
            return _decode_array(body)
    raise CodecError("a message part that is not plain data")


def _decode_array(body: dict) -> np.ndarray:
    dtype, shape, data = body.get("dtype"), body.get("shape"), body.get("data")
    if dtype not in _DTYPE or type(shape) is not list or type(data) is not bytes or len(shape) > 32:
        raise CodecError("a malformed array")
    count = 1
    for n in shape:
        if type(n) is not int or n < 0:
            raise CodecError("an array with an invalid shape")
        count *= n
    if len(data) != count * _DTYPE[dtype].itemsize:
        raise CodecError(f"an array whose data does not match its shape {tuple(shape)}")
    return np.frombuffer(bytearray(data), dtype=_DTYPE[dtype]).reshape(shape)  # a writable copy of its own


def apply_changes(originals: list, changed: list) -> None:
    """Make the caller's arguments show what the worker's copies went through (in place).

    Arrays of the same shape and dtype are overwritten in place, dicts and lists are updated
    item by item, so a function that modifies its input in place is seen doing so here, as
    it would be in the notebook. Anything that cannot change in place is left alone.
    """
    for original, new in zip(originals, changed):
        _apply(original, new)


def _apply(original: Any, new: Any) -> None:
    if isinstance(original, np.ndarray) and isinstance(new, np.ndarray):
        if original.shape == new.shape and original.flags.writeable:
            np.copyto(original, new, casting="unsafe")
    elif type(original) is dict and type(new) is dict:
        for key in [k for k in original if k not in new]:
            del original[key]
        for key, value in new.items():
            if key in original and isinstance(original[key], (np.ndarray, dict, list)) \
                    and type(original[key]) is type(value) and not _needs_replacing(original[key], value):
                _apply(original[key], value)
            else:
                original[key] = value
    elif type(original) is list and type(new) is list:
        if len(original) == len(new):
            for index, value in enumerate(new):
                if isinstance(original[index], (np.ndarray, dict, list)) and not _needs_replacing(original[index], value):
                    _apply(original[index], value)
                else:
                    original[index] = value
        else:
            original[:] = new


def _needs_replacing(original: Any, new: Any) -> bool:
    """An array whose shape or dtype changed is replaced, not overwritten."""
    return isinstance(original, np.ndarray) and (not isinstance(new, np.ndarray) or original.shape != new.shape
                                                 or original.dtype != new.dtype)
