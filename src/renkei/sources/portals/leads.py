"""From scanned labels to a lead: canonical fields, inquiry facts, extras, and the required-field rule."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from renkei.core.errors import NormalizationError
from renkei.core.normalize import JST, fold_width, parse_datetime
from renkei.core.records import InquiryFacts, SourceRecord
from renkei.sources.mail import DecodedMail
from renkei.sources.portals.base import PortalResult
from renkei.sources.portals.labels import Found, Vocabulary, is_blank

__all__ = [
    "COMMON_FACTS",
    "COMMON_MULTILINE",
    "COMMON_TARGETS",
    "Gathered",
    "contact_like",
    "gather",
    "lead_result",
    "missing_contact",
    "parse_received_at",
]

#: Customer labels seen across portals, by canonical target.
COMMON_TARGETS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "名前", "お名前", "氏名", "ご氏名", "名前（漢字）", "氏名（漢字）", "お名前（漢字）", "顧客名", "お客様名",
    ),
    "full_name_kana": (
        "氏名（カナ）", "お名前（カナ）", "名前（カナ）", "フリガナ", "ふりがな", "氏名（フリガナ）",
        "お名前（フリガナ）", "氏名（ふりがな）", "お名前（ふりがな）", "カナ",
    ),
    "last_name": ("姓",),
    "first_name": ("名",),
    "email": (
        "メールアドレス", "Eメール", "E-mail", "Email", "Eメールアドレス", "E-mailアドレス", "メール",
        "PCメールアドレス", "携帯メールアドレス", "連絡先メールアドレス",
    ),
    "phone": ("電話番号", "電話", "TEL", "携帯電話番号", "携帯電話", "携帯番号", "連絡先電話番号", "ご連絡先電話番号"),
    "postal_code": ("郵便番号", "〒"),
    "address": ("住所", "ご住所", "現住所", "お住まい", "現在のお住まい", "お客様住所"),
}  # fmt: skip
#: Inquiry labels seen across portals, by InquiryFacts attribute.
COMMON_FACTS: dict[str, tuple[str, ...]] = {
    "received_at": (
        "日時", "反響日時", "問合せ日時", "問い合わせ日時", "お問合せ日時", "お問い合わせ日時", "お問合わせ日時",
        "反響到着日時", "受信日時", "受付日時", "予約受付日時", "依頼日時", "査定依頼日時",
    ),
    "message": (
        "お問い合わせ内容", "お問合せ内容", "問い合わせ内容", "問合せ内容", "お問合わせ内容", "コメント",
        "ご質問・ご要望", "ご要望", "ご質問", "備考", "連絡事項", "物件に関するお問合せ内容", "その他ご要望",
        "ご意見・ご要望",
    ),
    "property_name": ("物件名",),
    "property_url": ("物件詳細画面", "物件URL", "物件詳細URL", "詳細URL"),
    "price": ("価格", "賃料", "販売価格"),
    "layout": ("間取り", "間取"),
}  # fmt: skip
COMMON_MULTILINE: tuple[str, ...] = COMMON_FACTS["message"]

_URL = re.compile(r"https?://[^\s<>\"'）)]+")
_POSTAL_FIRST = re.compile(r"〒?[ \t\u3000]*([0-9０-９]{3}[-－‐ー−]?[0-9０-９]{4})(?![0-9０-９])[ \t\u3000]*(.*)", re.S)
_CANDIDATE = re.compile(r"(?:[^\n]*?)(第\s*([0-9０-９]+)\s*(?:候補|希望))[ \t\u3000:：]*(.*)")
_DATE_IN_TEXT = re.compile(
    r"([0-9]{4})\s*[/.\-年]\s*([0-9]{1,2})\s*[/.\-月]\s*([0-9]{1,2})\s*日?\s*(?:[(（][^)）]{1,4}[)）])?\s*"
    r"(?:([0-9]{1,2})\s*[:時]\s*([0-9]{1,2})(?:\s*[:分]\s*([0-9]{1,2}))?)?"
)
_EMAIL_LIKE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_PHONE_LIKE = re.compile(r"(?<![0-9])0[0-9]{1,4}[-(]?[0-9]{1,4}[-)]?[0-9]{3,4}(?![0-9])")
_NAME_TARGETS = ("full_name", "last_name", "first_name", "full_name_kana")


@dataclass(frozen=True)
class Gathered:
    """Scanned labels sorted into canonical fields, inquiry facts (raw text) and extras."""

    fields: dict[str, str]
    facts: dict[str, str]
    extra: dict[str, str]
    keys: frozenset[str]  # every label key found, blank or not


def gather(found: list[Found], vocab: Vocabulary) -> Gathered:
    """Sort labels: the first non-blank value per target or fact wins; the rest go to ``extra``."""
    fields: dict[str, str] = {}
    facts: dict[str, str] = {}
    extra: dict[str, str] = {}
    for item in found:
        if is_blank(item.value):
            continue
        target = vocab.targets.get(item.key)
        if target is not None and target not in fields:
            fields[target] = " ".join(line for line in item.value.split("\n") if line)
            continue
        fact = vocab.facts.get(item.key)
        if fact is not None and fact not in facts:
            facts[fact] = item.value
            continue
        _add_extra(extra, item)
    _split_postal_code(fields)
    return Gathered(fields, facts, extra, frozenset(item.key for item in found))


def _add_extra(extra: dict[str, str], item: Found) -> None:
    label = " ".join(item.label.split())
    lines = item.value.split("\n")
    candidates = [_CANDIDATE.fullmatch(line) for line in lines]
    if len(lines) > 1 and all(candidates):
        for match in candidates:
            assert match is not None
            extra.setdefault(f"{label} {match.group(1)}", match.group(3).strip())
        return
    extra.setdefault(label, item.value)


def _split_postal_code(fields: dict[str, str]) -> None:
    """``〒123-4567 東京都…`` (one line or two) in the address: the code goes to ``postal_code``."""
    address = fields.get("address")
    if address is None:
        return
    match = _POSTAL_FIRST.fullmatch(address)
    if match is None:
        return
    fields.setdefault("postal_code", match.group(1))
    rest = match.group(2).strip()
    if rest:
        fields["address"] = rest
    else:
        del fields["address"]


def parse_received_at(value: str | None, mail: DecodedMail) -> datetime | None:
    """The inquiry time a label gives (JST unless stated), else the mail's Date, else None."""
    if value is not None:
        first = value.strip().split("\n")[0].strip("()（） \u3000")
        try:
            return parse_datetime(first)
        except NormalizationError:
            pass
        match = _DATE_IN_TEXT.search(fold_width(first))
        if match is not None:
            year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
            try:
                return datetime(year, month, day, hour, minute, second, tzinfo=JST)
            except ValueError:
                pass
    if mail.date is None:
        return None
    return mail.date if mail.date.tzinfo is not None else mail.date.replace(tzinfo=JST)


