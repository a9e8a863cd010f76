"""Articles: reading them (UTF-8 text, stdin, HTML reduced to text) and splitting sentences.

Sentences come from ``pysbd`` (rule-based sentence boundary detection; Sadvilkar & Neumann
2020, "PySBD: Pragmatic Sentence Boundary Disambiguation"), run per paragraph. Each sentence
is kept with its offsets, so that ``article.text[s.start:s.end] == s.text``: evidence quoted
from a sentence is a verbatim substring of the article by construction.
"""

from __future__ import annotations

import itertools
import re
import sys
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from accord.errors import DraftError


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Article:
    """One text to draft from; ``id`` names it as a scenario source."""

    id: str
    text: str
    title: str | None = None

    def sentences(self) -> list[Sentence]:
        return split_sentences(self.text)


@cache
def _segmenter():  # pysbd has no types
    import pysbd  # lazy: only drafting needs it

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with their offsets in ``text`` (whitespace around them excluded)."""
    out: list[Sentence] = []
    for para in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        pos = para.start()
        for piece in _segmenter().segment(para.group(0)):
            piece = piece.strip()
            if not piece:
                continue
            start = text.find(piece, pos)
            if start < 0:  # pysbd changed the text: fall back to the whole paragraph rest
                continue
            out.append(Sentence(start, start + len(piece), piece))
            pos = start + len(piece)
    return out


class _TextOfHTML(HTMLParser):
    _SKIP: ClassVar[set[str]] = {"script", "style", "noscript", "template", "svg", "head",
                                 "nav", "footer"}
    _BLOCK: ClassVar[set[str]] = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                                  "tr", "section",
              "article", "blockquote", "header", "title", "dd", "dt", "figcaption"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML page: one paragraph a line, scripts and styles dropped."""
    parser = _TextOfHTML()
    parser.feed(html)
    parser.close()
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip()
             for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line) + "\n"


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return slug or "article"


def article_from_text(text: str, name: str, *, html: bool = False) -> Article:
    """An article from text already read (``html`` reduces it to its text first)."""
    if html:
        text = html_to_text(text)
    if not text.strip():
        raise DraftError(f"{name}: the article is empty")
    return Article(id=_slug(Path(name).stem), text=text, title=Path(name).name)


def read_article(ref: str) -> Article:
    """An article from a path (UTF-8 text; ``.html``/``.htm`` reduced to text) or ``-``
    (standard input)."""
    if ref == "-":
        return article_from_text(sys.stdin.read(), "stdin")
    p = Path(ref)
    if not p.exists():
        raise DraftError(f"{ref}: no such file")
    if p.is_dir():
        raise DraftError(f"{ref}: is a directory, not an article")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DraftError(f"{ref}: is not UTF-8 text (an article must be plain text or "
                         "HTML in UTF-8)") from None
    return article_from_text(text, p.name, html=p.suffix.lower() in (".html", ".htm"))


def unique_ids(articles: list[Article]) -> list[Article]:
    """Articles with distinct source ids (``article``, ``article-2``, ...)."""
    seen: dict[str, int] = {}
    out = []
    for a in articles:
        n = seen.get(a.id, 0) + 1
        seen[a.id] = n
        out.append(a if n == 1 else Article(f"{a.id}-{n}", a.text, a.title))
    return out


def highlight(text: str, quotes: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """The text cut into segments, each with the labels of the quotes covering it.

    ``quotes`` maps a quoted string (evidence) to its labels; every occurrence of each quote
    is marked; overlapping quotes give segments with both labels. Joining the segments gives
    the text back.
    """
    bounds = {0, len(text)}
    spans: list[tuple[int, int, list[str]]] = []
    for quote, labels in quotes.items():
        if not quote:
            continue
        start = text.find(quote)
        while start >= 0:
            spans.append((start, start + len(quote), labels))
            bounds |= {start, start + len(quote)}
            start = text.find(quote, start + 1)
    cuts = sorted(bounds)
    out: list[tuple[str, list[str]]] = []
    for a, b in itertools.pairwise(cuts):
        labels = [lab for s, e, ls in spans if s <= a and b <= e for lab in ls]
        out.append((text[a:b], list(dict.fromkeys(labels))))
    return out
