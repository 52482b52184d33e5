"""Nothing typed is lost ("Daily work"): an anonymous reporter's reply page says when it stops
taking replies and can be kept open longer, keeping what was typed; a reply sent after the page
expired comes back with the receipt form and returns to the reply box once the receipt is in."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from incidents.models import ReporterMessage

from .test_anonymous_reporting import page, receipt_in, send_report, token_from  # noqa: F401  (page is a fixture)

TYPED = "The laptop was in the staff room on Tuesday.\nIt had the SEN list open."


def opened(client, receipt: str) -> str:
    return client.post(reverse("anonymous:receipt"), {"receipt": receipt}).content.decode()


def test_the_reply_page_says_when_it_closes_and_keeping_it_open_keeps_the_text(client, page) -> None:  # noqa: F811
    receipt = receipt_in(send_report(client, page))
    html = opened(client, receipt)
    until = (timezone.localtime() + timedelta(hours=1)).strftime("%H:")
    assert "this page takes replies until <strong>" + until in html
    token = token_from(html)
    with time_machine.travel(timezone.now() + timedelta(minutes=55)):
        kept = client.post(reverse("anonymous:receipt_reply"), {"token": token, "body": TYPED, "action": "extend"})
        text = kept.content.decode()
        assert kept.status_code == 200 and "The page is open for another hour." in text
        assert TYPED.replace("\n", "\r\n") in text or TYPED in text
        fresh = token_from(text)
        assert fresh != token
    assert not ReporterMessage.objects.filter(direction="from_reporter").exists()  # kept, not sent
    # An hour and a half after first opening, the fresh token still takes the reply.
    with time_machine.travel(timezone.now() + timedelta(minutes=90)):
        sent = client.post(reverse("anonymous:receipt_reply"), {"token": fresh, "body": TYPED})
        assert "Sent." in sent.content.decode()
    assert ReporterMessage.objects.get(direction="from_reporter").body == TYPED


def test_a_reply_after_the_page_expired_comes_back_and_returns_to_the_box(client, page) -> None:  # noqa: F811
    receipt = receipt_in(send_report(client, page))
    token = token_from(opened(client, receipt))
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        late = client.post(reverse("anonymous:receipt_reply"), {"token": token, "body": TYPED})
        text = late.content.decode()
        assert late.status_code == 400
        assert "This page was open too long. Enter your receipt again: your message is kept below." in text
        assert "Your message, kept" in text and 'name="kept_body"' in text
        assert not ReporterMessage.objects.filter(direction="from_reporter").exists()
        back = client.post(reverse("anonymous:receipt"), {"receipt": receipt, "kept_body": TYPED}).content.decode()
        assert "Answer or add information" in back
        assert TYPED in back.replace("\r\n", "\n")
