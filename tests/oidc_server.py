"""oidc-provider-mock with PKCE enforced (RFC 7636, S256): the package stores no code
challenge, so the token endpoint would take any verifier. Run as a script:
`python tests/oidc_server.py PORT`. Used by tests/oidc.py."""

import sys
from typing import Any

from authlib.oauth2.rfc7636 import CodeChallenge
from oidc_provider_mock import _app, _storage

CHALLENGES: dict[str, tuple[str | None, str | None]] = {}
_save = _app.AuthorizationCodeGrant.save_authorization_code


def _save_with_challenge(self: Any, code: str, request: Any) -> None:
    _save(self, code, request)
    data = request.payload.data
    CHALLENGES[code] = (data.get("code_challenge"), data.get("code_challenge_method"))


class _OpenIDCodeWithPKCE(_app.OpenIDCode):  # type: ignore[misc,name-defined]
    def __call__(self, grant: Any) -> None:
        super().__call__(grant)
        if isinstance(grant, _app.AuthorizationCodeGrant):
            CodeChallenge(required=True)(grant)


_app.AuthorizationCodeGrant.save_authorization_code = _save_with_challenge  # type: ignore[method-assign]
_app.OpenIDCode = _OpenIDCodeWithPKCE  # type: ignore[misc]
_storage.AuthorizationCode.code_challenge = property(lambda self: CHALLENGES.get(self.code, (None, None))[0])  # type: ignore[attr-defined]
_storage.AuthorizationCode.code_challenge_method = property(lambda self: CHALLENGES.get(self.code, (None, None))[1])  # type: ignore[attr-defined]

if __name__ == "__main__":
    from oidc_provider_mock import app

    app().run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
