"""A tolerant ``label: value`` scanner shared by every portal parser.

Portal mails have no specification and their layouts drift, so the scanner accepts every form seen
in the wild (see ``shared/formats/portal-mail.md``): ``label：value`` and ``label:value``, labels padded with
spaces before the colon, ``label value`` with a space only (known labels only), ``label<TAB>value``
(HTML tables), ``【label】value``, ``■label : value``, ``■label`` or a bare known label with the value
on the following line(s), multi-line free text that runs to the next known label, heading or rule
line, section headings without a colon, and ``┏━┓ ┃ ┗━┛`` boxes.

Labels are compared by :func:`~renkei.core.normalize.normalize_label` (NFKC, case-folded, without
spaces or punctuation); values are kept as written (original width), only stripped at the ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from renkei.core.normalize import clean_text, normalize_label

__all__ = ["Found", "Vocabulary", "is_blank", "scan", "vocabulary"]

MAX_TEXT_CHARS = 300_000  # a portal mail is a few kilobytes; the rest of a huge body is not read
MAX_LABEL_CHARS = 40
MAX_FOUND = 2_000

_SPACE = " \t\u3000"
_BOX_EDGES = _SPACE + "┃│║┆┊|"
_RULE_CHARS = frozenset("━─―—‐-－=＝_＿*＊~～〜▼▽▲△┗┏┓┛┣┫┠┨┯┷┳┻╋┃│═╔╗╚╝║・･.。:：+＋#" + _SPACE)
_MARKERS = "■□◆◇●○◎★☆▽▼▲△♦・*＊"
_HEADING_MARKERS = frozenset("▽▼▲△")
_BRACKETS = {"【": "】", "＜": "＞", "<": ">", "[": "]", "［": "］", "《": "》", "≪": "≫", "〔": "〕"}
_COLON_LINE = re.compile(rf"([^:：\n]{{1,{MAX_LABEL_CHARS}}}?)[ \t\u3000]*[:：][ \t\u3000]*(.*)")
_SPACED_LINE = re.compile(rf"(\S{{1,{MAX_LABEL_CHARS}}}?)[ \t\u3000]+(\S.*)")
_CANDIDATE_LINE = re.compile(r"第\s*[0-9０-９]+\s*(?:候補|希望)")
_NOT_IN_LABEL = frozenset("。、!！?？「」@＠/／※")


@dataclass(frozen=True)
class Vocabulary:
    """The labels one portal uses, by comparison key (``normalize_label`` of the label).

    ``targets`` maps a key to a canonical customer field, ``facts`` to an
    :class:`~renkei.core.records.InquiryFacts` attribute; ``other`` keys are known labels that go to
    ``extra``; ``multiline`` labels hold free text; ``headings`` are section titles.
    """

    targets: Mapping[str, str]
    facts: Mapping[str, str]
    other: frozenset[str] = frozenset()
    multiline: frozenset[str] = frozenset()
    headings: frozenset[str] = frozenset()
    known: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "known", frozenset(self.targets) | frozenset(self.facts) | self.other)


def vocabulary(
    targets: Mapping[str, Iterable[str]],
    facts: Mapping[str, Iterable[str]],
    other: Iterable[str] = (),
    multiline: Iterable[str] = (),
    headings: Iterable[str] = (),
) -> Vocabulary:
    """A :class:`Vocabulary` from labels as written (``{'email': ['メールアドレス', 'E-mail']}``)."""
    return Vocabulary(
        targets={normalize_label(label): target for target, labels in targets.items() for label in labels},
        facts={normalize_label(label): fact for fact, labels in facts.items() for label in labels},
        other=frozenset(map(normalize_label, other)),
        multiline=frozenset(map(normalize_label, multiline)),
        headings=frozenset(map(normalize_label, headings)),
    )


@dataclass(frozen=True)
class Found:
    """One label and its value as the mail wrote them (value stripped; lines joined by ``\\n``)."""

    label: str
    key: str
    value: str


def is_blank(value: str) -> bool:
    """True for nothing, spaces and the empty markers ``-``, ``－``, ``なし``, ``------``."""
    return clean_text(value) is None


@dataclass
class _Open:
    label: str
    key: str
    lines: list[str]
    multiline: bool
    bare: bool  # the label stood alone: its value is on the following line(s)


def scan(text: str, vocab: Vocabulary) -> list[Found]:
    """Every label found in ``text`` with its value, in order of appearance."""
    text = text[:MAX_TEXT_CHARS].replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    found: list[Found] = []
    current: _Open | None = None

    def close() -> None:
        nonlocal current
        if current is not None and len(found) < MAX_FOUND:
            lines = current.lines
            while lines and not lines[-1]:
                lines.pop()
            while lines and not lines[0]:
                lines.pop(0)
            found.append(Found(current.label, current.key, "\n".join(lines)))
        current = None

    for raw_line in text.split("\n"):
        line = raw_line.strip(_BOX_EDGES)
        if not line:
            if current is not None:
                if current.multiline:
                    current.lines.append("")
                elif current.lines or not current.bare:
                    close()
            continue
        if _is_rule(line):
            close()
            continue
        in_text = current is not None and current.multiline
        label = _label(line, vocab, in_text)
        if label is None:
            if current is None:
                continue
            if current.multiline or (current.bare and not line.startswith("※")) or _indented(raw_line):
                current.lines.append(line)
            else:  # prose right under a one-line value (a note, a closing remark) is not part of it
                close()
            continue
        name, key, value, kind = label
        if kind == "heading":
            close()
            continue
        if kind == "candidate" and current is not None:
            current.lines.append(line)
            continue
        close()
        opened = kind == "bare" or not value
        # a one-line value may still wrap onto an indented next line (addresses, 第2候補): see the text branch
        current = _Open(name, key, [value] if value else [], key in vocab.multiline, bare=opened)
    close()
    return found


def _indented(raw_line: str) -> bool:
    """A wrapped value's continuation is indented (inside a box: after the box edge)."""
    rest = raw_line.lstrip("┃│║┆┊|")
    return bool(rest) and rest[0] in _SPACE


