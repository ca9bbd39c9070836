"""Per-target transforms: normalise a raw value and put it into a patch.

Each transform returns None on success or a reason when the value is rejected. Which fields
reject and which keep the raw text is the normalisers' declared ``ERROR_POLICY``: a rejected
value becomes a row error, never a silent blank.

A transform has two halves. The pure half turns the raw value into an outcome (the values it
would set, or why it rejects the value); it depends on nothing but the raw text, so each
column remembers outcomes (``_Memo``): company names, departments, postal codes and name
readings repeat a lot in real files. The other half puts the outcome into the patch, where
what is already there matters (``set_default``, phone slots), and so runs for every value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, partial
from typing import Final, Generic, NamedTuple, TypeVar

from renkei.core.errors import NormalizationError
from renkei.core.fields import CUSTOM_PREFIX, INQUIRY_EXTRA_PREFIX, INQUIRY_TARGETS, is_inquiry_extra
from renkei.core.normalize import (
    ERROR_POLICY,
    classify_phone,
    clean_text,
    company_and_department,
    company_and_title,
    company_name,
    department_and_title,
    email_in,
    fold_address,
    fold_dashes,
    fold_width,
    is_zeros,
    joint_names,
    labelled_fax,
    lookup_postal_code,
    may_hold_building,
    normalize_email,
    normalize_postal_code,
    normalize_prefecture,
    number_and_note,
    parse_date,
    parse_datetime,
    phone_extension,
    phone_parts,
    plain_email,
    prefecture_of_city,
    split_building,
    split_city,
    split_full_name,
    split_prefecture,
    to_katakana,
)
from renkei.core.patch import EXTRA_KEY, CustomerPatch

Apply = Callable[[str, CustomerPatch], str | None]

_T = TypeVar("_T")

#: Distinct raw values one compiled mapping remembers, shared out among its columns
#: (``memo_size_for``). It bounds the memory of the memo whatever the size of the file.
MEMO_BUDGET = 65536
#: What each column remembers at least, however many columns share the budget.
MEMO_FLOOR = 64
#: What a date column remembers, outside the shared budget: a file's dates are a few thousand
#: days in a handful of spellings (2021/11/8, 2021年11月8日, R3.11.8…), tens of thousands of
#: distinct values that repeat, too many for a column's share (a 1M-row file with 65k distinct
#: dates: its share of 4,681 turned itself off; 32,768 computes one value in ten). ~6 MB at most.
DATE_MEMO_SIZE = 32768

_LIST_SPLIT = re.compile(r"\s*(?:[,、，;；|\n]|:::)\s*")  # ::: between Google Contacts' labels

#: Outcome of a checked value: (value to set, rejection reason); both None for a blank value.
Checked = tuple[str | None, str | None]
_BLANK: Checked = (None, None)


def memo_size_for(columns: int) -> int:
    """How many distinct values each of ``columns`` memoised columns may remember."""
    return max(MEMO_FLOOR, MEMO_BUDGET // max(columns, 1))


class _Memo(Generic[_T]):
    """The outcomes of one column's pure half, for at most ``size`` distinct raw values.

    ``of(raw)`` is the outcome (a rejection is an outcome too). Each time ``size`` values were
    computed the memo is emptied, which bounds it without tracking which value was used last.
    Values that hardly repeat (e-mail addresses, phone numbers, street addresses) gain nothing
    from being remembered, so if by then fewer than one lookup in three found its value, the
    memo stops remembering and ``of`` computes every value.
    """

    __slots__ = ("_computed", "_pure", "_remembered", "_size", "of")

    def __init__(self, pure: Callable[[str], _T], size: int) -> None:
        self._pure = pure
        self._size = size
        self._computed = 0
        self._remembered = cache(self._compute)
        self.of: Callable[[str], _T] = self._remembered if size > 0 else pure

    def _compute(self, raw: str) -> _T:
        self._computed += 1
        if self._computed == self._size:
            if 2 * self._remembered.cache_info().hits < self._size:
                self.of = self._pure
            self._remembered.cache_clear()
            self._computed = 0
        return self._pure(raw)


def _text(raw: str) -> str | None:
    return clean_text(fold_width(raw))


#: Excel's mark of a cell typed as text: exports write ``'09012345678`` so that Excel keeps the
#: leading zero, and lists copied out of Excel keep it. Never part of a number, code, date or address.
_TEXT_MARKS = frozenset("'＇")


def _without_mark(raw: str) -> str:
    """``raw`` without Excel's text mark before it (``'09012345678``), unless the mark is all it
    holds, and a whole number without the ``.0`` a float gives it (``9012345678.0``: a column read
    as numbers by pandas, whose empty cells made the column floats, and written out again)."""
    if raw[:1] in _TEXT_MARKS and raw[1:].strip():
        return raw[1:]
    if raw.endswith(".0") and raw[:-2].isdecimal() and raw[:-2].isascii():
        return raw[:-2]
    return raw


def _unmarked(check: Callable[[str], _T]) -> Callable[[str], _T]:
    """``check`` reading a value without Excel's text mark before it or a float's ``.0`` after it."""
    return lambda raw: check(_without_mark(raw))


def _scalar(name: str, size: int, pure: Callable[[str], str | None] | None = None) -> Apply:
    """``name`` from the column's value as ``pure`` gives it (cleaned text by default)."""
    texts = _Memo(pure or _text, size)

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        value = texts.of(raw)
        if value is not None and name not in patch.fields:  # set_default, inlined: most columns are these
            patch.fields[name] = value
        return None

    return apply


