"""The public report page, receipts, follow-up, rate limits and the staff form's choices."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from anonymous import ratelimit
from anonymous.keys import RECEIPT_DIGITS, format_receipt, new_receipt, normalise_receipt, receipt_digest
from anonymous.models import PublicReportPage, Receipt
from anonymous.services import find_by_receipt, page_for
from audit.models import Event
from evidence.models import Evidence
from incidents.models import Incident, ReporterMessage

from .anonymous_files import jpeg_with_gps
from .conftest import Cast

ASSURANCE = (
    "No action will be taken against any member of staff who reports a security incident "
    "about another member of staff in good faith"
)


@pytest.fixture
def page(cast: Cast) -> PublicReportPage:
    return page_for(cast.school_a)


def token_from(html: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', html)
    assert match, "no token on the page"
    return match.group(1)


def send_report(client, page: PublicReportPage, **extra):
    form = client.get(reverse("anonymous:public_report", args=[page.slug]))
    data = {"token": token_from(form.content.decode()), "description": "Pupil records left in the library."}
    data.update(extra)
    return client.post(reverse("anonymous:public_report", args=[page.slug]), data)


def receipt_in(response) -> str:
    match = re.search(r'data-testid="receipt" id="receipt">([\d ]+)<', response.content.decode())
    assert match, "no receipt shown"
    return match.group(1)


def test_public_page_needs_no_account_and_names_the_organisation(client, page: PublicReportPage) -> None:
    response = client.get(reverse("anonymous:public_report", args=[page.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "School A" in html and ASSURANCE in html
    assert "hidden details" in html.lower() and "author and company" in html
    for label in ("What happened?", "Where did it happen?", "Is personal data involved?", "Which service or system?"):
        assert label in html
    assert 'name="website"' in html  # the honeypot, inside a hidden block
    assert "Set-Cookie" not in str(response.headers) and not response.cookies


def test_unknown_slug_is_a_404(client, page: PublicReportPage) -> None:
    assert client.get("/r/nosuchpage/").status_code == 404


def test_anonymous_report_is_stored_without_a_reporter_and_gives_a_receipt_once(client, page: PublicReportPage) -> None:
    photo = SimpleUploadedFile("IMG_2041 Marjorie.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = send_report(client, page, attachments=[photo], location="Library")
    assert response.status_code == 200
    receipt = receipt_in(response)
    digits = normalise_receipt(receipt)
    assert len(digits) == RECEIPT_DIGITS and receipt.count(" ") == 7
    assert "cannot be recovered" in response.content.decode()
    incident = Incident.objects.get()
    assert incident.reporter_anonymous and incident.reported_by is None and incident.location == "Library"
    stored = Receipt.objects.get(incident=incident)
    assert stored.digest == receipt_digest(digits) and digits not in stored.digest
    assert all(e.actor_id is None and e.request_id == "" for e in Event.objects.filter(record_id=str(incident.pk)))
    evidence = Evidence.objects.get(incident=incident)
    assert evidence.source == Evidence.Source.ANONYMOUS_REPORTER and evidence.uploaded_by is None
    assert evidence.original_name == "photo.jpg"  # the uploaded name could identify


def test_the_same_form_sent_twice_makes_one_report_and_no_second_receipt(client, page: PublicReportPage) -> None:
    form = client.get(reverse("anonymous:public_report", args=[page.slug]))
    data = {"token": token_from(form.content.decode()), "description": "Sent twice"}
    url = reverse("anonymous:public_report", args=[page.slug])
    receipt_in(client.post(url, data))
    second = client.post(url, data)
    assert "already sent" in second.content.decode()
    assert Incident.objects.count() == 1 and Receipt.objects.count() == 1


def test_honeypot_and_forged_tokens_are_refused(client, page: PublicReportPage, cast: Cast) -> None:
    assert send_report(client, page, website="http://spam.example").status_code == 400
    other = page_for(cast.school_b)
    other_token = token_from(client.get(reverse("anonymous:public_report", args=[other.slug])).content.decode())
    url = reverse("anonymous:public_report", args=[page.slug])
    forged = client.post(url, {"token": other_token, "description": "x"})
    assert "open too long" in forged.content.decode()
    assert client.post(url, {"token": "nonsense", "description": "x"}).status_code == 200
    assert not Incident.objects.exists()


def test_files_of_other_types_and_too_many_files_are_refused(client, page: PublicReportPage, settings) -> None:
    html = SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>")
    response = send_report(client, page, attachments=[html])
    assert "cannot be sent" in response.content.decode() and not Incident.objects.exists()
    settings.REPORT_ATTACHMENT_MAX_FILES = 1
    two = [SimpleUploadedFile(f"{i}.txt", b"notes") for i in range(2)]
    assert "at most 1 files" in send_report(client, page, attachments=two).content.decode()
    settings.REPORT_ATTACHMENT_MAX_BYTES = 3
    assert (
        "smaller than" in send_report(client, page, attachments=[SimpleUploadedFile("a.txt", b"four")]).content.decode()
    )
    assert not Incident.objects.exists()


def test_report_posts_are_rate_limited(client, page: PublicReportPage, monkeypatch) -> None:
    monkeypatch.setattr(ratelimit, "REPORT", ratelimit.Limit("report", 1, 3600))
    receipt_in(send_report(client, page))
    assert send_report(client, page).status_code == 429
    assert Incident.objects.count() == 1


def test_receipt_opens_status_messages_and_the_reporter_can_answer_with_files(client, page, cast: Cast) -> None:
    receipt = receipt_in(send_report(client, page))
    incident = Incident.objects.get()
    from django.db import transaction
    from django.utils import timezone

    from audit.log import record

    with transaction.atomic():
        message = ReporterMessage.objects.create(
            incident=incident, direction="to_reporter", body="Which library?", author=cast.alice, sent_on=timezone.now()
        )
        record(
            organisation_id=incident.organisation_id, action="reporter_message.sent", actor=cast.alice, record=incident
        )
    opened = client.post(reverse("anonymous:receipt"), {"receipt": receipt.replace(" ", "-")})
    html = opened.content.decode()
    assert "Which library?" in html and "Your report has been received" in html
    message.refresh_from_db()
    assert message.read_on is not None
    token = token_from(html)
    photo = SimpleUploadedFile("x.jpg", jpeg_with_gps())
    answer = client.post(
        reverse("anonymous:receipt_reply"), {"token": token, "body": "The upstairs one.", "attachments": [photo]}
    )
    assert "Sent." in answer.content.decode() and "The upstairs one." in answer.content.decode()
    reply = ReporterMessage.objects.get(direction="from_reporter")
    assert reply.author is None and reply.incident == incident
    events = Event.objects.filter(
        record_id=str(incident.pk), action__in=["reporter_message.received", "evidence.uploaded"]
    )
    assert events.count() == 2 and all(e.actor_id is None for e in events)
    # A page sent twice stores the message once.
    client.post(reverse("anonymous:receipt_reply"), {"token": token, "body": "The upstairs one."})
    assert ReporterMessage.objects.filter(direction="from_reporter").count() == 1


def test_reply_needs_a_valid_token(client, page: PublicReportPage) -> None:
    response = client.post(reverse("anonymous:receipt_reply"), {"token": "forged", "body": "hello"})
    assert response.status_code == 400 and not ReporterMessage.objects.exists()


def test_wrong_receipts_get_the_same_answer_and_are_refused_at_the_rate_limit(client, page: PublicReportPage) -> None:
    receipt = receipt_in(send_report(client, page))
    url = reverse("anonymous:receipt")
    malformed = client.post(url, {"receipt": "12"}).content.decode()
    unknown = client.post(url, {"receipt": format_receipt(new_receipt())}).content.decode()
    assert malformed == unknown and "could not find a report" in unknown
    for _ in range(ratelimit.RECEIPT_LOOKUP.count - 2):
        client.post(url, {"receipt": "1" * 40})
    limited = client.post(url, {"receipt": receipt})
    assert limited.status_code == 429 and "Pupil records" not in limited.content.decode()


def test_receipt_lookup_does_the_same_work_for_wrong_unknown_and_right(client, page: PublicReportPage) -> None:
    """Timing independence by construction: the same queries, in the same order, whatever is typed."""
    receipt = receipt_in(send_report(client, page))

    def statements(text: str) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            find_by_receipt(normalise_receipt(text))
        return [re.sub(r"'[0-9a-f]{64}'|%s", "?", q["sql"]) for q in captured.captured_queries]

    malformed, unknown, right = statements("12"), statements(format_receipt(new_receipt())), statements(receipt)
    assert malformed == unknown == right and len(right) == 1
    assert find_by_receipt(normalise_receipt(receipt)) == Incident.objects.get()
    assert find_by_receipt(normalise_receipt("12")) is None


def test_receipts_are_random_and_long_enough() -> None:
    receipts = {new_receipt() for _ in range(200)}
    assert len(receipts) == 200
    assert all(len(r) == 40 and r.isdigit() for r in receipts)
    import math

    assert math.log2(10**RECEIPT_DIGITS) >= 128


def test_staff_form_anonymous_choice_is_not_linked_to_the_person(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    page = client.get(reverse("intake:report"))
    key = page.context["form"]["submission_key"].value()
    response = client.post(
        reverse("intake:report"),
        {
            "submission_key": key,
            "organisation": cast.school_a.pk,
            "description": "Shared password",
            "identity": "anonymous",
        },
    )
    assert response.status_code == 200 and receipt_in(response)
    incident = Incident.objects.get()
    assert incident.reported_by is None and incident.reporter_anonymous
    assert not Event.objects.filter(actor=cast.bob).exists()
    assert not Event.objects.exclude(request_id="").filter(record_id=str(incident.pk)).exists()
    assert not client.get(reverse("intake:my_reports")).content.decode().count(incident.reference or "x")


def test_staff_form_confidential_choice_keeps_the_name_and_marks_it(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    page = client.get(reverse("intake:report"))
    key = page.context["form"]["submission_key"].value()
    client.post(
        reverse("intake:report"),
        {"submission_key": key, "organisation": cast.school_a.pk, "description": "x", "identity": "confidential"},
    )
    incident = Incident.objects.get()
    assert incident.reported_by == cast.bob and incident.reporter_confidential
    public = page_for(cast.school_a)
    form = client.get(reverse("intake:report")).content.decode()
    assert f"/r/{public.slug}/" in form and "without signing in" in form
    assert Event.objects.filter(action="incident.reporter_confidential").exists()
    assert not Event.objects.filter(actor=cast.bob).exists()  # the event log does not name them


def test_anonymous_times_are_shown_to_the_day_unless_the_organisation_chooses(client, page, cast: Cast) -> None:
    send_report(client, page, attachments=[SimpleUploadedFile("a.jpg", jpeg_with_gps())])
    incident = Incident.objects.get()
    client.force_login(cast.alice)
    from django.utils import timezone
    from django.utils.dateformat import format as date_format

    exact = date_format(timezone.localtime(incident.reported_on), "j M Y, H:i")
    day = date_format(timezone.localtime(incident.reported_on), "j M Y")
    listing = client.get(reverse("incidents:list")).content.decode()
    detail = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert exact not in listing and day in listing
    assert exact not in detail and day in detail and "Anonymous reporter" in detail
    assert "photo.jpg" in detail  # the evidence panel, also to the day
    assert timezone.localtime(incident.reported_on).strftime("%H:%M") not in detail
    from anonymous.services import set_exact_times

    set_exact_times(page, by=None, exact=True)
    assert exact in client.get(reverse("incidents:list")).content.decode()


def test_admin_sees_sets_up_and_regenerates_the_public_page(client, cast: Cast) -> None:
    from organisations.models import Membership, Role

    Membership.objects.create(user=cast.alice, organisation=cast.school_a, role=Role.ADMIN)
    client.force_login(cast.alice)
    detail = client.get(reverse("organisations:detail", args=[cast.school_a.uuid])).content.decode()
    assert "Set up the public report page" in detail
    url = reverse("anonymous:public_page_settings", args=[cast.school_a.uuid])
    client.post(url, {"action": "create"})
    page = PublicReportPage.objects.get(organisation=cast.school_a)
    shown = client.get(url).content.decode()
    assert f"/r/{page.slug}/" in shown and "poster.pdf" in shown
    old = page.slug
    # First a check page that says what stops working; unticked, it asks again; nothing changes.
    check = client.post(url, {"action": "regenerate"}).content.decode()
    assert "Check before giving the page a new address" in check and f"/r/{old}/" in check
    assert "stops working at once" in check
    again = client.post(url, {"action": "regenerate", "confirm_asked": "1"}).content.decode()
    assert "Tick the box to confirm that the old address will stop working" in again
    page.refresh_from_db()
    assert page.slug == old
    client.post(url, {"action": "regenerate", "confirm_asked": "1", "confirm": "yes"})
    page.refresh_from_db()
    assert page.slug != old and client.get(f"/r/{old}/").status_code == 404
    client.post(url, {"action": "times", "exact_times": "yes"})
    page.refresh_from_db()
    assert page.exact_times
    assert Event.objects.filter(action__startswith="public_page.", actor=cast.alice).count() == 3
    client.force_login(cast.dave)
    assert client.get(url).status_code == 404


def test_poster_is_an_a4_pdf_with_the_address(client, page: PublicReportPage) -> None:
    import io

    from pypdf import PdfReader

    response = client.get(reverse("anonymous:poster", args=[page.slug]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = reader.pages[0].extract_text()
    assert f"/r/{page.slug}/" in text and "School A" in text


def test_client_key_is_keyed_daily_and_never_the_address(settings) -> None:
    from datetime import date

    from anonymous.keys import client_key
    from anonymous.middleware import client_address

    one, other = client_key("203.0.113.5", date(2026, 11, 30)), client_key("203.0.113.6", date(2026, 11, 30))
    assert one != other and "203.0.113.5" not in one
    assert client_key("203.0.113.5", date(2026, 12, 1)) != one
    settings.ANONYMOUS_CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    # The entry the deployment's own proxy appended counts, not what the client sent.
    assert client_address({"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9", "REMOTE_ADDR": "10.0.0.1"}) == "203.0.113.9"


def test_limits_are_per_client(client, page: PublicReportPage, monkeypatch) -> None:
    monkeypatch.setattr(ratelimit, "RECEIPT_LOOKUP", ratelimit.Limit("receipt", 1, 600))
    url = reverse("anonymous:receipt")
    assert client.post(url, {"receipt": "1"}, REMOTE_ADDR="203.0.113.1").status_code == 200
    assert client.post(url, {"receipt": "1"}, REMOTE_ADDR="203.0.113.1").status_code == 429
    assert client.post(url, {"receipt": "1"}, REMOTE_ADDR="203.0.113.2").status_code == 200


def test_public_pages_ignore_a_signed_in_session(client, page: PublicReportPage, cast: Cast) -> None:
    client.force_login(cast.bob)
    html = client.get(reverse("anonymous:public_report", args=[page.slug])).content.decode()
    assert "bob@example.org" not in html and "Sign out" not in html
    response = send_report(client, page)
    assert "bob@example.org" not in response.content.decode()
    assert Incident.objects.get().reported_by is None


def test_uploads_stay_in_memory_and_oversized_bodies_are_refused(client, page: PublicReportPage, settings, rf) -> None:
    from django.core.files.uploadedfile import InMemoryUploadedFile

    from anonymous.views import too_large

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # the default handlers would now write a temporary file
    request = rf.post("/r/receipt/reply/", {"attachments": [SimpleUploadedFile("x.jpg", jpeg_with_gps())]})
    assert not too_large(request)
    assert isinstance(request.FILES["attachments"], InMemoryUploadedFile)
    settings.REPORT_ATTACHMENT_MAX_BYTES = 100
    settings.REPORT_ATTACHMENT_MAX_FILES = 1
    big = SimpleUploadedFile("big.txt", b"x" * (3 * 1024 * 1024))
    assert send_report(client, page, attachments=[big]).status_code == 413
    assert not Incident.objects.exists()


def test_log_filter_drops_access_lines_and_strips_requests(rf) -> None:
    import logging

    from anonymous.middleware import ScrubAnonymousRequests

    scrub = ScrubAnonymousRequests()
    access = logging.LogRecord(
        "django.server", logging.INFO, "", 0, '"%s" %s %s', ("GET /r/abc/ HTTP/1.1", 200, 5), None
    )
    assert scrub.filter(access) is False
    staff = logging.LogRecord(
        "django.server", logging.INFO, "", 0, '"%s" %s %s', ("GET /incidents/ HTTP/1.1", 200, 5), None
    )
    assert scrub.filter(staff) is True
    error = logging.LogRecord("django.request", logging.ERROR, "", 0, "Internal Server Error: %s", ("/r/x/",), None)
    error.request = rf.get("/r/x/", HTTP_USER_AGENT="Canary")
    assert scrub.filter(error) is True and error.request is None  # type: ignore[attr-defined]
    other = logging.LogRecord("django.request", logging.ERROR, "", 0, "Internal Server Error", (), None)
    other.request = rf.get("/incidents/")
    assert scrub.filter(other) is True and other.request is not None  # type: ignore[attr-defined]


@given(st.text(max_size=300))
def test_any_typed_text_normalises_to_ascii_digits(text: str) -> None:
    digits = normalise_receipt(text)
    assert digits == "" or (digits.isascii() and digits.isdigit())
    assert len(receipt_digest(digits)) == 64


@given(st.integers(min_value=0, max_value=10**RECEIPT_DIGITS - 1))
def test_a_formatted_receipt_reads_back_as_itself(number: int) -> None:
    digits = f"{number:0{RECEIPT_DIGITS}d}"
    assert normalise_receipt(format_receipt(digits)) == digits
    assert normalise_receipt(format_receipt(digits).replace(" ", "-")) == digits
