"""Checks every PDF of the service is put through (peernet.pdf): opened as a reader opens
it (pypdf), it is tagged, titled, in English and in the sans-serif it is styled in (its
footer included); laid out as WeasyPrint lays it out, no table cell, nor the text in it,
lies beyond the page's printable area, and WeasyPrint has nothing to warn about."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from pypdf import PdfReader
from pypdf.generic import DictionaryObject


def _fonts(resources: DictionaryObject | None, seen: set[int]) -> set[str]:
    """The fonts of a page's resources, and of the forms (XObjects) drawn on it."""
    if resources is None or id(resources) in seen:
        return set()
    seen.add(id(resources))
    resources = resources.get_object()
    names = {str(font.get_object()["/BaseFont"]) for font in resources.get("/Font", {}).values()}
    for xobject in resources.get("/XObject", {}).values():
        names |= _fonts(xobject.get_object().get("/Resources"), seen)
    return names


def assert_accessible_pdf(content: bytes, title: str) -> PdfReader:
    """Tagged (a structure tree, marked content), with its title shown in the reader's
    title bar rather than its file name, and its language: what PDF/UA-1 asks; and every
    word in Liberation Sans (Arial's metric twin), none in a serif fallback."""
    reader = PdfReader(io.BytesIO(content))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog, "not tagged: no structure tree"
    assert bool(catalog["/MarkInfo"]["/Marked"]), "not tagged: /MarkInfo /Marked is not true"
    assert catalog["/Lang"] == "en-GB"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == title
    seen: set[int] = set()
    fonts = set().union(*(_fonts(page.get("/Resources"), seen) for page in reader.pages))
    assert fonts and all("Liberation-Sans" in name for name in fonts), fonts
    return reader


@dataclass
class Layout:
    cells: int = 0  # how many table cells were looked at: proof the check saw something
    beyond: list[str] = field(default_factory=list)  # cells past the printable area
    warnings: list[str] = field(default_factory=list)  # what WeasyPrint logged


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record.getMessage())


def _right_edge(box) -> float:
    return box.position_x + box.margin_width()


def lay_out(html: str) -> Layout:
    """Lay the document out as WeasyPrint does and report each table cell (or a piece of
    text in one) whose right edge is past the printable area of its page, as 'page N:
    <th> "text" ends at X of Y', and every warning WeasyPrint logged on the way."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    layout = Layout()
    logger = logging.getLogger("weasyprint")
    handler = _Collect(layout.warnings)
    logger.addHandler(handler)
    try:
        document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    finally:
        logger.removeHandler(handler)
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        limit = page_box.content_box_x() + page_box.width + 0.5  # half a point of rounding
        for box in page_box.descendants():
            if not isinstance(box, boxes.TableCellBox):
                continue
            layout.cells += 1
            for part in (box, *box.descendants()):
                if _right_edge(part) > limit:
                    text = getattr(part, "text", "") or ""
                    layout.beyond.append(
                        f"page {number}: <{box.element_tag}> {text[:40]!r} ends at "
                        f"{_right_edge(part):.0f} of {limit:.0f}"
                    )
                    break
    return layout
