"""What GPX and TCX reading share: XML from the outside world is checked before any parser sees it (no document
type declarations: activity files never need one, and entities are how XML bombs and file disclosure work), and
parsed without network access or entity expansion."""

from __future__ import annotations

import re

from lxml import etree

from runsync.errors import DecodeError

_DECLARATIONS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def check_xml(data: bytes, what: str) -> None:
    if _DECLARATIONS.search(data):
        raise DecodeError(f"a {what} file with a document type or entity declaration is refused (not needed by "
                          "activity files, and a way to attack an XML reader)")  # fmt: skip


def parse_xml(data: bytes, what: str) -> etree._Element:
    check_xml(data, what)
    try:
        return etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as exc:
        raise DecodeError(f"not a readable {what} file: {exc}") from None


def local(element: etree._Element) -> str:
    """An element's name without its namespace (TCX and GPX files come in several namespace versions)."""
    return etree.QName(element).localname
