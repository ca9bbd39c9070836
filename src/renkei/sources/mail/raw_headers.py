"""A raw mail's header lines, read without parsing the mail: for the checks every landing makes.

Landing a mail needs two facts from its headers: its Message-ID and whether it carries a
DKIM-Signature. The stdlib parser and dkimpy each read the whole mail to answer; these read
only the header block, and only when it is plainly well formed (every line ``Name: value``, a
continuation, or a leading ``From `` line). Anything else answers None, and the caller asks
the full parser, so the answer is always the one the full parser would give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The stdlib header parser reads this much of a mail (``message_id_of``); the fast path too.
HEAD_LIMIT = 65536

_BLANK_LINE = re.compile(rb"\n\r?\n")
_LINE_END = re.compile(rb"\r?\n")
#: A header line as dkimpy reads one: printable name, colon (the stdlib parser accepts these too).
_NAMED = re.compile(rb"([\x21-\x7e]+?):")


@dataclass(slots=True)
class Field:
    """One header field: its name in lower case, its first line's value, whether it goes on."""

    name: bytes
    value: bytes
    folded: bool = False


def header_lines(raw: bytes) -> list[Field] | None:
    """The header fields of ``raw``, in order.

    None when the header block is not plainly well formed or does not end within the first
    ``HEAD_LIMIT`` bytes: the caller then uses a full parser.
    """
    head = raw[:HEAD_LIMIT]
    if head.startswith((b"\r\n", b"\n")):
        return []
    end = _BLANK_LINE.search(head)
    if end is None:
        return None
    block = head[: end.start()].removesuffix(b"\r")  # the last line's CR ends it
    if block.count(b"\r") != block.count(b"\r\n"):
        return None  # a bare CR: parsers disagree on whether it ends a line
    fields: list[Field] = []
    for number, line in enumerate(_LINE_END.split(block)):
        if line[:1] in (b" ", b"\t"):
            if not fields:
                return None  # a continuation of nothing
            fields[-1].folded = True
            continue
        named = _NAMED.match(line)
        if named is not None:
            fields.append(Field(named.group(1).lower(), line[named.end() :]))
        elif not (number == 0 and line.startswith(b"From ")):
            return None
    return fields


def first_field(raw: bytes, name: bytes) -> tuple[bool, bytes | None]:
    """(known, first line of the first ``name`` field's value); known is False when the full parser must say
    (the block is not plainly well formed, or that field is folded)."""
    fields = header_lines(raw)
    if fields is None:
        return False, None
    for field in fields:
        if field.name == name:
            return (False, None) if field.folded else (True, field.value)
    return True, None


__all__ = ["HEAD_LIMIT", "Field", "first_field", "header_lines"]
