"""Every email Hindsight sends, built one way (RFC 5322, 2046, 3834, 8058).

- multipart/alternative: the text as written, and the same text as HTML
  (escaped, links made clickable), so every client shows something readable;
- `Message-ID` on the domain of `HINDSIGHT_BASE_URL`, made from the outbox
  delivery id, so a retry of one message carries the same id;
- `Date`, and `Auto-Submitted: auto-generated` so auto-responders stay quiet;
- for lists (status-page subscribers), `List-Unsubscribe` with its one-click
  `List-Unsubscribe-Post` (RFC 8058): the POST unsubscribes, a plain GET of
  the same URL only shows a confirmation page.
"""

from __future__ import annotations

from email.utils import formatdate
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.html import linebreaks, urlize


def message_id(delivery_id: str) -> str:
    """`<delivery id@base URL's host>`: the same for every attempt of one delivery."""
    domain = urlsplit(settings.BASE_URL).hostname or "localhost"
    return f"<{delivery_id}@{domain}>"


def as_html(text: str) -> str:
    """The plain text as a small HTML document: escaped, paragraphs kept, links clickable."""
    body = linebreaks(urlize(text, autoescape=True))
    return f'<!doctype html>\n<html><body style="font-family: sans-serif">{body}</body></html>\n'


def build_email(
    *,
    subject: str,
    text: str,
    to: list[str],
    delivery_id: str,
    unsubscribe_url: str = "",
) -> EmailMultiAlternatives:
    """One outgoing email, ready to send."""
    headers = {
        "Message-ID": message_id(delivery_id),
        "Date": formatdate(usegmt=True),
        "Auto-Submitted": "auto-generated",
    }
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # a line break in a header is an injection
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=headers,
    )
    email.attach_alternative(as_html(text), "text/html")
    return email
