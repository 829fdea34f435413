"""Length-prefixed JSON messages over a pair of pipe file descriptors."""

from __future__ import annotations

import json
import os
import select
import struct
import time


HEADER = struct.Struct(">I")
MAX_MESSAGE = 64 * 1024 * 1024  # far above any honest answer: the flower is 400 points


class ProtocolError(RuntimeError):
    """The other side closed the pipe or sent something that is not a message."""


def send(fd: int, message: dict) -> None:
    payload = json.dumps(message, allow_nan=False).encode("utf-8")
    if len(payload) > MAX_MESSAGE:
        raise ProtocolError(f"message of {len(payload) // 2**20} MB is over the {MAX_MESSAGE // 2**20} MB limit")
    data = HEADER.pack(len(payload)) + payload
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
    (size,) = HEADER.unpack(read_exactly(fd, HEADER.size, deadline))
    if size > MAX_MESSAGE:
        raise ProtocolError(f"message of {size // 2**20} MB is over the {MAX_MESSAGE // 2**20} MB limit")
    try:
        message = json.loads(read_exactly(fd, size, deadline))
    except ValueError:
        raise ProtocolError("a message that is not JSON") from None
    if type(message) is not dict:
        raise ProtocolError("a message that is not a JSON object")
    return message
