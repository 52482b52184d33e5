"""An OAuth 2.0 access token for signing in to a mailbox with XOAUTH2 (Microsoft 365, Google).

Two grants, as the providers offer them: the application's own credentials (client
credentials: Microsoft 365's app-only access to a mailbox) or a refresh token a person gave
once (Google, or Microsoft's delegated access). The token endpoint is the mailbox's own
setting; the client secret and refresh token are kept sealed (`lib.sealed`). A rotated
refresh token the endpoint sends back replaces the old one.
"""

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from lib import sealed

from .models import Mailbox


class TokenRefused(Exception):
    """The token endpoint did not give a token; its words, for the settings page."""


def access_token(mailbox: Mailbox) -> str:
    form = {
        "client_id": mailbox.client_id,
        "client_secret": sealed.unseal(mailbox.client_secret_sealed),
    }
    if mailbox.sign_in == Mailbox.SignIn.REFRESH_TOKEN:
        form |= {"grant_type": "refresh_token", "refresh_token": sealed.unseal(mailbox.refresh_token_sealed)}
    else:
        form |= {"grant_type": "client_credentials"}
    if mailbox.scope:
        form["scope"] = mailbox.scope
    if not mailbox.token_url.startswith(("https://", "http://")):
        raise TokenRefused("The token address must start with https://")
    request = urllib.request.Request(  # noqa: S310 (an http(s) address only, checked above)
        mailbox.token_url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.INBOUND_IMAP_TIMEOUT) as response:  # noqa: S310 (the admin's https token endpoint)
            answer = json.loads(response.read(1_000_000))
    except urllib.error.HTTPError as error:
        raise TokenRefused(
            f"The token address answered {error.code}: {error.read(500).decode(errors='replace')}"
        ) from error
    except (OSError, ValueError) as error:
        raise TokenRefused(f"The token address could not be reached: {error}") from error
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not token:
        raise TokenRefused("The token address gave no access token.")
    rotated = answer.get("refresh_token")
    if rotated and mailbox.sign_in == Mailbox.SignIn.REFRESH_TOKEN:
        mailbox.refresh_token_sealed = sealed.seal(str(rotated))
        Mailbox.objects.filter(pk=mailbox.pk).update(refresh_token_sealed=mailbox.refresh_token_sealed)
    return str(token)


def xoauth2(user: str, token: str) -> bytes:
    """The XOAUTH2 initial response (Google's and Microsoft's SASL mechanism)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()
