"""Highlighting matches with <mark>: the text is escaped piece by piece and only our own <mark>
tags are markup, so nothing a proposer typed can become HTML."""

import re

from markupsafe import Markup, escape

from .segment import surface_forms

SNIPPET_CHARS = 36


def _pattern(q):
    forms = surface_forms(q)
    if any(len(f) > 1 for f in forms):
        forms = [f for f in forms if len(f) > 1]
    if not forms:
        return None
    return re.compile("|".join(re.escape(f) for f in forms[:40]), re.IGNORECASE)


def _marked(text, pattern):
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(Markup("<mark>") + escape(m.group(0)) + Markup("</mark>"))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def highlight(text, q):
    """``text`` escaped, with the words of ``q`` in <mark>."""
    text = text or ""
    pattern = _pattern(q) if q else None
    if pattern is None:
        return escape(text)  # already Markup: escape() returns it
    return _marked(text, pattern)


def snippet(texts, q, size=SNIPPET_CHARS):
    """Around the first match in ``texts``, highlighted; None when none matches."""
    pattern = _pattern(q) if q else None
    if pattern is None:
        return None
    for text in texts:
        text = " ".join((text or "").split())
        m = pattern.search(text)
        if m:
            start, end = max(0, m.start() - size), min(len(text), m.end() + size)
            piece = _marked(text[start:end], pattern)
            return Markup("").join(
                [
                    Markup("…") if start else Markup(""),
                    piece,
                    Markup("…") if end < len(text) else Markup(""),
                ]
            )
    return None
