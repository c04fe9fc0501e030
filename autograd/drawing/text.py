"""Text in a drawing: numbers, and user labels made safe and visible in Graphviz's HTML-like labels."""

from __future__ import annotations

import html
import unicodedata

TABLE = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'  # rows of text, no lines
# A label longer than this is shortened in its box (the tooltip has it whole).
LABEL_CHARACTERS = 60


def format_number(x: float, precision: int) -> str:
    """A number with `precision` significant digits, and the minus sign every view uses (−, not -):
    0.08872341 → '0.08872', 2.0 → '2', -0.5 → '−0.5'."""
    if x == 0.0:
        return "0"  # also -0.0
    return f"{x:.{precision}g}".replace("-", "−")


def printable(text: str) -> str:
    r"""User text (a label) as it is shown anywhere: every character that can't be shown is written as an escape.

    Control characters (NUL, ESC, …, but not the newline), noncharacters such as U+FFFF
    (Graphviz rejects them) and lone surrogates (bytes that were not UTF-8; they can't be
    written to a file) become visible escapes; everything else is kept.

    >>> print(printable("a\x00b\x1b[31m\uffff\udcff\nc"))
    a\x00b\x1b[31m\uffff\udcff
    c
    """
    if text.replace("\n", "").isprintable():  # the usual case, at C speed: nothing isprintable() passes is escaped
        return text
    return "".join(c if _is_showable(c) else _escape(c) for c in text)


def _is_showable(c: str) -> bool:
    if c == "\n":
        return True
    code = ord(c)
    if 0xD800 <= code <= 0xDFFF or 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
        return False  # a lone surrogate, or a noncharacter
    return unicodedata.category(c) != "Cc"


def _escape(c: str) -> str:
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def shortened(text: str, limit: int = LABEL_CHARACTERS) -> str:
    """A label cut to `limit` characters for its box (the tooltip shows it whole).

    >>> shortened("x" * 100, 10)
    'xxxxxxxxx…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def html_text(text: str) -> str:
    r"""User text made safe in a Graphviz HTML-like label: shown literally, never read as markup.

    >>> print(html_text('<b>"x"</b> & {y} \\N'))
    &lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; {y} \\N
    """
    text = printable(text)
    escaped = html.escape(text, quote=False).replace('"', "&quot;").replace("'", "&#39;")
    # Graphviz reads \N, \G, \l … as escapes even in HTML labels (after entities): double each backslash.
    return escaped.replace("\\", "\\\\").replace("\n", "<BR/>")


def table(rows: list[str]) -> str:
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return f"<{TABLE}{cells}</TABLE>>"
