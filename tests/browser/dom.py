"""Reading Chromium's --dump-dom output: the visible text, the elements and the body's attributes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

HIDDEN = {"head", "style", "script", "title", "noscript"}


class Dom(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.body_attrs: dict[str, str | None] = {}
        self._hidden = 0
        self._text: list[str] = []
        self.feed(html)
        self.close()

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self._text)).strip()

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append(tag)
        if tag == "body":
            self.body_attrs = dict(attrs)
        if tag in HIDDEN:
            self._hidden += 1
        if tag in ("p", "div", "li", "tr", "td", "th", "h3", "h4", "br"):
            self._text.append(" ")

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag in HIDDEN:
            self._hidden = max(self._hidden - 1, 0)

    def handle_data(self, data):  # noqa: ANN001
        if not self._hidden:
            self._text.append(data)