def _prefecture_name(raw: str) -> str | None:
    """A prefecture by its full name (``東京`` and ``Tokyo`` are ``東京都``); anything else as written."""
    text = _text(raw)
    return None if text is None else normalize_prefecture(text) or text


def _address_text(raw: str) -> str | None:
    """An address part as stored: ``fold_address``ed (``２ー２１−１`` → ``2-21-1``), cleaned."""
    return clean_text(fold_address(raw))


def _street(size: int) -> Apply:
    """``address1`` as written, marked for ``finish`` to complete (``CustomerPatch.street_as_written``)."""
    texts = _Memo(_address_text, size)

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        value = texts.of(raw)
        if value is not None and "address1" not in patch.fields:
            patch.fields["address1"] = value
            patch.street_as_written = True
        return None

    return apply


def _rejecting(name: str, normalise: Callable[[str], str], size: int) -> Apply:
    keep_raw = ERROR_POLICY.get(name, "reject") == "keep_raw"

    def check(raw: str) -> Checked:
        text = _text(raw)
        if text is None:
            return _BLANK
        try:
            return normalise(text), None
        except NormalizationError as error:
            if name in _DATE_TARGETS and _no_date(text):
                return _BLANK
            return (text, None) if keep_raw else (None, error.reason)

    outcomes = _Memo(check if keep_raw else _unmarked(check), size)

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        value, reason = outcomes.of(raw)
        if value is not None and name not in patch.fields:  # set_default, inlined
            patch.fields[name] = value
        return reason

    return apply


#: What separates several addresses given in one e-mail cell (``a@example.jp; b@example.jp``).
_EMAIL_SEPARATORS = re.compile(r"[\s,;、，；/／]+")


#: Spaces typed around the @ of one address (``taro @example.jp``), and quotes around it.
_SPACED_AT = re.compile(r"\s*@\s*")
_QUOTES = "\"'“”‘’「」『』"


#: What a Japanese input method types for a mark of an address: ``。`` for the dot, ``ー`` (the
#: long-vowel mark, which an address never holds) for the hyphen.
_IME_MARKS = str.maketrans({"。": ".", "｡": ".", "ー": "-"})


def _loosened_address(text: str) -> str | None:
    """``text`` without spaces around its one ``@``, without quotes around it and with the input
    method's marks as the address's (``taro@example。jp``, ``taroーyamada@…``), when that leaves one
    word (an address to check); None when nothing changes or more than a word is left."""
    if text.count("@") != 1:
        return None
    loose = _SPACED_AT.sub("@", text).strip(_QUOTES).strip().translate(_IME_MARKS)
    return loose if loose != text and " " not in loose else None


def _email(label: str, size: int) -> Apply:
    """The e-mail transform: one address, or several in one cell, the first of which is the
    customer's e-mail; the others are kept as a custom value under the column's label, as a
    second phone number is. A cell that is not addresses is rejected for what the whole is.

    A phone number written there instead (``090-1234-5678``) is kept as ``<column> 電話``, which
    ``map_record`` makes the row's phone or mobile when its phone columns gave none."""
    phone_key = email_phone_key(label)

    def check(raw: str) -> tuple[str | None, str | None, str | None, str | None]:
        """(address, the other addresses joined, a phone number written instead in E.164, rejection
        reason); all None for a blank value."""
        if (value := plain_email(raw)) is not None:  # the common shape, in one step
            return value, None, None, None
        text = _text(raw)
        if text is None:
            return None, None, None, None
        try:
            return normalize_email(text), None, None, None
        except NormalizationError as error:
            if is_zeros(text):  # 0: Excel's reference to an empty cell
                return None, None, None, None
            if (inner := email_in(text)) is not None:  # 山田太郎 <taro@example.jp>, taro@example.jp（自宅）
                try:
                    return normalize_email(inner), None, None, None
                except NormalizationError:
                    pass
            if "@" not in text and (number := _number_instead(text)) is not None:
                return None, None, number, None
            if (loose := _loosened_address(text)) is not None:  # taro @example.jp, “taro@example.jp”
                try:
                    return normalize_email(loose), None, None, None
                except NormalizationError:
                    pass
            parts = [part for part in _EMAIL_SEPARATORS.split(text) if part]
            if len(parts) > 1:
                try:
                    addresses = list(dict.fromkeys(normalize_email(part) for part in parts))
                except NormalizationError:
                    pass
                else:
                    return addresses[0], ", ".join(addresses[1:]) or None, None, None
            return None, None, None, error.reason

    outcomes = _Memo(_unmarked(check), size)

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        value, others, number, reason = outcomes.of(raw)
        if value is None:
            if number is not None:
                patch.custom.setdefault(phone_key, number)
            return reason
        if "email" not in patch.fields:
            patch.fields["email"] = value
        elif patch.fields["email"] != value:
            others = f"{value}, {others}" if others else value
        if others:
            patch.custom.setdefault(label, others)
        return None

    return apply


#: A value that may say FAX (``FAX``, ``ＦＡＸ``, ``ファックス``, ``ファクス``): most numbers have none of these.
_MAY_SAY_FAX = re.compile("[FfＦｆフ]").search

