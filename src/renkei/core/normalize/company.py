"""Company names as written, with their abbreviated legal forms spelled out.

Lists, forms and cards write a company's legal form short: ``(株)`` or ``㈱`` for 株式会社,
``(有)`` or ``㈲`` for 有限会社, before the name or after it (``(株)ABC``, ``ABC(株)``). Spelled out,
one company reads one way whoever typed it (``(株)ABC``, ``㈱ABC`` and ``株式会社ABC`` are
``株式会社ABC``); the rest of the name is kept as written. A form of address after the name
(``御中``, from an envelope or a mail's greeting) is not part of it. Never rejects: the company
is free text (``ERROR_POLICY`` ``keep_raw``).
"""

from __future__ import annotations

import re

__all__ = ["company_name"]

#: The short forms in brackets and what they stand for: (同) is 合同会社, (名) 合名会社, (資) 合資会社.
_LEGAL_FORMS = {"株": "株式会社", "有": "有限会社", "同": "合同会社", "名": "合名会社", "資": "合資会社"}
#: The same forms as one enclosed character each.
_ENCLOSED = {"㈱": "株", "㈲": "有", "㈴": "名", "㈾": "資"}
_SHORT_FORM = re.compile(r"\(\s*([株有同名資])\s*\)|([㈱㈲㈴㈾])")
_ADDRESS_FORM = re.compile(r"\s*御中$")
#: What a name that needs any of this holds: most hold none and are returned as they are.
_MARKS = frozenset("(㈱㈲㈴㈾御")


def company_name(text: str) -> str:
    """``text`` (cleaned, width-folded) with short legal forms spelled out and a trailing 御中 dropped."""
    if _MARKS.isdisjoint(text):
        return text
    spelled = _SHORT_FORM.sub(lambda m: _LEGAL_FORMS[m.group(1) or _ENCLOSED[m.group(2)]], text)
    return _ADDRESS_FORM.sub("", spelled) or spelled
