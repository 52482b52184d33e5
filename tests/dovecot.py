"""A private Dovecot IMAP server for the tests, on 127.0.0.1, and a tiny OAuth 2.0 server.

`dovecot` writes its own config into a temporary folder (its own base_dir, a passwd-file
passdb, maildir mail, plaintext sign-in allowed because it only listens on 127.0.0.1 with
no TLS), starts `dovecot -F -c <config>` and stops it at the end. One mailbox user,
`intake@school-a.example` with password `letmein`, can also sign in with XOAUTH2: Dovecot's
`oauth2` passdb asks the `OAuthServer` here whether the access token is active (token
introspection, RFC 7662), and the same server hands out tokens for the client-credentials
and refresh-token grants, as Microsoft 365 and Google do. `make test` installs Dovecot where
it is missing (`make dovecot`); where it cannot be, these tests fail loudly.
"""

import imaplib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from .processes import stop
from .smtp import free_port

USER = "intake@school-a.example"
PASSWORD = "letmein"


@dataclass
class OAuthServer:
    """Token endpoint (client credentials, refresh token) and introspection for Dovecot."""

    client_id: str = "incident-desk"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    refresh_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> username
    grants: list[str] = field(default_factory=list)  # the grant types asked for, in order
    port: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if self.path == "/token":
                    self.answer(*owner.token(form))
                elif self.path == "/introspect":
                    token = form.get("token", "")
                    user = owner.tokens.get(token)
                    self.answer(200, {"active": True, "username": user} if user else {"active": False})
                else:
                    self.answer(404, {})

            def answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = form.get("grant_type", "")
        self.grants.append(grant)
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client"}
        if grant == "refresh_token" and form.get("refresh_token") != self.refresh_token:
            return 400, {"error": "invalid_grant"}
        if grant not in ("client_credentials", "refresh_token"):
            return 400, {"error": "unsupported_grant_type"}
        access = secrets.token_urlsafe(24)
        self.tokens[access] = USER
        return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 3600}

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@dataclass
class Dovecot:
    port: int
    oauth: OAuthServer
    user: str = USER
    password: str = PASSWORD

    def client(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(self.user, self.password)
        return imap

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message in the mailbox, as the mail server in front of it would."""
        with self.client() as imap:
            imap.append(folder, "", None, raw)

    def messages(self, folder: str = "INBOX") -> list[tuple[str, str]]:
        """(UID, flags) of every message in `folder`."""
        with self.client() as imap:
            _, count = imap.select(folder)
            if not count or count[0] in (b"0", None):
                return []
            _, data = imap.uid("FETCH", "1:*", "(FLAGS)")
        found = []
        for line in data:
            if not line:
                continue
            text = line.decode() if isinstance(line, bytes) else str(line)
            if "UID" in text:
                uid = text.split("UID ")[1].split()[0].rstrip(")")
                flags = text.split("FLAGS (")[1].split(")")[0]
                found.append((uid, flags))
        return found


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
mail_location = maildir:{root}/mail/%n
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = {uid}
mail_uid = {uid}
mail_gid = {gid}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  mailbox Processed {{
    auto = create
  }}
}}
passdb {{
  driver = passwd-file
  args = {root}/passwd
  mechanisms = plain login
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/oauth2.conf.ext
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%n
}}
"""

OAUTH2 = """\
introspection_mode = post
introspection_url = http://127.0.0.1:{port}/introspect
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
"""


def dovecot_binary() -> str:
    found = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else "")
    if not found:
        pytest.fail("dovecot is not installed: run `make dovecot` (Debian: apt-get install dovecot-imapd).")
    return found


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    binary = dovecot_binary()
    # Not under pytest's temporary folder: Dovecot's own users must reach the config and mail.
    root = Path(tempfile.mkdtemp(prefix="incidentdesk-dovecot-"))
    root.chmod(0o755)
    (root / "mail").mkdir()
    oauth = OAuthServer()
    oauth.start()
    port = free_port()
    if os.getuid() == 0:
        # Dovecot will not keep mail as root: the mail belongs to its own unprivileged user.
        import pwd

        entry = pwd.getpwnam("dovecot")
        uid, gid, login_user, internal_user = entry.pw_uid, entry.pw_gid, "dovenull", "dovecot"
        os.chown(root / "mail", uid, gid)
    else:
        import getpass

        uid, gid = os.getuid(), os.getgid()
        login_user = internal_user = getpass.getuser()
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    (root / "oauth2.conf.ext").write_text(OAUTH2.format(port=oauth.port))
    config = root / "dovecot.conf"
    config.write_text(
        CONFIG.format(root=root, port=port, uid=uid, gid=gid, login_user=login_user, internal_user=internal_user)
    )
    process = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = Dovecot(port=port, oauth=oauth)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                server.client().logout()
                break
            except (OSError, imaplib.IMAP4.error):
                pass
            if process.poll() is not None:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                pytest.fail(
                    f"dovecot stopped at start: {process.stderr.read().decode() if process.stderr else ''}{log}"
                )
            if time.monotonic() > deadline:
                pytest.fail("dovecot did not answer within 30 seconds")
            time.sleep(0.05)
        yield server
    finally:
        stop(process)
        oauth.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot(dovecot_server: Dovecot) -> Iterator[Dovecot]:
    """The private Dovecot with an empty mailbox for this test."""
    for folder in ("INBOX", "Processed"):
        with dovecot_server.client() as imap:
            _, count = imap.select(folder)
            if count and count[0] not in (b"0", None):
                imap.store("1:*", "+FLAGS", "\\Deleted")
                imap.expunge()
    yield dovecot_server