#: An e-mail address written in a phone column (``連絡先: 090-1234-5678 / taro@example.jp``), with
#: a label before it (``mail:``, ``メール：``); width already folded.
_ADDRESS_IN_PHONE = re.compile(
    r"(?:\b(?:e-?mail|mail)|メール(?:アドレス)?)?\s*[:：]?\s*([^\s,;、，；/／|｜<>()（）「」:：]+@[^\s,;、，；/／|｜<>()（）「」]+)",
    re.IGNORECASE,
)
#: What is left around the number once the address is out: separators, brackets left empty.
_AROUND_NUMBER = " \t/／,，、;；|｜・()（）<>"


def _department_check(raw: str) -> tuple[str | None, str | None]:
    text = _text(raw)
    return (None, None) if text is None else department_and_title(text)


def _parts(check: Callable[[str], tuple[str | None, ...]], names: tuple[str, ...], size: int) -> Apply:
    """A column whose value gives several fields: ``names``, in the order ``check`` gives them."""
    outcomes = _Memo(check, size)

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        for name, value in zip(names, outcomes.of(raw), strict=True):
            if value is not None:
                patch.set_default(name, value)
        return None

    return apply


def _department(size: int) -> Apply:
    """A department of a file without a job title column: a title written after the department
    (``営業部 部長``, ``総務課課長代理``) or alone (``部長``) is the ``title``."""
    return _parts(_department_check, ("department", "title"), size)


def _number_instead(text: str) -> str | None:
    """A phone number written where an e-mail address belongs, in E.164, or None."""
    try:
        return classify_phone(text)[0]
    except NormalizationError:
        return None


def phone_slot(kind: str) -> str:
    """The field a number of ``kind`` goes to: ``mobile`` or ``phone``."""
    return "mobile" if kind == "mobile" else "phone"


def email_phone_key(label: str) -> str:
    """The custom value a phone number written in e-mail column ``label`` is kept as."""
    return f"{label} 電話"


#: The fields a phone column's number goes to.
PHONE_TARGETS: Final = frozenset({"phone", "mobile", "fax"})


def phone_email_key(label: str) -> str:
    """The custom value an e-mail address written in phone column ``label`` is kept as."""
    return f"{label} メール"


def _address_and_rest(text: str) -> tuple[str, str] | None:
    """(the e-mail address a phone cell holds, the rest of the cell), or None without one."""
    if "@" not in text:
        return None
    if (loose := _loosened_address(text)) is not None:  # ichiro @example.jp, alone in the cell
        try:
            return normalize_email(loose), ""
        except NormalizationError:
            pass
    found = _ADDRESS_IN_PHONE.search(text)
    if found is None:
        return None
    try:
        address = normalize_email(found.group(1))
    except NormalizationError:
        return None
    rest = f"{text[: found.start()]} {text[found.end() :]}".strip(_AROUND_NUMBER)
    return address, rest


def _phone(target: str, label: str, size: int) -> Apply:
    """A number goes to the slot its kind says; an extension written after it (``内線123``), which
    E.164 has no room for, is kept as a custom value ``<column> 内線``. A cell of several numbers
    (``03-1234-5678 / 090-1234-5678``) puts each in its slot while the slot is free; the others are
    kept as a custom value under the column's label, as a second column's number is; one written
    after a FAX label is the fax number. A note after a number (``※夜間のみ``, ``(平日9時～17時)``)
    is kept as ``<column> 注記``; a word alone in brackets (``（本人）``, ``(代表)``) is dropped.

    An e-mail address in the cell, alone or beside the number (``連絡先`` columns hold either), is
    kept as ``<column> メール``, which ``map_record`` makes the row's e-mail when no column gave one."""
    extension_key = f"{label} 内線"
    note_key = f"{label} 注記"
    email_key = phone_email_key(label)

    def slot_of(kind: str) -> str:
        return "fax" if target == "fax" else phone_slot(kind)

    def one(raw: str, e164: str, kind: str) -> tuple[str, str]:
        plain = raw[:1].isdigit() and raw[-1:].isdigit()  # no label before it, no note after it
        fax = not plain and _MAY_SAY_FAX(raw) is not None and labelled_fax(raw)
        return ("fax" if fax else slot_of(kind)), e164

    def check(raw: str) -> tuple[tuple[tuple[str, str], ...], str | None, str | None, str | None, str | None]:
        """((slot, E.164) of each number, extension, note, e-mail address, rejection reason);
        empty and None for a blank value."""
        numbers, extension, note, reason = numbers_of(raw)
        if reason is None:
            if note is not None and (split := _address_and_rest(note)) is not None and not split[1]:
                return numbers, extension, None, split[0], None  # 03-1234-5678 taro@example.jp
            return numbers, extension, note, None, None
        split = _address_and_rest(_text(raw) or "")
        if split is None:
            return (), None, None, None, reason
        address, rest = split
        if not rest:
            return (), None, None, address, None
        numbers, extension, note, rest_reason = numbers_of(rest)
        if rest_reason is not None:
            return (), None, None, None, reason
        return numbers, extension, note, address, None

    def numbers_of(raw: str) -> tuple[tuple[tuple[str, str], ...], str | None, str | None, str | None]:
        """((slot, E.164) of each number, extension, note, rejection reason); empty and None for a blank value."""
        try:
            e164, kind = classify_phone(raw)
        except NormalizationError as error:
            # Only now does blankness matter: a number has digits, so no blank value is one.
            if _text(raw) is None or _no_number(raw):
                return (), None, None, None
            parts = phone_parts(raw)
            if len(parts) > 1:
                try:
                    numbers = {classify_phone(part): labelled_fax(part) for part in parts}
                except NormalizationError:
                    pass
                else:
                    extension = next(filter(None, map(phone_extension, parts)), None)
                    slots = (("fax" if fax else slot_of(kind), e164) for (e164, kind), fax in numbers.items())
                    return tuple(slots), extension, None, None
            if (noted := number_and_note(raw)) is not None:  # 090-1234-5678 ※夜間のみ
                number, note = noted
                try:
                    e164, kind = classify_phone(number)
                except NormalizationError:
                    pass
                else:
                    return (one(raw, e164, kind),), phone_extension(number), note, None
            return (), None, None, error.reason
        return (one(raw, e164, kind),), phone_extension(raw), None, None

    outcomes = _Memo(_unmarked(check), size)

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        numbers, extension, note, address, reason = outcomes.of(raw)
        if address is not None:  # map_record settles it (_settle_strays)
            patch.custom.setdefault(email_key, address)
        if not numbers:
            return reason
        fields = patch.fields
        if len(numbers) == 1:  # the common case, without the loop
            slot, e164 = numbers[0]
            if slot not in fields:
                fields[slot] = e164
            elif fields[slot] != e164:
                patch.custom.setdefault(label, e164)
        else:
            others = []
            for slot, e164 in numbers:
                if slot not in fields:
                    fields[slot] = e164
                elif fields[slot] != e164:
                    others.append(e164)
            if others:
                patch.custom.setdefault(label, ", ".join(others))
        if extension is not None:
            patch.custom.setdefault(extension_key, extension)
        if note is not None:
            patch.custom.setdefault(note_key, note)
        return None

    return apply