def _is_rule(line: str) -> bool:
    if line.strip() == "--":  # the signature's delimiter ("-- "): what follows is the sender's signature
        return True
    if len(line) < 3:
        return False
    return all(char in _RULE_CHARS for char in line) and sum(char not in _SPACE for char in line) >= 3


def _label(line: str, vocab: Vocabulary, in_text: bool) -> tuple[str, str, str, str] | None:
    """(label, key, value, kind) when the line starts a label or is a heading; None for text.

    kind: 'colon' (value on the line), 'bare' (value on the following lines), 'heading',
    'candidate' (``第2候補 …`` continuing the previous value).
    """
    first = line[0]
    if first in _BRACKETS:
        closing = _BRACKETS[first]
        end = line.find(closing, 1)
        if 1 < end <= MAX_LABEL_CHARS + 1:
            inner = line[1:end].strip(_SPACE)
            rest = line[end + 1 :].strip(_SPACE)
            key = normalize_label(inner)
            if rest and first == "【" and (key in vocab.known or (not in_text and _plausible(inner, key, rest))):
                return inner, key, rest.lstrip(":：").strip(_SPACE), "colon"
            if not rest:
                if key in vocab.known:
                    return inner, key, "", "bare"
                return (inner, key, "", "heading") if not in_text or first in "【＜<" else None
    marker = first in _MARKERS and len(line) > 1
    body = line.lstrip(_MARKERS + _SPACE) if marker else line
    if not body:
        return None
    if body[0] in "(（" and body[-1] in ")）":  # (受信日時：2026/08/12 10:00:00)
        body = body[1:-1].strip(_SPACE)
    colon = _COLON_LINE.fullmatch(body) if (":" in body or "：" in body) else None
    if colon is not None:
        name, value = colon.group(1).strip(_SPACE), colon.group(2).strip(_SPACE)
        key = normalize_label(name)
        if _CANDIDATE_LINE.match(name):
            return name, key, value, "candidate"
        if key in vocab.known or (not in_text and _plausible(name, key, value)):
            return name, key, value, "colon"
    if "\t" in body:  # an HTML table row: label<TAB>value
        name, _, value = body.partition("\t")
        name, value = name.strip(_SPACE), value.strip(_SPACE)
        key = normalize_label(name)
        if key in vocab.known or (not in_text and _plausible(name, key, value)):
            return name, key, value, "colon"
    key = normalize_label(body)
    if key in vocab.known:
        return body, key, "", "bare"
    if key in vocab.headings or (marker and first in _HEADING_MARKERS):
        return body, key, "", "heading"
    if marker and first == "■" and not in_text and len(body) <= MAX_LABEL_CHARS:
        return body, key, "", "heading"
    if not in_text:
        spaced = _SPACED_LINE.fullmatch(body)
        if spaced is not None:
            key = normalize_label(spaced.group(1))
            if key in vocab.known:
                return spaced.group(1), key, spaced.group(2).strip(_SPACE), "colon"
    return None


def _plausible(label: str, key: str, value: str) -> bool:
    """An unknown ``xxx：yyy`` is a label when it is short, reads like a name and is no URL or time."""
    if not key or len(key) > 24 or key[0].isdigit() or value.startswith("//"):
        return False
    return not any(char in _NOT_IN_LABEL for char in label) and "http" not in key
