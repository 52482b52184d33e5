"""Outbound calls to an address someone typed: the checks that keep them from reaching inside.

- **https only** unless `WEBHOOK_ALLOW_HTTP` (never in production: see settings).
- **No private, loopback, link-local, reserved, multicast or unspecified address**, unless it
  is in `WEBHOOK_ALLOWED_NETWORKS` (tests allow 127.0.0.0/8). The host is resolved once,
  every address it resolves to is checked, and the connection is made to the checked address
  (the Host header and the certificate still name the host), so a name that resolves to a
  public address for the check and a private one for the connection (DNS rebinding) cannot
  slip through.
- **Timeouts** for connecting and for each read; **redirects are not followed** (a 3xx is a
  failed delivery); at most `MAX_RESPONSE_BYTES` of the answer is read, within one read timeout.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

MAX_RESPONSE_BYTES = 64 * 1024
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The address may not be called; the message says why in plain words."""


@dataclass
class Response:
    status: int
    body: bytes
    duration_ms: int


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n.strip(), strict=False) for n in settings.WEBHOOK_ALLOWED_NETWORKS if n.strip()]


def check_address(address: Address) -> None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed_networks()):
        return
    if (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    ):
        raise Refused(f"{address} is a private, local or reserved address: webhooks go to public addresses only.")


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of `url` if its form is allowed (the form and the sender both ask)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise Refused("Enter an address starting with https://")
    if scheme == "http" and not settings.WEBHOOK_ALLOW_HTTP:
        raise Refused("The address must start with https:// so that what is sent cannot be read on the way.")
    if parts.username or parts.password:
        raise Refused("Leave the user name and password out of the address.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise Refused("The address has a port that is not a number.") from None
    host = parts.hostname
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        check_address(literal)
    return scheme, host, port


def resolve(host: str, port: int) -> Address:
    """The first address of `host`, after checking every address it resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Refused(f"{host} could not be found ({exc.strerror}).") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise Refused(f"{host} could not be found.")
    for address in addresses:
        check_address(address)
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, connect_timeout: float, read_timeout: float) -> None:
        super().__init__(host, port, timeout=connect_timeout)
        self._address = address
        self._read_timeout = read_timeout

    def _open(self) -> socket.socket:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        sock.settimeout(self._read_timeout)
        return sock

    def connect(self) -> None:
        self.sock = self._open()


class _PinnedHTTPS(_PinnedHTTP):
    default_port = 443

    def connect(self) -> None:
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self._open(), server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST `body` to `url` after the checks above. Raises Refused, or OSError for a network failure."""
    scheme, host, port = check_url(url)
    address = resolve(host, port)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kind = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    connection = kind(
        host, port, str(address), settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS, settings.WEBHOOK_READ_TIMEOUT_SECONDS
    )
    started = time.monotonic()
    try:
        connection.request(
            "POST",
            target,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": "IncidentDesk-Webhooks/1", **headers},
        )
        answer = connection.getresponse()
        # Only the status matters; a little of the body is read, and never for longer than a
        # read timeout in all (an answer that drips a byte at a time cannot hold a worker).
        content = b""
        deadline = time.monotonic() + settings.WEBHOOK_READ_TIMEOUT_SECONDS
        while len(content) < MAX_RESPONSE_BYTES and time.monotonic() < deadline:
            chunk = answer.read1(MAX_RESPONSE_BYTES - len(content))
            if not chunk:
                break
            content += chunk
        return Response(answer.status, content, int((time.monotonic() - started) * 1000))
    finally:
        connection.close()
