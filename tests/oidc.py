"""A real OpenID Connect provider on 127.0.0.1 for the single sign-on tests: oidc-provider-mock
with PKCE enforced (tests/oidc_server.py), in its own process so that moving this process's
clock makes its tokens look old. And the steps a browser takes through it: start at Incident
Desk, approve at the provider as a person with the given claims, come back to the callback."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests


@dataclass
class Provider:
    url: str

    def set_person(self, sub: str, **claims: Any) -> None:
        requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5).raise_for_status()

    def approve(self, authorize_url: str, sub: str, **change: str) -> str:
        """Sign in at the provider as `sub` (its authorisation form); returns where it sends the
        browser back to. `change` alters the authorisation request first, as an attacker would."""
        if change:
            parts = urlsplit(authorize_url)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()} | change
            authorize_url = urlunsplit(parts._replace(query=urlencode(query)))
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code in (302, 303), response.text[:500]
        return response.headers["Location"]

    def refuse(self, authorize_url: str) -> str:
        """The provider refuses the person (as for an account disabled there): it sends the
        browser back with `error=access_denied`."""
        response = requests.post(authorize_url, data={"action": "deny"}, allow_redirects=False, timeout=5)
        assert response.status_code in (302, 303), response.text[:500]
        assert "error=access_denied" in response.headers["Location"]
        return response.headers["Location"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("oidc_server.py")), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{url}/.well-known/openid-configuration", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("the OpenID Connect provider did not start")
        yield Provider(url)
    finally:
        process.terminate()
        process.wait(timeout=10)