def missing_contact(fields: Mapping[str, str]) -> str | None:
    """Why the fields cannot make a lead (no name, or neither e-mail nor phone), or None."""
    missing = []
    if not any(fields.get(target) for target in _NAME_TARGETS):
        missing.append("名前")
    if not fields.get("email") and not fields.get("phone"):
        missing.append("メールアドレス/電話番号")
    if not missing:
        return None
    noun = "field" if len(missing) == 1 else "fields"
    return f"required {noun} {' and '.join(missing)} missing"


def contact_like(values: Mapping[str, str]) -> bool:
    """True when some value looks like an e-mail address or a phone number."""
    return any(_EMAIL_LIKE.search(value) or _PHONE_LIKE.search(fold_width(value)) for value in values.values())


def stable_id(source: str, *parts: str | None) -> str:
    """A deterministic id from values that identify an inquiry when the mail carries none."""
    digest = hashlib.sha256("\x1f".join(part or "" for part in parts).encode()).hexdigest()[:16]
    return f"{source}:sha256:{digest}"


def _address_apart(fields: dict[str, str]) -> dict[str, str]:
    """The fields with an e-mail address written in the name (a form's 差出人, ``山田 太郎
    <taro@example.jp>``, as Contact Form 7 writes it) as the e-mail, when no label gave one."""
    name = fields.get("full_name")
    if not name or fields.get("email") or (found := _EMAIL_LIKE.search(name)) is None:
        return fields
    apart = {target: value for target, value in fields.items() if target != "full_name"}
    apart["email"] = found.group()
    if rest := f"{name[: found.start()]}{name[found.end() :]}".strip(" <>()\"'"):
        apart["full_name"] = rest
    return apart


def lead_result(
    mail: DecodedMail,
    gathered: Gathered,
    *,
    source: str,
    display: str,
    external_id: Callable[[Gathered], str | None],
) -> PortalResult:
    """A lead when the fields name a reachable customer, else a broken lead saying what is missing."""
    fields = _address_apart(gathered.fields)
    problem = missing_contact(fields)
    if problem is not None:
        return PortalResult("broken_lead", source, None, f"{problem}: the layout may have changed")
    facts = gathered.facts
    received_at = parse_received_at(facts.get("received_at"), mail)
    inquiry_id = external_id(gathered) or stable_id(
        source, received_at.isoformat() if received_at else None, fields.get("full_name"), fields.get("email"),
        fields.get("phone"),
    )  # fmt: skip
    url = facts.get("property_url")
    if url is not None:
        match = _URL.search(url)
        url = match.group() if match else url
    inquiry = InquiryFacts(
        source=display,
        external_id=inquiry_id,
        received_at=received_at,
        property_code=facts.get("property_code"),
        own_property_code=facts.get("own_property_code"),
        property_name=facts.get("property_name"),
        property_url=url,
        price=facts.get("price"),
        layout=facts.get("layout"),
        message=facts.get("message"),
        extra=dict(gathered.extra),
    )
    record = SourceRecord(locator="mail body", fields=dict(fields), external_id=inquiry_id, inquiry=inquiry)
    return PortalResult("lead", source, record)
