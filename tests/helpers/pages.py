"""Reading the go-live HTML page: as a reader without JavaScript gets it, and pytest-html's JSON blob."""

from __future__ import annotations

import html
import json
import re

from lxml import html as lxml_html


def html_blob(path) -> dict:
    """pytest-html renders rows client-side from a JSON blob; read that rather than the DOM."""
    match = re.search(r'data-jsonblob="([^"]*)"', path.read_text())
    return json.loads(html.unescape(match.group(1)))


def static_page(path):
    """The page as a reader without JavaScript gets it: scripts and templates dropped."""
    tree = lxml_html.fromstring(path.read_text())
    for node in tree.xpath("//script|//template|//*[@data-jsonblob]"):
        node.getparent().remove(node)
    return tree


def text(node) -> str:
    return " ".join(" ".join(node.itertext()).split())
