"""Length-prefixed messages over a pair of pipe file descriptors: JSON, and the raw bytes of arrays beside it.

A frame is ``>II`` (the JSON's length, how many byte blocks follow), the JSON, then each block
as ``>I`` and its bytes. `send` takes a dict whose values may hold `bytes` (the codec puts an
array's raw data there): each goes into a block, and the JSON holds ``{"__blob__": k}`` in its
place. `receive` puts the blocks back, but only where the codec puts array data (the ``data`` of
an ``{"dtype", "shape", "data"}`` body), so nothing else a sender writes can turn into bytes;
`codec.decode` then checks every array's bytes against its dtype and shape. No base64, no
copy of an array through a JSON string: a callback with a 20 x 400 cache costs microseconds to
frame instead of a millisecond.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time


HEADER = struct.Struct(">II")
BLOCK = struct.Struct(">I")
MAX_MESSAGE = 64 * 1024 * 1024  # far above any honest answer: the flower is 400 points
MAX_BLOCKS = 4096


class ProtocolError(RuntimeError):
    """The other side closed the pipe or sent something that is not a message."""


def send(fd: int, message: dict) -> None:
    blocks: list[bytes] = []

    def lift(value):
        if type(value) is bytes:
            blocks.append(value)
            return {"__blob__": len(blocks) - 1}
        raise TypeError(f"a {type(value).__name__} cannot be sent")

    payload = json.dumps(message, allow_nan=False, default=lift, separators=(",", ":")).encode("utf-8")
    size = len(payload) + sum(len(b) + BLOCK.size for b in blocks)
    if size > MAX_MESSAGE:
        raise ProtocolError(f"message of {size // 2**20} MB is over the {MAX_MESSAGE // 2**20} MB limit")
    data = memoryview(b"".join([HEADER.pack(len(payload), len(blocks)), payload,
                                *(part for block in blocks for part in (BLOCK.pack(len(block)), block))]))
    while data:
        written = os.write(fd, data)
        data = data[written:]


class Timeout(ProtocolError):
    """No complete message arrived before the deadline."""


def read_exactly(fd: int, n: int, deadline: float | None = None) -> bytes:
    """`n` bytes from `fd`, waiting at most until `deadline` (time.monotonic() seconds) for each part.

    On a non-blocking `fd` (see `client`), data that has arrived is read without a wait: select() is
    called only when a read would block."""
    chunks = []
    while n:
        try:
            chunk = os.read(fd, min(n, 1 << 20))
        except BlockingIOError:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise Timeout("no answer before the deadline") from None
            if not select.select([fd], [], [], remaining)[0]:
                raise Timeout("no answer before the deadline") from None
            continue
        if not chunk:
            raise ProtocolError("the pipe closed")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def receive(fd: int, deadline: float | None = None) -> dict:
    """The next message; with a deadline (time.monotonic() seconds) raises Timeout past it."""
    size, count = HEADER.unpack(read_exactly(fd, HEADER.size, deadline))
    if size > MAX_MESSAGE or count > MAX_BLOCKS:
        raise ProtocolError(f"a message over the limits ({size // 2**20} MB, {count} blocks)")
    text = read_exactly(fd, size, deadline)
    blocks, total = [], size
    for _ in range(count):
        (length,) = BLOCK.unpack(read_exactly(fd, BLOCK.size, deadline))
        total += length
        if total > MAX_MESSAGE:
            raise ProtocolError(f"message over the {MAX_MESSAGE // 2**20} MB limit")
        blocks.append(read_exactly(fd, length, deadline))

    def lower(body: dict):
        """An array body's {"__blob__": k} becomes block k; anything else stays as the JSON said."""
        data = body.get("data")
        if len(body) == 3 and "dtype" in body and "shape" in body and type(data) is dict and len(data) == 1:
            k = data.get("__blob__")
            if type(k) is int and 0 <= k < len(blocks):
                body["data"] = blocks[k]
        return body

    try:
        message = json.loads(text, object_hook=lower)
    except ValueError:
        raise ProtocolError("a message that is not JSON") from None
    if type(message) is not dict:
        raise ProtocolError("a message that is not a JSON object")
    return message
