"""The A4 poster of a public report page: Typst with a segno QR code.

Every value goes in as JSON through `sys_inputs`, the QR code too (an SVG string the
template reads with `image(bytes(...))`). Nothing is pasted into the markup.
"""

import io
from pathlib import Path

import segno

from lib import pdf

TEMPLATE = Path(__file__).resolve().parent / "typst" / "poster.typ"
ASSURANCE = (
    "No action will be taken against any member of staff who reports a security incident "
    "about another member of staff in good faith."
)


def qr_svg(address: str) -> str:
    out = io.BytesIO()
    segno.make(address, error="m").save(out, kind="svg", scale=10, border=2, xmldecl=False)
    return out.getvalue().decode()


def poster_pdf(organisation_name: str, address: str) -> bytes:
    title = f"Report an information security incident: {organisation_name}"
    data = {
        "title": title,
        "organisation": organisation_name,
        "heading": "Seen something that puts information at risk?",
        "lead": "Report it now. You do not need an account, and you do not have to give your name.",
        "points": [
            "A lost laptop, phone or memory stick; papers left somewhere; an email sent to the wrong person.",
            "A suspicious email or message; a password shared or written down.",
            "You can report anonymously. Nothing about your phone or computer is kept.",
            "You get a receipt to see replies and add information later.",
        ],
        "qr_alt": "QR code that opens the report page",
        "address": address,
        "assurance": ASSURANCE,
        "footer": "Scan the code or type the address. Report even if you are not sure it is an incident.",
    }
    return pdf.render_pdf(TEMPLATE, data | {"qr": qr_svg(address)}, title=title)
