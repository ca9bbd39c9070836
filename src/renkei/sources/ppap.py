"""PPAP's second mail: the password of an encrypted ZIP sent just before, read out of its text.

Japanese senders (and their mail gateways) send an encrypted ZIP in one mail and its password in
the next, in a handful of shapes: ``パスワード：Ab3dE9xY``, ``解凍パスワード　Ab3dE9xY``, ``【パスワード】``
with the password on the next line, ``パスワードは「Ab3dE9xY」です。``, ``PW: Ab3dE9xY``,
``Password: Ab3dE9xY``, ``The password for the attachment is: Ab3dE9xY``. ``is_password_notice``
tells such a mail by its words; ``passwords_in`` gives the candidates it holds, best first, for
the hub to try on the waiting ZIP (a wrong one opens nothing, so trying a few is safe).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from renkei.sources import protected, zipped

__all__ = ["MAX_CANDIDATES", "is_password_notice", "passwords_in", "waits_for_password"]

MAX_CANDIDATES: Final = 8
_KEYWORD: Final = re.compile(r"パスワード|暗証番号|password|passwd|pass\s*word|\bpw\b|\bpass\b", re.IGNORECASE)
_NOTICE: Final = re.compile(r"パスワード|暗証番号|password", re.IGNORECASE)
#: A password as senders write them: printable ASCII without spaces, 4 to 64 characters.
_TOKEN: Final = re.compile(r"[!-~]{4,64}")
_QUOTED: Final = re.compile(r"[「『\"“'‘【\[]\s*([!-~]{4,64})\s*[」』\"”'’】\]]")
#: The token that ends a line after a colon or ``is`` (``The password for the attachment is: Ab3dE9xY``).
_AT_THE_END: Final = re.compile(r"(?:[:：]|\bis)\s*([!-~]{4,64})\s*$", re.IGNORECASE)
_LEADING: Final = " \t:：=＝】]）)」』>→・|"
_TRAILING: Final = "。、．，,.」』】]）)"
#: What a token on a password's line is not: an address, a link, a date, a word the line also says.
_NOT_A_PASSWORD: Final = re.compile(
    r"(?:https?://|www\.)\S*|\S+@\S+|\d{4}[/-]\d{1,2}[/-]\d{1,2}|\d{1,2}:\d{2}(?::\d{2})?|"
    r"(?:password|passwd|pass|pw|zip|file|mail|the|is|for|of)",
    re.IGNORECASE,
)


def waits_for_password(reason: str | None) -> bool:
    """Whether a failure's reason is a password the integration does not know, which a password
    mail may tell: an encrypted ZIP's (``zipped``) or a protected workbook's (``protected``)."""
    return zipped.needs_password(reason) or protected.needs_password(reason)


def is_password_notice(subject: str, text: str) -> bool:
    """Whether a mail without a file says it tells a password."""
    return _NOTICE.search(f"{subject}\n{text}") is not None


def passwords_in(text: str) -> list[str]:
    """The candidate passwords of a notice's text, best first (at most ``MAX_CANDIDATES``)."""
    lines = [unicodedata.normalize("NFKC", line).strip() for line in text.splitlines()]
    found: list[str] = []
    for index, line in enumerate(lines):
        keyword = _KEYWORD.search(line)
        if keyword is None or line.startswith(">"):  # a quoted earlier mail says nothing new
            continue
        after = line[keyword.end() :]
        found += _QUOTED.findall(after)
        found += _first_token(after)
        found += [end.group(1).rstrip(_TRAILING)] if (end := _AT_THE_END.search(after)) else []
        if not found or not _first_token(after):
            following = next((candidate for candidate in lines[index + 1 :] if candidate), "")
            if _TOKEN.fullmatch(following.strip(_TRAILING)):
                found.append(following.strip(_TRAILING))
    unique = list(dict.fromkeys(candidate for candidate in found if _plausible(candidate)))
    return unique[:MAX_CANDIDATES]


def _first_token(after: str) -> list[str]:
    """The first token after a keyword (``：Ab3dE9xY``, ``は Ab3dE9xY です``), past the separators."""
    rest = after.lstrip(_LEADING)
    rest = rest.removeprefix("は").lstrip(_LEADING)
    match = _TOKEN.match(rest)
    if match is None:
        return []
    return [match.group(0).rstrip(_TRAILING)]


def _plausible(candidate: str) -> bool:
    return len(candidate) >= 4 and _NOT_A_PASSWORD.fullmatch(candidate) is None
