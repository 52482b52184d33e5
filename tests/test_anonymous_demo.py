"""Every demo organisation has a working public report page and poster; the demo receipt works."""

import io

from django.core.management import call_command
from django.utils.html import escape
from pypdf import PdfReader

from anonymous.models import PublicReportPage
from incidents.models import Incident
from organisations.models import Organisation


def test_demo_has_public_pages_posters_and_a_working_receipt(client, db) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("load_demo", incidents=4, stdout=out)
    printed = out.getvalue()
    assert PublicReportPage.objects.count() == Organisation.objects.count() == 6
    for page in PublicReportPage.objects.select_related("organisation"):
        assert f"/r/{page.slug}/" in printed
        assert escape(page.organisation.name) in client.get(f"/r/{page.slug}/").content.decode()
        poster = client.get(f"/r/{page.slug}/poster.pdf")
        assert poster.status_code == 200
        assert f"/r/{page.slug}/" in PdfReader(io.BytesIO(poster.content)).pages[0].extract_text()
    receipt = printed.split("enter it at /r/receipt/): ")[1].strip()
    opened = client.post("/r/receipt/", {"receipt": receipt}).content.decode()
    assert "SEN register" in opened and "encrypted" in opened and "stationery cupboard" in opened
    assert Incident.objects.filter(reporter_anonymous=True, reported_by=None).count() == 1
    confidential = Incident.objects.get(reporter_confidential=True)
    assert confidential.reported_by is not None and confidential.organisation.name == "Hillcrest Academy"
