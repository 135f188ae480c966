"""An email's layout: the same blocks written as a plain-text part and an HTML part.

The HTML follows GOV.UK Notify's emails: the council's name in a header bar, one content
column, the key date in inset text, a footer saying how to reply and how to stop or change
messages. Tables and inline CSS only (Gmail drops <style> in some views, Outlook ignores
most CSS outside tables), no images, and explicit colours with a `color-scheme` note and a
dark-mode rule, so clients that darken emails keep the contrast. Everything in the HTML is
in the text part too: a link's words and its address, each heading, the footer.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from ehcp.council import CouncilInfo


@dataclass(frozen=True)
class Lead:
    """The first line: the action and its date (bold in HTML), in inset text."""

    before: str
    date: str = ""
    after: str = ""

    @property
    def plain(self) -> str:
        return f"{self.before}{self.date}{self.after}"


@dataclass(frozen=True)
class Heading:
    """A heading: level 2, or 3 inside one part of an email that has several."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Link:
    """A link in its own paragraph, its words saying where it goes."""

    words: str
    url: str


@dataclass(frozen=True)
class Links:
    """A titled list of links: (words, url or email address); items without one are left
    out by whoever builds the list."""

    title: str
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Quote:
    """Somebody else's words (the reasons given for a reply), set apart as inset text."""

    text: str


Block = str | Lead | Heading | Link | Links | Quote

_FONT = "font-family: Arial, Helvetica, sans-serif; font-size: 19px; line-height: 1.5;"
_INK = "#0b0c0c"
_LINK = "#1d70b8"


def text_part(council: CouncilInfo, blocks: list[Block], footer: list[str]) -> str:
    """The plain-text part: the same words as the HTML, links written out after their words."""
    out = [council.name.upper()]
    for block in blocks:
        if isinstance(block, Lead):
            out.append(block.plain)
        elif isinstance(block, Heading):
            out.append(f"{block.text}\n{'-' * len(block.text)}")
        elif isinstance(block, Link):
            out.append(f"{block.words}: {block.url}")
        elif isinstance(block, Links):
            out.append("\n".join([block.title, *(f"- {a}: {b}" for a, b in block.items)]))
        elif isinstance(block, Quote):
            out.append("\n".join(f"> {line}" for line in block.text.splitlines()))
        else:
            out.append(block)
    out.append("---")
    out += footer
    return "\n\n".join(out) + "\n"


def _href(target: str) -> str:
    return target if "://" in target else f"mailto:{target}"


def _a(words: str, target: str) -> str:
    """A link whose words say where it goes; an email address is shown, so it can be copied."""
    if "://" not in target:
        return f"{html.escape(words)}: {_anchor(target, target)}"
    return _anchor(words, target)


def _anchor(words: str, target: str) -> str:
    return (
        f'<a href="{html.escape(_href(target))}" style="color: {_LINK}; '
        f'text-decoration: underline;">{html.escape(words)}</a>'
    )


def _p(inner: str, extra: str = "") -> str:
    return f'<p style="margin: 0 0 20px 0; {extra}">{inner}</p>'


def _inset(inner: str) -> str:
    return (
        '<div class="inset" style="margin: 0 0 20px 0; padding: 10px 0 10px 15px; '
        f'border-left: 10px solid #b1b4b6;">{inner}</div>'
    )


def _block_html(block: Block) -> str:
    if isinstance(block, Lead):
        strong = f"<strong>{html.escape(block.date)}</strong>" if block.date else ""
        inner = f"{html.escape(block.before)}{strong}{html.escape(block.after)}"
        return _inset(f'<p style="margin: 0; font-size: 21px;">{inner}</p>')
    if isinstance(block, Heading):
        size = 24 if block.level == 2 else 19
        style = f"margin: 30px 0 15px 0; font-size: {size}px; line-height: 1.25; font-weight: bold;"
        tag = f"h{block.level}"
        return f'<{tag} style="{style}">{html.escape(block.text)}</{tag}>'
    if isinstance(block, Link):
        return _p(_a(block.words, block.url))
    if isinstance(block, Links):
        items = "".join(
            f'<li style="margin: 0 0 10px 0;">{_a(words, target)}</li>'
            for words, target in block.items
        )
        return _p(html.escape(block.title)) + (
            f'<ul style="margin: 0 0 20px 0; padding-left: 20px;">{items}</ul>'
        )
    if isinstance(block, Quote):
        lines = "<br>".join(html.escape(line) for line in block.text.splitlines())
        return _inset(_p(lines, "margin: 0;"))
    return _p(html.escape(block))


def html_part(council: CouncilInfo, blocks: list[Block], footer: list[str], subject: str) -> str:
    """The HTML part: header bar, content column (at most 580px), footer. No images."""
    head = council.header_colour
    ink = council.header_text_colour
    body = "\n".join(_block_html(b) for b in blocks)
    foot = "\n".join(_p(html.escape(line), "font-size: 16px;") for line in footer)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>{html.escape(subject)}</title>
<style>
@media (prefers-color-scheme: dark) {{
  .page, .column, .content {{ background-color: #0b0c0c !important; color: #ffffff !important; }}
  .content a {{ color: #8fc3ff !important; }}
  .inset {{ border-left-color: #505a5f !important; }}
}}
</style>
</head>
<body class="page" style="margin: 0; padding: 0; background-color: #ffffff; color: {_INK};">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" \
style="border-collapse: collapse; background-color: {head};">
<tr><td align="center" bgcolor="{head}" style="padding: 15px 10px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" \
style="max-width: 580px; border-collapse: collapse;">
<tr><td style="{_FONT} font-size: 24px; font-weight: bold; color: {ink};">\
{html.escape(council.name)}</td></tr>
</table>
</td></tr>
</table>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" \
style="border-collapse: collapse;">
<tr><td align="center" style="padding: 30px 10px 10px 10px;">
<table role="presentation" class="column" width="100%" cellpadding="0" cellspacing="0" \
border="0" style="max-width: 580px; border-collapse: collapse; background-color: #ffffff;">
<tr><td class="content" style="{_FONT} color: {_INK};">
{body}
<hr style="border: 0; border-top: 1px solid #b1b4b6; margin: 30px 0 20px 0;">
{foot}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>"""
