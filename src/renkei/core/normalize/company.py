"""Company names as written, with their abbreviated legal forms spelled out.

Lists, forms and cards write a company's legal form short: ``(株)`` or ``㈱`` for 株式会社,
``(有)`` or ``㈲`` for 有限会社, before the name or after it (``(株)ABC``, ``ABC(株)``). Spelled out,
one company reads one way whoever typed it (``(株)ABC``, ``㈱ABC`` and ``株式会社ABC`` are
``株式会社ABC``), and with no space between the legal form and the name, as the register writes
it (``株式会社 ABC`` is ``株式会社ABC``); the rest of the name is kept as written. A form of
address after the name (``御中``, from an envelope or a mail's greeting) is not part of it.
Never rejects: the company is free text (``ERROR_POLICY`` ``keep_raw``).
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


#: Legal forms written apart from the name by a space (``株式会社 ABC``, ``ABC 株式会社``), which
#: the register and most lists write without one.
_SPACED_FORM = re.compile(
    r"^(株式会社|有限会社|合同会社|合名会社|合資会社|一般社団法人|一般財団法人|公益社団法人|公益財団法人"
    r"|医療法人社団|医療法人財団|医療法人|社会福祉法人|学校法人|特定非営利活動法人|NPO法人)\s+(?=\S)"
    r"|(?<=\S)\s+(株式会社|有限会社|合同会社|合名会社|合資会社)$"
)


def company_name(text: str) -> str:
    """``text`` (cleaned, width-folded) with short legal forms spelled out, no space between the
    legal form and the name, and a trailing 御中 dropped."""
    if not _MARKS.isdisjoint(text):
        text = _SHORT_FORM.sub(lambda m: _LEGAL_FORMS[m.group(1) or _ENCLOSED[m.group(2)]], text)
        text = _ADDRESS_FORM.sub("", text) or text
    if " " in text and ("会社" in text or "法人" in text):  # (株) ABC → 株式会社 ABC → 株式会社ABC
        text = _SPACED_FORM.sub(lambda m: m.group(1) or m.group(2), text)
    return text
