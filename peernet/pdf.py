"""Every PDF the service makes (the return, subject access, the Participant Action Record)
is written here, from HTML, by WeasyPrint.

Tagged as PDF/UA-1 (ISO 14289): a structure tree that screen readers and reflowing
readers follow (headings, tables with their header cells, lists, in reading order), the
document's title shown in the reader's title bar, and its language. The title and the
language come from each template's <title> and <html lang>, and its look, shared by all,
from `pdf/_styles.css` (Arial, the footer included; tables that wrap inside the page,
their header rows repeated on every page).
"""

from __future__ import annotations

from django.conf import settings

# WeasyPrint 70 writes PDF/UA-1 and tags the document (pdf_tags) as part of it.
VARIANT = "pdf/ua-1"


def pdf_from_html(html: str) -> bytes:
    """The tagged PDF of an HTML document rendered from one of our templates."""
    from weasyprint import HTML  # loaded on first use: it is slow to import

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant=VARIANT)
