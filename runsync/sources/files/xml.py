"""What GPX and TCX reading share: XML from the outside world, read the way real producers write it and checked
before any parser sees it.

Lenient where producers are sloppy: Strava's bulk export writes TCX (and some GPX) with spaces before `<?xml`,
others a byte-order mark; the encoding is the one the file declares (a BOM, UTF-16 without one, or the
declaration's `encoding`, e.g. ISO-8859-1 names stay "Logroño"). Strict where it matters: the check for document
type and entity declarations runs on the decoded text, whatever the encoding (activity files never need one, and
entities are how XML bombs and file disclosure work), and the parser has no network access and expands nothing.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from runsync.errors import DecodeError

_DECLARATIONS = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"<\?xml[^>]*\?>")
_ENCODING = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})[\"']")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def encoding_of(data: bytes) -> str:
    """The encoding an XML document is in: its byte-order mark, UTF-16 told by its zero bytes, the declaration's
    `encoding` (when Python knows it), else UTF-8."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    head = data[:256]
    if head.count(0) >= len(head) // 4:  # ASCII markup in UTF-16: every other byte is zero
        return "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    found = _ENCODING.search(head.lstrip())
    if found:
        try:
            return codecs.lookup(found.group(1).decode("ascii")).name
        except LookupError:
            pass
    return "utf-8"


def xml_text(data: bytes, what: str) -> str:
    """The document as text, without leading white space or its XML declaration, after the declaration check."""
    text = data.decode(encoding_of(data), errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith("<?xml"):
        text = _XML_DECLARATION.sub("", text, count=1).lstrip()
    if _DECLARATIONS.search(text):
        raise DecodeError(f"a {what} file with a document type or entity declaration is refused (not needed by "
                          "activity files, and a way to attack an XML reader)")  # fmt: skip
    return text


def xml_head(data: bytes, size: int = 4096) -> str:
    """The first characters of what may be an XML document (to recognise GPX or TCX), lower-cased."""
    return data[:size].decode(encoding_of(data), errors="ignore").lstrip("\ufeff \t\r\n").lower()


def parse_xml(data: bytes, what: str) -> etree._Element:
    text = xml_text(data, what)
    try:
        return etree.fromstring(text.encode("utf-8"), PARSER)
    except etree.XMLSyntaxError as exc:
        raise DecodeError(f"not a readable {what} file: {exc}") from None


def local(element: etree._Element) -> str:
    """An element's name without its namespace (TCX and GPX files come in several namespace versions)."""
    return etree.QName(element).localname
