"""Every PDF the service makes, made one way: typst, tagged PDF/UA-1, the same fonts.

A document is a typst template and a dict of data. The data goes in as JSON through
`sys_inputs` and the templates place its values as text, so nothing typed into a report
can change a document's markup. Templates start from `lib/typst/house.typ`, which sets
the title and language given here, A4 and the fonts.

A document that cannot be made raises `PdfError` with a plain message; the details are
logged here, and `core.middleware.PdfErrorMiddleware` shows the person one error page.
"""

import json
import logging
import re
from pathlib import Path
from typing import Any, Final

import typst
from django.conf import settings

logger = logging.getLogger(__name__)

# Templates import "/lib/typst/house.typ", so typst's root is the project: every template
# lives under it, and typst reads no file outside it.
ROOT = Path(settings.BASE_DIR)
# Only the fonts typst carries inside itself (Libertinus Serif for text, DejaVu Sans Mono
# for digests and addresses), never the machine's: a document is the same file everywhere.
# Built once: every render shares it.
FONTS = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=[])
STANDARD: Final = "ua-1"


class PdfError(Exception):
    """A PDF could not be made. The message is plain words for the person who asked for it;
    typst's own account (which template line, which character) is in the log."""


# typst's message when text is in a script or symbol none of the fonts has (emoji, Chinese):
# PDF/UA-1 forbids the blank boxes it would otherwise draw.
UNSHOWABLE = re.compile(r'the text `"(?P<text>.+?)"` could not be displayed')


def render_pdf(template: Path, data: dict[str, Any], *, title: str, lang: str = "en") -> bytes:
    """The document `template` makes from `data`, as a tagged PDF/UA-1 titled `title`."""
    inputs = {"data": json.dumps(data, ensure_ascii=False), "title": title, "lang": lang}
    try:
        pdf = typst.compile(
            template,
            root=ROOT,
            font_paths=FONTS,
            sys_inputs=inputs,
            pdf_standards=STANDARD,
            format="pdf",
        )
    except RuntimeError as error:  # typst.TypstError, or a template that is not there
        # typst's account points at the template's source, never at the data (which is not
        # markup), apart from a character no font can show.
        detail = getattr(error, "message", str(error))
        logger.error("PDF %s could not be made: %s\n%s", template.name, detail, getattr(error, "diagnostic", ""))
        unshowable = UNSHOWABLE.search(detail)
        if unshowable:
            raise PdfError(
                f"Its text has a character the document's fonts cannot show ({unshowable['text']}). "
                "Emoji and some scripts, such as Chinese, cannot be shown yet."
            ) from error
        raise PdfError("Something is wrong in the service's template for this document.") from error
    return pdf
