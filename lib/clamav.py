"""ClamAV's daemon (clamd), asked over its socket whether some bytes are harmful.

The INSTREAM command of clamd's protocol: the bytes go in chunks, each prefixed with its
length as a 4-byte big-endian number, ended by a zero length; clamd answers
`stream: OK`, `stream: <signature> FOUND` or `... ERROR`. Nothing is written to disk.

`address` is a Unix socket path (`/run/clamav/clamd.ctl`) or `tcp://host:port`.
"""

import socket
import struct

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd could not be reached or could not scan (too big for its limits, overloaded)."""


def connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("tcp://"):
        host, _, port = address.removeprefix("tcp://").rpartition(":")
        return socket.create_connection((host, int(port)), timeout=timeout)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(address)
    except OSError:
        sock.close()
        raise
    return sock


def command(address: str, line: bytes, *, timeout: float = 5) -> str:
    """A one-line command (`zPING`, `zVERSION`) and its answer."""
    try:
        with connect(address, timeout) as sock:
            sock.sendall(line + b"\0")
            return read_reply(sock)
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc


def read_reply(sock: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0"):
        part = sock.recv(4096)
        if not part:
            break
        reply += part
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def scan(content: bytes, *, address: str, timeout: float = 30) -> str | None:
    """The name of what clamd found in `content`, or None when it is clean."""
    try:
        with connect(address, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            view = memoryview(content)
            for start in range(0, len(view), CHUNK):
                chunk = view[start : start + CHUNK]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = read_reply(sock)
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc
    if reply.endswith("FOUND"):
        return reply.removeprefix("stream:").removesuffix("FOUND").strip()
    if reply.endswith("OK"):
        return None
    raise ScannerUnavailable(reply or "no answer from clamd")