#: A telephone number written as nobody's: zeros (``000-0000-0000``, ``0``), or a full-length
#: number of its first digits and then zeros (``090-0000-0000``, ``03-0000-0000``), as a form's
#: required field is given by someone without one. No such number exists; it is no value, as
#: ``-`` or ``なし`` is.
_NUMBER_WRITING = re.compile(r"[0-9\s()+\-]+")


def _no_number(raw: str) -> bool:
    text = fold_dashes(fold_width(raw)).strip()
    if _NUMBER_WRITING.fullmatch(text) is None:
        return False
    digits = "".join(filter(str.isdigit, text))
    return digits[:1] == "0" and (not digits.strip("0") or (len(digits) >= 10 and not digits[3:].strip("0")))


def _postal_check(raw: str) -> tuple[str | None, tuple[str, str] | None, str | None]:
    """(code, (prefecture, city) when the code is known, rejection reason); a code of zeros
    (``000-0000``, ``0``) is none (no code starts 000: a form's required field given nothing)."""
    if _text(raw) is None or (raw[:1] in "0０" and is_zeros(raw)):
        return None, None, None
    try:
        code = normalize_postal_code(raw)
    except NormalizationError as error:
        return None, None, error.reason
    area = lookup_postal_code(code)
    return code, (area.prefecture, area.city) if area is not None else None, None


def _postal_column_check(
    raw: str,
) -> tuple[str | None, tuple[str, str] | None, str | None, _AddressParts | None]:
    """(code, (prefecture, city) when the code is known, rejection reason, the address written
    after the code): a postal column holding ``〒100-0001 東京都千代田区千代田1-1`` (a ledger's
    郵便番号・住所) gives both."""
    code, area, reason = _postal_check(raw)
    if reason is None:
        return code, area, None, None
    parts = _address_check(raw)
    if parts[0] is not None and (parts[2] is not None or parts[3] is not None):
        return parts[0], parts[1], None, parts
    return None, None, reason, None


def _postal(size: int) -> Apply:
    outcomes = _Memo(_unmarked(_postal_column_check), size)

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        code, area, reason, address = outcomes.of(raw)
        if code is None:
            return reason
        if address is not None:
            _set_address(patch, address)
            return None
        patch.set_default("postal_code", code)
        if area is not None and patch.postal_area is None:
            patch.postal_area = area
        return None

    return apply


#: A full name followed by its reading in brackets (``山田 太郎（やまだ たろう）``; brackets folded),
#: or after a slash (``山田太郎／ヤマダタロウ``).
_WITH_READING = re.compile(r"(?P<name>.+?)\s*(?:\((?P<reading>[^()]+)\)|/\s*(?P<after_slash>[^/]+))")


class _NameParts(NamedTuple):
    """What a full name's cell holds."""

    family: str | None
    given: str | None = None
    family_kana: str | None = None
    given_kana: str | None = None
    #: Written after it in brackets (``山田 花子（旧姓：佐藤）``).
    note: str | None = None
    #: Written with it (``株式会社ABC 営業部 山田太郎``).
    company: str | None = None
    department: str | None = None
    #: Another person's name written with it (連名: ``山田太郎・花子``).
    joint: str | None = None
    #: An e-mail address written with it (``山田太郎 <taro@example.jp>``, a web form's 差出人).
    email: str | None = None


#: Forms of address in brackets after a name: not a note worth keeping.
_BRACKETED_HONORIFICS = frozenset(["様", "さま", "殿", "御中"])


