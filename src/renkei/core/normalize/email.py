"""E-mail address normalisation.

The whole address is lower-cased, local part included. RFC 5321 lets a server treat the local
part case-sensitively, but no mail service our users deal with does, and CRMs (SATORI,
Salesforce, HubSpot) match addresses case-insensitively; one lower-case form makes
``Taro@Example.jp`` and ``taro@example.jp`` the same customer.

Only plain ``local@domain`` addresses are accepted: no display names, comments, quoted local
parts or IP-literal domains. A leading ``mailto:`` is dropped. ``email_in`` finds the address in
a value that writes something around it (``山田太郎 <taro@example.jp>``, ``taro@example.jp（自宅）``),
for the importer to try when the value itself is rejected. Non-ASCII (internationalised)
addresses are rejected.

Legacy Japanese mobile addresses: docomo and au let subscribers register local parts with
consecutive dots or a dot before ``@`` (``taro..yamada.@docomo.ne.jp``); those still receive
mail, so they are accepted for the carriers' own domains only (au's ``ezweb.ne.jp``, and
``au.com``, which took its addresses over in 2021). Everywhere else such local parts
are rejected.
"""

from __future__ import annotations

import re
from typing import Final

from renkei.core.errors import NormalizationError
from renkei.core.normalize.text import fold_width

__all__ = ["email_in", "normalize_email", "plain_email"]

_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_STRICT_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LEGACY_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~.-]+")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
#: Endings mistyped for ``.com`` and the Japanese ``.jp`` ones that no top-level domain has: an address
#: ending so receives no mail. Each with what was meant, for the error to say.
_MISTYPED_ENDINGS: Final[dict[str, str]] = {
    **dict.fromkeys(("con", "cpm", "cmo", "ocm", "vom", "xom", "comm", "coom", "conm", "cim"), "com"),
    **dict.fromkeys(("jpp", "jpn"), "jp"),
    "cojp": "co.jp",
    "comjp": "co.jp",
    "nejp": "ne.jp",
    "orjp": "or.jp",
}
#: A top-level domain: two characters or more, a letter first, and not a mistyped ending.
_TLD = rf"(?!(?:{'|'.join(_MISTYPED_ENDINGS)})$)[a-z](?:[a-z0-9-]{{0,61}}[a-z0-9])"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+{_TLD}")
_LEGACY_DOMAINS = frozenset({"docomo.ne.jp", "ezweb.ne.jp", "biz.ezweb.ne.jp", "au.com"})
# Already canonical: the common case, checked with one regex before anything else.
_CANONICAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_DOMAIN.pattern}")


def _is_canonical(value: str) -> bool:
    """True for a plain lower-case address within the length limits: every check below passes."""
    return len(value) <= 254 and _CANONICAL.fullmatch(value) is not None and len(value.partition("@")[0]) <= 64


def plain_email(raw: str) -> str | None:
    """``normalize_email`` of a raw value that is an ASCII address once lower-cased; else None.

    Such a value is its own cleaned text (an address has no space and is no "no value" marker),
    so this is what the import's transform gives it, for a third of the work.
    """
    if raw.isascii():
        value = raw.lower()
        if _is_canonical(value):
            return value
    return None


_ANGLED = re.compile(r"<\s*([^<>\s]+@[^<>\s]+)\s*>")
# A note after the address: in brackets (``（自宅）``), after ※, or words after a space (``携帯``).
_NOTE_AFTER = re.compile(r"\s*(?:\([^()@]*\)|※[^@]*|\s[^@\s][^@]*)\s*$")
_LABEL_BEFORE = re.compile(r"^[^@\s:]{1,12}\s*:\s*")
_TRAILING_MARKS = " 。．.、,，;；"


def email_in(s: str) -> str | None:
    """The one address a value holds inside what is written around it, for ``normalize_email``
    to judge: a display name (``山田太郎 <taro@example.jp>``), a label (``PC：taro@example.jp``),
    a note after it (``taro@example.jp（自宅）``), a full stop; None when there is nothing around
    it or more than one ``@``."""
    value = fold_width(s).strip()
    if value.count("@") != 1:
        return None
    angled = _ANGLED.search(value)
    if angled is not None:
        return angled.group(1)
    inner = _LABEL_BEFORE.sub("", _NOTE_AFTER.sub("", value)).rstrip(_TRAILING_MARKS)
    return inner if inner != value else None


def normalize_email(s: str) -> str:
    """Trim, fold full width to ASCII, lower-case; raise NormalizationError if not an address."""
    if _is_canonical(s):
        return s
    value = fold_width(s).strip().lower()
    if value.startswith("mailto:"):
        value = value[len("mailto:") :].strip()
    if _is_canonical(value):  # the common case: only case or width was off
        return value
    if not value:
        raise NormalizationError("E-mail address is empty", s)
    if not value.isascii():
        raise NormalizationError("E-mail address contains characters that are not allowed", s)
    if any(c.isspace() for c in value):
        raise NormalizationError("E-mail address contains a space", s)
    if value.count("@") != 1:
        reason = "E-mail address has no @" if "@" not in value else "E-mail address has more than one @"
        raise NormalizationError(reason, s)
    local, _, domain = value.partition("@")
    if not local:
        raise NormalizationError("E-mail address has nothing before the @", s)
    if not domain:
        raise NormalizationError("E-mail address has nothing after the @", s)
    if "." not in domain:
        raise NormalizationError("E-mail domain has no dot", s)
    ending = domain.rpartition(".")[2]
    if (meant := _MISTYPED_ENDINGS.get(ending)) is not None:
        reason = f"E-mail domain ends in .{ending}, which no mail can be sent to (.{meant} mistyped?)"
        raise NormalizationError(reason, s)
    if len(ending) == 1:
        raise NormalizationError(f"E-mail domain ends in .{ending}, which is no top-level domain", s)
    if ".." in domain or _DOMAIN.fullmatch(domain) is None:
        raise NormalizationError("E-mail domain is not a valid host name", s)
    if len(local) > 64 or len(value) > 254:
        raise NormalizationError("E-mail address is too long", s)
    if _STRICT_LOCAL.fullmatch(local) is None:
        legacy = domain in _LEGACY_DOMAINS and not local.startswith(".")
        if not (legacy and _LEGACY_LOCAL.fullmatch(local) is not None):
            if ".." in local or local.startswith(".") or local.endswith("."):
                raise NormalizationError("E-mail address has a misplaced dot before the @", s)
            raise NormalizationError("E-mail address contains characters that are not allowed", s)
    return value
