"""The XSS payload corpus and the check that none of it became live markup."""

from __future__ import annotations

import re
import zlib
from html.parser import HTMLParser

# Payloads for HTML text, attributes, URLs and templates.
PAYLOADS = (
    "<script>alert('xss-1')</script>",
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    "<xss>4</xss>",
    "javascript:alert(5)",
    '</textarea><a href="javascript:alert(6)">x</a>',
    "{{ 7|add:7 }}{% now 'Y' %}",
    "<iframe srcdoc='<script>alert(8)</script>'>",
    "</style><script>alert(10)</script>",
    "</title></textarea></script><svg/onload=alert(11)>",
    '[click](javascript:alert(12)) ![x](x" onerror="alert(13))',
)
EVIL = " ".join(PAYLOADS)


class Dangers(HTMLParser):
    """Collects what a payload could have turned into."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        src = dict(attrs).get("src") or ""
        ours = tag == "script" and src.startswith(("/static/", "/admin/jsi18n/"))
        if (tag in ("script", "xss", "iframe") and not ours) or (tag == "img" and src == "x"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"{tag} {name}={value}")

    def handle_data(self, data: str) -> None:
        if "14" + "2026" in data.replace(" ", ""):  # the template payload evaluated
            self.found.append("template evaluated")


def dangers(html: str) -> list[str]:
    parser = Dangers()
    parser.feed(html)
    return parser.found


# What a PDF would run or open: JavaScript actions, launch actions, javascript: links.
PDF_DANGERS = {
    "javascript action": rb"/s\s*/javascript",
    "script": rb"/js\s*[(<]",
    "launch action": rb"/s\s*/launch",
    "javascript: link": rb"/uri\s*\(\s*javascript:",
}


def pdf_dangers(pdf: bytes) -> list[str]:
    """What a PDF holds of ``PDF_DANGERS``, its compressed streams and object streams included."""
    parts = [pdf]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    text = b"".join(parts).lower()
    return [name for name, pattern in PDF_DANGERS.items() if re.search(pattern, text)]