#: A company's legal form (株式会社, ㈱, （有）, 一般社団法人, Inc., Co., Ltd.): a name column's value
#: with one is a company's name, not a person's (a 顧客名 column of a company list).
_COMPANY_FORM = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|(?:一般|公益)(?:社団|財団)法人|社会福祉法人|医療法人"
    r"|学校法人|宗教法人|特定非営利活動法人|NPO法人|独立行政法人|[㈱㈲]|[（(][株有][）)]"
    r"|\b(?:Inc|Corp|Corporation|Ltd|LLC|K\.K)\b\.?",
    re.IGNORECASE,
)


#: A word naming a department (営業部, 総務課, 東京支店), between a company and a person.
_DEPARTMENT_WORD = re.compile(r".+(?:部|課|室|係|グループ|チーム|センター|支店|支社|営業所|本部|事業部|工場)")
#: A word of a person's name: Japanese script, or Latin letters.
_PERSON_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々〆ヶぁ-ゖァ-ヺー・]+|[A-Za-z][A-Za-z'.\-]*")


#: A legal form written before the company's name (株式会社 ABC): the word after it is the company's too.
_FORM_BEFORE = re.compile(r"[^A-Za-z]+")


def _company_and_person(text: str) -> tuple[str, str | None, str] | None:
    """(company, department, person) of a value that writes a company, then the person
    (``株式会社ABC 山田太郎``, ``ABC株式会社 営業部 山田 太郎``); None when no person follows it. A
    Japanese legal form written alone (``株式会社 山田商店``) takes the word after it into the company."""
    words = text.split(" ")
    end = 0  # words[:end] are the company's
    for index, word in enumerate(words):
        if (form := _COMPANY_FORM.search(word)) is not None:
            alone = form.group() == word and _FORM_BEFORE.fullmatch(word) is not None
            end = index + (2 if alone else 1)
    company = " ".join(words[:end])
    department = []
    while end < len(words) and _DEPARTMENT_WORD.fullmatch(words[end]) is not None:
        department.append(words[end])
        end += 1
    person = words[end:]
    if not 1 <= len(person) <= 2 or not all(_PERSON_WORD.fullmatch(word) for word in person):
        return None
    if person[0].isascii() != person[-1].isascii() or (person[0].isascii() and len(person) != 2):
        return None  # a Latin name is two words (John Smith)
    return company, " ".join(department) or None, " ".join(person)


def _full_name_check(raw: str) -> _NameParts | str | None:
    """The name's parts, and its reading's: written after it in brackets or a slash, or the name
    itself when it is written in kana (``やまだ たろう``, ``ﾔﾏﾀﾞ ﾀﾛｳ``); anything else in brackets
    after it (``山田 花子（旧姓：佐藤）``) a note, not part of the name; a company written with it
    (``株式会社ABC 山田太郎``, ``山田太郎（ABC株式会社）``) the company; a company's name alone (it
    has a legal form: ``株式会社ABC``) as it is."""
    text = _text(raw)
    if text is None:
        return None
    email: str | None = None
    if "@" in text and (found := _address_and_rest(text)) is not None:  # 山田太郎 <taro@example.jp>
        email, text = found[0], found[1].strip(_QUOTES).strip()
        if not text:
            return _NameParts(None, email=email)
    company: str | None = None
    department: str | None = None
    reading: tuple[str | None, str | None, str | None] = (None, None, None)
    note: str | None = None
    match = _WITH_READING.fullmatch(text)
    if _COMPANY_FORM.search(text) is not None:
        name, written = (match.group("name"), match.group("reading")) if match is not None else (text, None)
        if written and _COMPANY_FORM.search(written) and not _COMPANY_FORM.search(name):  # 山田太郎（ABC株式会社）
            company, text, match = company_name(written.strip()), name, None
        elif (parts := _company_and_person(name if written else text)) is not None:
            company, department, text = parts
            company = company_name(company)
            if written:  # (株)ABC 山田 太郎（ヤマダ タロウ）: the brackets are the person's
                text = f"{text}({written})"
            match = _WITH_READING.fullmatch(text)
        else:
            return company_name(text)
    if match is not None:
        after = match.group("reading") or match.group("after_slash")
        reading = _full_name_kana_check(after)
        if reading[0] is not None or match.group("reading"):
            text = match.group("name")
        if reading[0] is None and match.group("reading"):
            note = after.strip()
            note = None if note in _BRACKETED_HONORIFICS else note
    joint: str | None = None
    if (names := joint_names(text)) is not None:  # 山田太郎・花子: two people
        text, joint = names
    if reading[0] is None:
        reading = _full_name_kana_check(text)  # a name written in kana is its own reading
    family, given = split_full_name(text)
    return _NameParts(family, given, reading[0], reading[1], note, company, department, joint, email)


def full_name_transform(label: str, size: int = MEMO_FLOOR, *, company_column: bool = False) -> Apply:
    """A person's name into its parts. A company's name (``株式会社ABC``, a 顧客名 column of a
    company list) is the ``company_name``; when the file has a company column of its own
    (``company_column``), which is the company's, it is kept under the column's label instead.
    A note in brackets after the name is kept as ``<label> 注記``; a second person's name written
    with it (連名: ``山田太郎・花子``) as ``<label> 連名``, the row's person being the first; an
    e-mail address written with it (``山田太郎 <taro@example.jp>``) as ``<label> メール``, which
    ``map_record`` makes the row's e-mail when no column gave one."""
    outcomes = _Memo(_full_name_check, size)
    note_key = f"{label} 注記"
    joint_key = f"{label} 連名"
    email_key = phone_email_key(label)

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        parts = outcomes.of(raw)
        if isinstance(parts, str):
            if company_column:
                patch.custom.setdefault(label, parts)
            else:
                patch.set_default("company_name", parts)
            return None
        if parts is not None:
            family, given, family_kana, given_kana, note, company, department, joint, email = parts
            if email is not None:  # map_record settles it (_settle_strays)
                patch.custom.setdefault(email_key, email)
            if family is None:
                return None
            if note is not None:
                patch.custom.setdefault(note_key, note)
            if joint is not None:
                patch.custom.setdefault(joint_key, joint)
            if company is not None:
                if company_column:
                    patch.custom.setdefault(f"{label} 会社名", company)
                else:
                    patch.set_default("company_name", company)
                if department is not None:
                    patch.set_default("department", department)
            patch.set_default("last_name", family)
            if given:
                patch.set_default("first_name", given)
            if family_kana:
                patch.set_default("last_name_kana", family_kana)
                if given_kana:
                    patch.set_default("first_name_kana", given_kana)
        return None

    return apply


#: A form of address after a reading (``ヤマダ タロウ 様``, ``やまだ たろう さま``, ``（様）``): not part of it.
_READING_HONORIFIC = re.compile(r"\s*(?:\(\s*(?:様|さま|サマ)\s*\)|様|殿)$|\s+(?:さま|サマ|どの|ドノ)$")


def _full_name_kana_check(raw: str) -> tuple[str | None, str | None, str | None]:
    """(family, given, rejection reason)."""
    text = _text(raw)
    if text is None:
        return None, None, None
    if text[-1] in "様殿まマノ)":
        text = _READING_HONORIFIC.sub("", text) or text
    try:
        kana = to_katakana(text)
    except NormalizationError as error:
        return None, None, error.reason
    # Words apart by a space, or by a middle dot without one (``ヤマダ・タロウ``).
    family, _, given = kana.partition(" " if " " in kana else "・")
    if not family:  # a dot first: no word before it
        return kana, None, None
    return family, given or None, None


#: A name in Latin letters (``Yamada Taro``, ``O'Brien``, ``Ōno``; width folded): in a reading
#: column, the name romanised or a foreign name copied there, not a reading in kana.
_ROMANISED_NAME = re.compile(r"[A-Za-zĀāĒēĪīŌōŪūÂâÊêÎîÔôÛû'.\-]+(?:,? [A-Za-zĀāĒēĪīŌōŪūÂâÊêÎîÔôÛû'.\-]+)*")


def _romanised(text: str) -> str | None:
    """``text`` (a reading column's cleaned value, not kana) when it is a name in Latin letters."""
    return text if text[:1].isalpha() and _ROMANISED_NAME.fullmatch(text) is not None else None


def _reading_check(raw: str) -> tuple[str | None, str | None, str | None]:
    """(katakana, the name in Latin letters written instead, rejection reason) of a reading."""
    text = _text(raw)
    if text is None:
        return None, None, None
    try:
        return to_katakana(text), None, None
    except NormalizationError as error:
        latin = _romanised(text)
        return None, latin, None if latin else error.reason


def _reading(target: str, label: str, size: int) -> Apply:
    """A family or given name's reading (セイ, メイ) in katakana. A name in Latin letters there is
    no reading: it is kept as written under the column's label, and the row goes through."""
    outcomes = _Memo(_reading_check, size)

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        value, latin, reason = outcomes.of(raw)
        if value is not None:
            patch.set_default(target, value)
        elif latin is not None:
            patch.custom.setdefault(label, latin)
        return reason

    return apply


def _whole_reading_check(raw: str) -> tuple[str | None, str | None, str | None, str | None, str | None]:
    """(family, given, the name in Latin letters written instead, another person's reading written
    with it (連名: ``ヤマダ タロウ・ハナコ``), rejection reason) of a full name's reading."""
    text = _text(raw)
    joint: str | None = None
    if text is not None and (names := joint_names(text)) is not None:
        raw, joint = names
    family, given, reason = _full_name_kana_check(raw)
    if reason is not None and (latin := _romanised(_text(raw) or "")) is not None:
        return None, None, latin, None, None
    return family, given, None, joint if reason is None else None, reason


def _full_name_kana(label: str, size: int) -> Apply:
    """A full name's reading (フリガナ) into the family and given names' readings; a name in Latin
    letters there is kept as written under the column's label, as ``_reading`` keeps one, and a
    second person's reading (連名: ``ヤマダ タロウ・ハナコ``) as ``<label> 連名``, the first's being the row's."""
    outcomes = _Memo(_whole_reading_check, size)
    joint_key = f"{label} 連名"

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        family, given, latin, joint, reason = outcomes.of(raw)
        if family is not None:
            patch.set_default("last_name_kana", family)
            if given:
                patch.set_default("first_name_kana", given)
            if joint is not None:
                patch.custom.setdefault(joint_key, joint)
        elif latin is not None:
            patch.custom.setdefault(label, latin)
        return reason

    return apply


#: A postal code written at the start of an address (``〒150-0002 東京都…``; width already folded).
_LEADING_POSTAL_CODE = re.compile(r"(?:〒|郵便番号|ZIP)?\s*[:：]?\s*([0-9]{3}-?[0-9]{4})(?![0-9-])\s*", re.IGNORECASE)

_POSTAL_CODE_STARTS = frozenset("〒郵Zz0123456789")
#: (postal code, its prefecture and city, prefecture, city, rest, building) of a whole address.
_AddressParts = tuple[str | None, tuple[str, str] | None, str | None, str | None, str | None, str | None]


def _address_check(raw: str, buildings: bool = False) -> _AddressParts:
    """The parts of a whole address, each None when absent; a postal code written before it
    (``〒150-0002 東京都渋谷区…``), as forms and signatures write one, is the postal code; with
    ``buildings``, a building written after the street's number apart from it
    (``千代田1-1 ABCビル3F``) is the building."""
    text = _address_text(raw)
    if text is None:
        return None, None, None, None, None, None
    code: str | None = None
    area: tuple[str, str] | None = None
    written = _LEADING_POSTAL_CODE.match(text) if text[0] in _POSTAL_CODE_STARTS else None
    if written is not None and written.end() < len(text):
        code, area, reason = _postal_check(written.group(1))
        if reason is None:
            text = text[written.end() :]
    prefecture, rest = split_prefecture(text)
    city, rest = split_city(rest)
    if prefecture is None and city is not None and area is None:
        # 大阪市北区梅田…, 千代田区…: written without the prefecture its city alone says.
        prefecture = prefecture_of_city(city)
    building: str | None = None
    if buildings and rest and may_hold_building(rest):
        rest, building = split_building(rest)
    return code, area, prefecture or None, city or None, rest or None, building


_address_and_building_check = partial(_address_check, buildings=True)


def address_transform(size: int = MEMO_FLOOR, *, buildings: bool = True) -> Apply:
    """A whole address into its parts; a building after the street's number into ``address2``,
    unless ``buildings`` is off (the file has a building column of its own, which is the one)."""
    outcomes = _Memo(_address_and_building_check if buildings else _address_check, size)

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        _set_address(patch, outcomes.of(raw))
        return None

    return apply


def _set_address(patch: CustomerPatch, parts: _AddressParts) -> None:
    """A whole address's parts into the patch, each unless an earlier column gave it (every row of
    a file with an address column comes here: the checks are written out, not ``set_default``)."""
    code, area, prefecture, city, rest, building = parts
    fields = patch.fields
    if code is not None:
        patch.set_default("postal_code", code)
        if area is not None and patch.postal_area is None:
            patch.postal_area = area
    if prefecture is not None and "prefecture" not in fields:
        fields["prefecture"] = prefecture
    if city is not None and "city" not in fields:
        fields["city"] = city
    if rest is not None and "address1" not in fields:
        fields["address1"] = rest
    if building is not None and "address2" not in fields:
        fields["address2"] = building


def _date(raw: str) -> str:
    return parse_date(raw).isoformat()


#: Quotes around each item of a list (Mailchimp's TAGS: ``"vip","newsletter"``): not part of it.
_ITEM_QUOTES = "\"'“”"


def _list_items(raw: str) -> tuple[str, ...]:
    items = (_text(item.strip(_ITEM_QUOTES)) for item in _LIST_SPLIT.split(raw.strip()))
    # Google Contacts' own groups (* myContacts, * starred) are no labels of the user's.
    return tuple(item for item in items if item and not item.startswith("* "))


def _list(kind: str, size: int) -> Apply:
    items = _Memo(_list_items, size)

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        target = patch.tags if kind == "tags" else patch.groups
        for value in items.of(raw):
            if value not in target:
                target.append(value)
        return None

    return apply


def _company_text(raw: str) -> str | None:
    """A company's name: cleaned text with its short legal forms spelled out (``company_name``)."""
    text = _text(raw)
    return None if text is None else company_name(text)


def _company_department_check(
    raw: str, titles: bool, departments: bool = True
) -> tuple[str | None, str | None, str | None]:
    """(company, department, title) of a company cell that goes on to the department (only with
    ``departments``: the file has no department column) or a title; the title read apart only with
    ``titles`` (the file has no title column)."""
    company = _company_text(raw)
    if company is None:
        return None, None, None
    department = None
    if departments:
        company, department = company_and_department(company)
    if not titles:
        return company, department, None
    if department is None:  # 株式会社ABC 代表取締役: a title alone after the name
        company, title = company_and_title(company)
        return company, None, title
    department, title = department_and_title(department)
    return company, department, title


def _company(size: int, titles: bool, departments: bool = True) -> Apply:
    """A company of a file without a department column (``departments``): a department written after
    its name (``株式会社ABC 営業部``) is the ``department``; a title after that (``… 営業部 部長``) or
    after the name alone (``株式会社ABC 代表取締役``, with or without a department column) the ``title``
    when the file has no title column (``titles``)."""
    check = partial(_company_department_check, titles=titles, departments=departments)
    return _parts(check, ("company_name", "department", "title"), size)


def _custom(key: str, size: int) -> Apply:
    texts = _Memo(_text, size)

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        value = texts.of(raw)
        if value is not None:
            patch.custom.setdefault(key, value)
        return None

    return apply


def _inquiry(attribute: str, size: int) -> Apply:
    texts = _Memo(_text, size)

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        value = texts.of(raw)
        if value is not None:
            patch.inquiry_values.setdefault(attribute, value)
        return None

    return apply


def _inquiry_time_check(raw: str) -> Checked:
    text = _text(raw)
    if text is None:
        return _BLANK
    try:
        return parse_datetime(text).isoformat(), None
    except NormalizationError as error:
        return _BLANK if _no_date(text) else (None, error.reason)


#: Excel's day 0, as a date cell that refers to an empty one shows it (``1900/1/0``, ``1900/1/0 0:00``).
_EXCEL_DAY_ZERO = re.compile(r"1900\s*[-/.年]\s*0?1\s*[-/.月]\s*0?0\s*日?(?:\s+0?0:00(?::00)?)?")
_ZERO_DATE_CHARACTERS = frozenset("0-/.: T年月日")


def _no_date(text: str) -> bool:
    """Whether a date cell says there is no date: zeros (``0``, MySQL's ``0000-00-00 00:00:00``,
    ``0000/00/00``) or Excel's day 0 (``1900/1/0``)."""
    if "0" in text and _ZERO_DATE_CHARACTERS.issuperset(text):
        return True
    return _EXCEL_DAY_ZERO.fullmatch(text) is not None


def _inquiry_time(size: int) -> Apply:
    """When the inquiry arrived (``inquiry.received_at``), as an ISO 8601 time in Japan time; a
    value that is no date or time is rejected, as an acquisition date is."""
    outcomes = _Memo(_unmarked(_inquiry_time_check), size)

    def apply(raw: str, patch: CustomerPatch) -> str | None:
        value, reason = outcomes.of(raw)
        if value is not None:
            patch.inquiry_values.setdefault("received_at", value)
        return reason

    return apply


def _external_id(raw: str, patch: CustomerPatch) -> str | None:
    value = _text(_without_mark(raw))  # '000123: Excel's text mark
    if value is not None and patch.external_id is None:
        patch.external_id = value
    return None


#: Targets whose normaliser may reject a value, and the normaliser (e-mail, phones and readings
#: have transforms of their own).
_CHECKED: dict[str, Callable[[str], str]] = {"acquired_at": _date}
#: Targets holding dates.
_DATE_TARGETS = frozenset(name for name, normalise in _CHECKED.items() if normalise is _date)


def second_column_transform(target: str, label: str, memo_size: int = MEMO_FLOOR) -> Apply:
    """The transform of a second column of ``target`` (``TEL2`` beside ``TEL1``): the field's own,
    which fills the field its value's kind says while that is empty and keeps it under ``label``
    otherwise; a value it rejects is kept under ``label`` as written (as an unmapped column's
    is), not a row error: the row's own column of the field is the one it is judged by."""
    apply = transform_for(target, label, memo_size)
    keep = _custom(label.strip(), memo_size)

    def second(raw: str, patch: CustomerPatch) -> str | None:
        if apply(raw, patch) is not None:
            keep(raw, patch)
        return None

    return second


def transform_for(
    target: str,
    label: str = "",
    memo_size: int = MEMO_FLOOR,
    *,
    titles_in_department: bool = False,
    departments_in_company: bool = False,
) -> Apply:
    """The transform that puts a raw value for ``target`` into a patch.

    It remembers the outcomes of up to ``memo_size`` distinct raw values (0: none).
    ``titles_in_department``: whether a job title written in a department cell is read apart (the
    payload has no title column, and the department column was not mapped by the user's rule);
    ``departments_in_company``: whether a department written after the company's name is (the
    payload has no department column, and the company column was not mapped by a rule).
    """
    size = memo_size
    if target in _DATE_TARGETS and size > 0:
        size = max(size, DATE_MEMO_SIZE)
    if target in PHONE_TARGETS:
        return _phone(target, label or target, size)
    if target == "email":
        return _email(label or target, size)
    if target.startswith(CUSTOM_PREFIX):
        return _custom(target[len(CUSTOM_PREFIX) :], size)
    if target == "inquiry.received_at":
        return _inquiry_time(max(size, DATE_MEMO_SIZE) if size > 0 else 0)
    if target in INQUIRY_TARGETS:
        return _inquiry(target.split(".", 1)[1], size)
    if is_inquiry_extra(target):
        return _inquiry(EXTRA_KEY + target[len(INQUIRY_EXTRA_PREFIX) :], size)
    if target == "postal_code":
        return _postal(size)
    if target == "full_name":
        return full_name_transform(label or target, size)
    if target == "full_name_kana":
        return _full_name_kana(label or target, size)
    if target in ("last_name_kana", "first_name_kana"):
        return _reading(target, label or target, size)
    if target == "address":
        return address_transform(size)
    if target == "address1":
        return _street(size)
    if target == "address2":
        return _scalar("address2", size, _address_text)
    if target == "company_name":
        if departments_in_company or titles_in_department:
            return _company(size, titles=titles_in_department, departments=departments_in_company)
        return _scalar("company_name", size, _company_text)
    if target == "department" and titles_in_department:
        return _department(size)
    if target == "prefecture":
        return _scalar("prefecture", size, _prefecture_name)
    if target == "external_id":
        return _external_id  # unique per row: nothing to remember
    if target in ("tags", "groups"):
        return _list(target, size)
    if target in _CHECKED:
        return _rejecting(target, _CHECKED[target], size)
    return _scalar(target, size)
