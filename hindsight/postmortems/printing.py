"""PDF from printable HTML with WeasyPrint, an optional extra that needs the system Pango.

Imports no Django: `hindsight render` uses it without a database. Where
WeasyPrint or Pango is missing, `PdfUnavailable` says what to install, and the
web app shows that instead of a PDF button that would fail.
"""

from __future__ import annotations

from typing import Any

INSTALL = (
    "PDF output needs WeasyPrint and the system Pango library: "
    "pip install 'hindsight[pdf]' and, on Debian/Ubuntu, "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0"
)


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the Pango library it needs is not installed; the message says what to do."""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(f"{INSTALL} ({exc})") from None
    return weasyprint


def missing() -> str:
    """What to install for PDF output, or "" when it works here."""
    try:
        _weasyprint()
    except PdfUnavailable as exc:
        return str(exc)
    return ""


def _refuse(url: str, *args: Any, **kwargs: Any) -> Any:
    # A post-mortem's images or links must not make the server fetch addresses (SSRF).
    raise ValueError(f"not fetching {url[:100]} while printing")


def pdf_from_html(html: str) -> bytes:
    """The PDF of a self-contained HTML page; PdfUnavailable when WeasyPrint can't run."""
    pdf: bytes = _weasyprint().HTML(string=html, url_fetcher=_refuse).write_pdf()
    return pdf
