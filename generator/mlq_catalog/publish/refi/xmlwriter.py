"""QDA-XML written as ``ET.indent`` then ``ET.tostring`` would write it, byte for byte, in one pass.

A project holds one element per quote and per coding; ElementTree's serialiser walks each in
Python through several layers, and ``ET.indent`` is a second full pass. ``serialise`` writes the
indentation as it goes. ``tests/publish/test_refi_speed.py`` compares both on real projects.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET


def serialise(root: ET.Element, namespace: str) -> bytes:
    # Elements are built unqualified and the root declares the default namespace: the same XML as
    # ET.register_namespace would give, without changing ElementTree's global prefix table.
    root.attrib = {"xmlns": namespace, **root.attrib}
    out = ["<?xml version='1.0' encoding='utf-8'?>\n"]
    _write_element(root, 0, out)
    out.append("\n")
    return "".join(out).encode("utf-8", "xmlcharrefreplace")


def _escape_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}
)
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\r\n\t]')

RAW = "\x00raw"
"""Tag of a placeholder element whose text is XML already written at its depth (``project.selection_xml``)."""


def escape_attribute(value: str) -> str:
    return value.translate(_ATTRIBUTE_ESCAPES) if _ATTRIBUTE_SPECIAL.search(value) else value


def _write_element(element: ET.Element, level: int, out: list[str]) -> None:
    """``element`` as ``ET.indent(space="  ")`` then ``ET.tostring`` would write it, byte for byte.

    ElementTree's serialiser walks every element in Python through several layers (a project
    holds one element per quote and per coding), and ``ET.indent`` is a second full pass; this
    writes the indentation as it goes. Same escaping rules (text: & < >; attributes also " and
    CR/LF/tab), same ``<Empty />`` form. ``tests/publish/test_refi_speed.py`` compares both on real projects.
    """
    tag = element.tag
    attrib = element.attrib
    if _ATTRIBUTE_SPECIAL.search("".join(attrib.values())):
        attributes = "".join([f' {k}="{v.translate(_ATTRIBUTE_ESCAPES)}"' for k, v in attrib.items()])
    else:  # guids, ids and numbers: nothing to escape
        attributes = "".join([f' {k}="{v}"' for k, v in attrib.items()])
    text = element.text
    if len(element):
        inner = "\n" + "  " * (level + 1)
        out.append(f"<{tag}{attributes}>")
        out.append(_escape_text(text) if text and text.strip() else inner)
        last = len(element) - 1
        for index, child in enumerate(element):
            if child.tag == RAW:
                if child.get("level") != str(level + 1):
                    raise ValueError(f"pre-written XML for depth {child.get('level')} placed at depth {level + 1}")
                out.append(child.text or "")
            else:
                _write_element(child, level + 1, out)
            tail = child.tail
            if tail and tail.strip():
                out.append(_escape_text(tail))
            else:
                out.append(inner if index < last else "\n" + "  " * level)
        out.append(f"</{tag}>")
    elif text:
        out.append(f"<{tag}{attributes}>{_escape_text(text)}</{tag}>")
    else:
        out.append(f"<{tag}{attributes} />")
