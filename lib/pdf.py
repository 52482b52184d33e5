"""Every PDF the service makes, made one way: typst, tagged PDF/UA-1, the same fonts.

A document is a typst template and a dict of data. The data goes in as JSON through
`sys_inputs` and the templates place its values as text, so nothing typed into a report
can change a document's markup. Templates start from `lib/typst/house.typ`, which sets
the title and language given here, A4 and the fonts.

A document that cannot be made raises `PdfError` with a plain message; the details are
logged here, and `core.middleware.PdfErrorMiddleware` shows the person one error page.
"""

import functools
import json
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any, Final

import typst
from django.conf import settings
from fontTools.ttLib import TTCollection, TTFont

logger = logging.getLogger(__name__)

# Templates import "/lib/typst/house.typ", so typst's root is the project: every template
# lives under it, and typst reads no file outside it.
ROOT = Path(settings.BASE_DIR)
STANDARD: Final = "ua-1"
# Characters the fonts typst carries (Libertinus Serif, DejaVu Sans Mono) draw whatever is
# installed: Latin with its accents and the punctuation of ordinary writing.
ALWAYS_SHOWN: Final = frozenset(range(0x20, 0x250)) | frozenset(range(0x2000, 0x2070)) | {0x20AC, 0x2122}
# Characters that draw nothing and join or vary their neighbours (emoji sequences, Arabic and
# Indic shaping): kept with the text around them, never written as codes.
INVISIBLE: Final = frozenset({0x200C, 0x200D, 0xFE0E, 0xFE0F}) | frozenset(range(0x1F3FB, 0x1F400))


def font_dirs() -> list[Path]:
    """The folders of `settings.PDF_FONT_DIRS` that exist: Noto's families (Debian's
    fonts-noto-core, -cjk and -color-emoji; `scripts/ensure-fonts`) cover every script."""
    return [Path(d) for d in settings.PDF_FONT_DIRS if Path(d).is_dir()]


@functools.cache
def fonts() -> typst.Fonts:
    """The fonts typst carries inside itself and those of `font_dirs()`, never the rest of
    the machine's: a document is the same file wherever the same fonts are installed.
    Built once: every render shares it."""
    return typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=True, font_paths=[str(d) for d in font_dirs()]
    )


def _font_files() -> list[Path]:
    return sorted(p for d in font_dirs() for p in d.rglob("*") if p.suffix.lower() in {".ttf", ".otf", ".ttc"})


@functools.cache
def coverage() -> frozenset[int]:
    """Every character some font of the documents can draw (read once from the fonts' maps)."""
    shown: set[int] = set(ALWAYS_SHOWN)
    for path in _font_files():
        try:
            faces = TTCollection(path, lazy=True).fonts if path.suffix.lower() == ".ttc" else [TTFont(path, lazy=True)]
            for face in faces:
                shown.update(face.getBestCmap() or {})
        except Exception:  # a damaged or unreadable font file: skip it, the others still count
            logger.warning("Font %s could not be read; its characters are not counted", path)
    return frozenset(shown)


def code_of(char: str) -> str:
    """How a character no font can draw is written instead: its Unicode code, e.g. [U+1F600]."""
    return f"[U+{ord(char):04X}]"


def showable(text: str, unshowable: frozenset[str] = frozenset()) -> str:
    """`text` with every character the fonts cannot draw written as its code, so a document
    never fails and never shows a blank box (PDF/UA-1 forbids them). Control characters other
    than line breaks and tabs are written as codes too."""
    shown = coverage()
    out = []
    for char in text:
        point = ord(char)
        if char in "\n\t" or point in INVISIBLE:
            out.append(char)
        elif char in unshowable or point not in shown or unicodedata.category(char) in {"Cc", "Cs", "Co", "Cn"}:
            out.append(code_of(char))
        else:
            out.append(char)
    return "".join(out)


def _showable_data(value: Any, unshowable: frozenset[str]) -> Any:
    if isinstance(value, str):
        return showable(value, unshowable)
    if isinstance(value, dict):
        return {key: _showable_data(item, unshowable) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_showable_data(item, unshowable) for item in value]
    return value


class PdfError(Exception):
    """A PDF could not be made. The message is plain words for the person who asked for it;
    typst's own account (which template line, which character) is in the log."""


# typst's message when text is in a script or symbol none of the fonts has (emoji, Chinese):
# PDF/UA-1 forbids the blank boxes it would otherwise draw.
UNSHOWABLE = re.compile(r'the text `"(?P<text>.+?)"` could not be displayed')


# How many times a document is made again with the characters typst could not place written
# as codes (a font can list a character in its map and still fail to shape it in context).
RETRIES: Final = 3


def render_pdf(template: Path, data: dict[str, Any], *, title: str, lang: str = "en") -> bytes:
    """The document `template` makes from `data`, as a tagged PDF/UA-1 titled `title`.
    Text in any script is drawn; a character no font has is written as its code."""
    unshowable: frozenset[str] = frozenset()
    for _ in range(RETRIES + 1):
        inputs = {
            "data": json.dumps(_showable_data(data, unshowable), ensure_ascii=False),
            "title": showable(title, unshowable),
            "lang": lang,
        }
        try:
            return typst.compile(
                template,
                root=ROOT,
                font_paths=fonts(),
                sys_inputs=inputs,
                pdf_standards=STANDARD,
                format="pdf",
            )
        except RuntimeError as error:  # typst.TypstError, or a template that is not there
            # typst's account points at the template's source, never at the data (which is
            # not markup), apart from text no font could place.
            detail = getattr(error, "message", str(error))
            failed = UNSHOWABLE.search(detail)
            if failed:
                more = {c for c in failed["text"] if ord(c) > 0x7F and ord(c) not in INVISIBLE}
                if more - unshowable:
                    unshowable |= more
                    logger.info("PDF %s: writing %s as codes and trying again", template.name, sorted(more))
                    continue
            logger.error("PDF %s could not be made: %s\n%s", template.name, detail, getattr(error, "diagnostic", ""))
            raise PdfError("Something is wrong in the service's template for this document.") from error
    raise PdfError("Something is wrong in the service's template for this document.")
