"""Markdown to a sanitised, printable HTML page (the PDF is printed from it)."""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt

from hindsight.core.blocks import scan
from hindsight.core.diagram_svg import with_figures

_MD = MarkdownIt("commonmark", {"html": False}).enable("table")
PRINT_STYLE = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 46em; margin: 2em auto;
       line-height: 1.5; color: #1b1b1b; padding: 0 1em; }
h1 { font-size: 1.7em; } h2 { font-size: 1.3em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
code { background: #f3f3f3; padding: 0 0.2em; }
figure.diagram { margin: 1em 0; } figure.diagram svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #555; }
@page { size: A4; margin: 2cm; }
"""


def without_comments(markdown: str) -> str:
    """Markdown without its HTML comment blocks (the template's guidance), code left alone."""
    if "<!--" not in markdown:
        return markdown
    lines = markdown.split("\n")
    for block in reversed(scan(lines)):
        if block.kind == "html" and block.text.lstrip().startswith("<!--"):
            end = block.line - 1 + len(block.text.split("\n"))
            if block.text.rstrip().endswith("-->"):
                del lines[block.line - 1 : end]
    return "\n".join(lines)


def markdown_to_html(markdown: str) -> str:
    """Sanitised HTML for a Markdown body; raw HTML and scripts in the source never survive.

    Guidance comments are left out rather than shown as text (raw HTML is not rendered).
    """
    return nh3.clean(
        _MD.render(without_comments(markdown)), url_schemes={"http", "https", "mailto"}
    )


def rendered_html(markdown: str, title: str = "") -> str:
    """Sanitised HTML with the root-cause diagrams drawn as SVG figures."""
    markdown, figures = with_figures(markdown, title)
    body = markdown_to_html(markdown)
    for token, figure in figures.items():
        body = body.replace(token, figure)
    return body


def html_page(title: str, markdown: str) -> str:
    """A complete HTML document with print styles; root-cause diagrams drawn as SVG."""
    body = rendered_html(markdown, title)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{PRINT_STYLE}</style>\n</head>\n<body>\n"
        f"{body}</body>\n</html>\n"
    )
