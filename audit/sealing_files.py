"""Files sealed at rest under a case's data key, in 64 KiB chunks (decision 0038, point 2).

A sealed file is a header and a run of chunks:

    header  = MAGIC (8 bytes) | length of the data key id (1 byte) | data key id | nonce prefix (8 random bytes)
    chunk i = AES-256-GCM(clear bytes i*64 KiB .. (i+1)*64 KiB) with its 16-byte tag

Chunk i is sealed with the nonce `prefix | i` (4 bytes, big-endian), so no two chunks of any
file share a nonce under one key (the prefix is new for every file), and with associated
data naming the data key, what the file belongs to (`binding`: the evidence row), the chunk's
position and whether it is the last. A flipped byte fails that chunk's tag; a chunk moved to
another place, or another file, fails its nonce or binding; a file cut short after a whole
chunk fails because the chunk it now ends with was not sealed as the last; bytes added after
the last chunk are refused. The last chunk may be shorter, or empty (an empty file is one
empty last chunk).

Sealing and opening both hold at most two chunks at a time, whatever the file's size: the
stores read and write through `SealingReader` and `OpeningReader` a piece at a time.

A file without the header is a file stored before sealing: `opened` reads it as it is (the
evidence app's `seal_evidence` command seals those). A file whose data key was destroyed
(disposal) cannot be opened at all: `KeyDestroyed`.
"""

import io
import os
import struct
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import sealing

MAGIC = b"IDSEALF\x01"
CHUNK = 64 * 1024
TAG = 16
PREFIX_BYTES = 8


class KeyDestroyed(sealing.SealingError):
    """The file's data key was destroyed (its case was disposed of): it can never be opened again."""


def _read_exact(source: Any, size: int) -> bytes:
    """`size` bytes, fewer only at the end (a network body may answer a read with less)."""
    pieces = []
    wanted = size
    while wanted > 0:
        piece = source.read(wanted)
        if not piece:
            break
        pieces.append(piece)
        wanted -= len(piece)
    return b"".join(pieces)


def _associated(key_id: str, binding: str, counter: int, last: bool) -> bytes:
    return b"|".join((MAGIC, key_id.encode(), binding.encode(), str(counter).encode(), b"1" if last else b"0"))


def _nonce(prefix: bytes, counter: int) -> bytes:
    return prefix + struct.pack(">I", counter)


class _Stream(io.RawIOBase):
    """Bytes made a chunk at a time by `_next()` (None at the end), read in any sizes."""

    def __init__(self, source: Any) -> None:
        self._source = source
        self._buffer = b""
        self._ended = False

    def readable(self) -> bool:
        return True

    def _next(self) -> bytes | None:
        raise NotImplementedError

    def readinto(self, target: Any) -> int:
        while not self._buffer and not self._ended:
            piece = self._next()
            if piece is None:
                self._ended = True
            else:
                self._buffer = piece
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size

    def close(self) -> None:
        if not self.closed:
            close = getattr(self._source, "close", None)
            if close is not None:
                close()
        super().close()


class SealingReader(_Stream):
    """Reading it gives `source`'s bytes sealed under `holder`'s data key (what a store writes)."""

    def __init__(self, source: Any, holder: sealing.KeyHolder, binding: str) -> None:
        super().__init__(source)
        self._key_id, key = sealing.data_key(holder)
        self._aead = AESGCM(key)
        self._binding = binding
        self._prefix = os.urandom(PREFIX_BYTES)
        self._counter = -1  # the header comes first
        self._pending = b""

    def _next(self) -> bytes | None:
        if self._counter == -1:
            self._counter = 0
            self._pending = _read_exact(self._source, CHUNK)
            key_id = self._key_id.encode()
            return MAGIC + bytes([len(key_id)]) + key_id + self._prefix
        if self._pending is None:
            return None
        current = self._pending
        following = _read_exact(self._source, CHUNK)
        last = not following
        sealed = self._aead.encrypt(
            _nonce(self._prefix, self._counter),
            current,
            _associated(self._key_id, self._binding, self._counter, last),
        )
        self._counter += 1
        self._pending = None if last else following  # type: ignore[assignment]
        return sealed


class OpeningReader(_Stream):
    """Reading it gives the clear bytes of the sealed file `source`, whose header was read already."""

    def __init__(self, source: Any, binding: str) -> None:
        super().__init__(source)
        length = _read_exact(source, 1)
        key_id = _read_exact(source, length[0]).decode("ascii", "replace") if length else ""
        self._prefix = _read_exact(source, PREFIX_BYTES)
        if not key_id or len(self._prefix) != PREFIX_BYTES:
            raise sealing.SealingError("a sealed file's header is damaged")
        key = sealing.data_key_by_id(key_id)
        if key is None:
            raise KeyDestroyed("this file's data key was destroyed: it can no longer be opened")
        self.key_id = key_id
        self._aead = AESGCM(key)
        self._binding = binding
        self._counter = 0
        self._pending: bytes | None = _read_exact(source, CHUNK + TAG)
        if len(self._pending) < TAG:
            raise sealing.SealingError("a sealed file was cut short: it has no last chunk")

    def _next(self) -> bytes | None:
        if self._pending is None:
            return None
        current = self._pending
        following = _read_exact(self._source, CHUNK + TAG)
        last = not following
        if (not last and len(current) < CHUNK + TAG) or 0 < len(following) < TAG:
            raise sealing.SealingError("a sealed file's chunks are damaged (a short chunk before the end)")
        try:
            clear = self._aead.decrypt(
                _nonce(self._prefix, self._counter),
                current,
                _associated(self.key_id, self._binding, self._counter, last),
            )
        except InvalidTag:
            raise sealing.SealingError(
                f"chunk {self._counter} of a sealed file does not open: the file was changed, cut short or moved"
            ) from None
        self._counter += 1
        self._pending = None if last else following
        return clear


class _Clear(_Stream):
    """A file stored before sealing, read as it is (its first bytes were read to look for the header)."""

    def __init__(self, source: Any, head: bytes) -> None:
        super().__init__(source)
        self._head: bytes | None = head

    def _next(self) -> bytes | None:
        if self._head is not None:
            head, self._head = self._head, None
            if head:
                return head
        return self._source.read(CHUNK) or None


def opened(source: Any, binding: str) -> io.BufferedReader:
    """The clear bytes of a stored file, sealed or not, to read in pieces; closing it closes `source`.

    Raises `KeyDestroyed` if the file's data key was destroyed, `SealingError` if its header
    is damaged; a damaged chunk raises `SealingError` when it is read.
    """
    head = _read_exact(source, len(MAGIC))
    try:
        stream: _Stream = OpeningReader(source, binding) if head == MAGIC else _Clear(source, head)
    except BaseException:
        source.close()
        raise
    return io.BufferedReader(stream, buffer_size=CHUNK)


def sealed_reader(source: Any, holder: sealing.KeyHolder, binding: str) -> io.BufferedReader:
    """`source` sealed as it is read, for a store to write a piece at a time."""
    return io.BufferedReader(SealingReader(source, holder, binding), buffer_size=CHUNK)


def is_sealed_file(source: Any) -> bool:
    """Whether the stored file `source` (opened, at its start) begins with a sealed header."""
    return _read_exact(source, len(MAGIC)) == MAGIC
