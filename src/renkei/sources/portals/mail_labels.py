"""A configurable label parser for portals without a dedicated module, with presets.

:class:`LabelRules` says which mails belong to the portal (sender addresses or ``@domain``s, subject
patterns), which labels carry which canonical field or inquiry fact, the section headings, the
multi-line labels, the labels whose value stands on the next line, and which fields a lead needs.
The shared tolerant scanner (:mod:`renkei.sources.portals.labels`) does the reading.

Presets (``PRESETS``):

- ``reguide`` (RE-Guide / リガイド): **no public sample of its notification mail exists.** The preset
  follows the common Japanese label conventions (お名前, フリガナ, メールアドレス, 電話番号, 住所,
  お問い合わせ内容, 物件名, 物件番号, 問合せ日時). Users adjust it (copy the preset, change the labels)
  once they have a real mail; the parser says ``broken_lead`` rather than guess when labels differ.
- ``ieul`` (イエウール): ``【イエウール】不動産査定依頼のお知らせ``; ``依頼日時　　: 2026-05-15 12:06:34``.
- ``home4u`` (HOME4U): ``[HOME4U] 査定依頼 -- <都道府県> 市区町村``; ``■お名前 : …``, ``■ご住所`` with the
  postal code and the address on two lines, ``■査定ナンバー`` as the id.
- ``yahoo-fudosan`` (Yahoo!不動産 seller leads): 氏名（漢字）, 氏名（カナ）, 現住所, Ｅメール, 問い合わせID.
- ``form`` (the default: a company's own web form, whose mails come from its own server): any
  mail the inbox receives, read by the labels such forms use (お名前, フリガナ, 会社名, 部署名, 役職,
  メールアドレス, 電話番号 / 連絡先, 郵便番号, ご住所, お問い合わせ内容, ``■`` or ``【】`` around them).

The sender domains of the presets are the portals' public domains, not verified against real mails;
the subject patterns recognise forwarded copies too.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr, field_validator

from renkei.sources.mail import DecodedMail
from renkei.sources.portals.base import PortalResult
from renkei.sources.portals.labels import Vocabulary, scan, vocabulary
from renkei.sources.portals.leads import COMMON_MULTILINE, Gathered, gather, lead_result

__all__ = ["PRESETS", "TARGETS", "LabelRules", "MailLabelsParser"]

#: The canonical customer fields a label may carry.
TARGETS = (
    "full_name", "full_name_kana", "last_name", "first_name", "email", "phone", "postal_code", "address", "memo",
    "company_name", "department", "title",
)  # fmt: skip
#: The inquiry facts a label may carry.
FACTS = (
    "external_id", "received_at", "property_code", "own_property_code", "property_name", "property_url", "price",
    "layout", "message",
)  # fmt: skip


class LabelRules(BaseModel):
    """How to read one portal's mails with the shared label scanner.

    ``name`` is the result's ``source``, ``display_name`` the inquiry's. ``senders``: addresses, or
    ``@domain`` for a domain and its subdomains. ``subject_patterns``: regular expressions searched in
    the NFKC-folded subject; when given, a mail from a known sender whose subject matches none is
    ``not_a_lead``. ``labels``: canonical target -> label aliases; ``facts``: inquiry fact -> aliases
    (``external_id`` and ``received_at`` among them). ``other_labels`` are known labels kept in
    ``extra``; ``multiline`` labels hold free text up to the next known label, heading or rule line;
    ``value_on_next_line`` names labels that stand alone with the value below (any known label may).
    ``required``: target groups that must have a value (``"email|phone"``: one of them); a name and an
    e-mail or phone are always required.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "mail-labels"
    display_name: str
    #: Every mail the inbox receives is one of these (a web form's, from the company's own server).
    any_sender: bool = False
    senders: tuple[str, ...] = ()
    subject_patterns: tuple[str, ...] = ()
    labels: dict[str, tuple[str, ...]]
    facts: dict[str, tuple[str, ...]] = {}
    other_labels: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()
    multiline: tuple[str, ...] = COMMON_MULTILINE
    value_on_next_line: tuple[str, ...] = ()
    required: tuple[str, ...] = ()  # groups such as "email|phone"; name and e-mail/phone are always needed

    _vocabulary: Vocabulary = PrivateAttr()
    _subjects: tuple[re.Pattern[str], ...] = PrivateAttr()

    @field_validator("labels")
    @classmethod
    def _known_targets(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        unknown = sorted(set(value) - set(TARGETS))
        if unknown:
            raise ValueError(f"unknown target(s) {', '.join(unknown)}; use {', '.join(TARGETS)}")
        return value

    @field_validator("facts")
    @classmethod
    def _known_facts(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        unknown = sorted(set(value) - set(FACTS))
        if unknown:
            raise ValueError(f"unknown inquiry fact(s) {', '.join(unknown)}; use {', '.join(FACTS)}")
        return value

    @field_validator("subject_patterns")
    @classmethod
    def _patterns_compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"subject pattern {pattern!r} is not a regular expression: {exc}") from exc
        return value

    @field_validator("required")
    @classmethod
    def _required_targets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted({t for group in value for t in group.split("|")} - set(TARGETS))
        if unknown:
            raise ValueError(f"unknown required target(s) {', '.join(unknown)}")
        return value

    def model_post_init(self, __context: Any) -> None:
        self._vocabulary = vocabulary(
            targets=self.labels,
            facts=self.facts,
            other=(*self.other_labels, *self.value_on_next_line),
            multiline=self.multiline,
            headings=self.headings,
        )
        self._subjects = tuple(re.compile(pattern, re.IGNORECASE) for pattern in self.subject_patterns)

    @property
    def vocabulary(self) -> Vocabulary:
        """The scanner's view of these rules."""
        return self._vocabulary

    def sender_matches(self, mail: DecodedMail) -> bool:
        """The sender is one of ``senders`` (an address, or ``@domain`` for the domain and its subdomains)."""
        sender = (mail.from_addr or "").strip().lower()
        if not sender:
            return False
        domain = sender.rpartition("@")[2]
        for pattern in self.senders:
            pattern = pattern.lower()
            if pattern.startswith("@"):
                if domain == pattern[1:] or domain.endswith("." + pattern[1:]):
                    return True
            elif sender == pattern:
                return True
        return False

    def subject_matches(self, mail: DecodedMail) -> bool:
        """The subject, NFKC-folded, matches one of ``subject_patterns``."""
        folded = unicodedata.normalize("NFKC", mail.subject[:500])
        return any(pattern.search(folded) for pattern in self._subjects)


class MailLabelsParser:
    """A portal parser driven by :class:`LabelRules`."""

    def __init__(self, rules: LabelRules) -> None:
        self.rules = rules
        self.name = rules.name

    def recognises(self, mail: DecodedMail) -> bool:
        return self.rules.any_sender or self.rules.sender_matches(mail) or self.rules.subject_matches(mail)

    def parse(self, mail: DecodedMail) -> PortalResult:
        rules = self.rules
        if not self.recognises(mail):
            return PortalResult(
                "unrecognised", self.name, None, f"not a {rules.display_name} mail (sender and subject)"
            )
        if rules.subject_patterns and not rules.subject_matches(mail):
            return PortalResult(
                "not_a_lead", self.name, None,
                f"{rules.display_name} notice, not an inquiry (subject 「{mail.subject[:80]}」 is no lead subject)",
            )  # fmt: skip
        gathered = gather(scan(mail.text, rules.vocabulary), rules.vocabulary)
        missing = [group for group in rules.required if not any(gathered.fields.get(t) for t in group.split("|"))]
        if missing:
            noun = "field" if len(missing) == 1 else "fields"
            return PortalResult(
                "broken_lead", self.name, None,
                f"required {noun} {' and '.join(missing)} missing: the layout may have changed",
            )  # fmt: skip
        return lead_result(mail, gathered, source=self.name, display=rules.display_name, external_id=_external_id)


def _external_id(gathered: Gathered) -> str | None:
    return gathered.facts.get("external_id")


_NAME = ("お名前", "氏名", "名前", "ご氏名", "お名前（漢字）", "氏名（漢字）")
_KANA = (
    "フリガナ",
    "ふりがな",
    "お名前（カナ）",
    "氏名（カナ）",
    "名前（カナ）",
    "お名前（フリガナ）",
    "氏名（フリガナ）",
)
_MAIL = ("メールアドレス", "Eメール", "E-mail", "Email", "Eメールアドレス", "メール")
_PHONE = ("電話番号", "電話", "TEL", "携帯電話番号", "連絡先電話番号")
_MESSAGE = (
    "お問い合わせ内容",
    "お問合せ内容",
    "問い合わせ内容",
    "ご質問・ご要望",
    "ご要望",
    "備考",
    "コメント",
    "連絡事項",
)
_SELLER_OTHER = (
    "物件種別", "物件の種類", "物件所在地", "査定物件所在地", "土地面積", "建物面積", "専有面積", "間取り", "築年数",
    "築年", "売却希望時期", "査定方法", "査定の種類", "現況", "名義", "希望連絡方法", "連絡希望時間帯", "査定理由",
)  # fmt: skip

PRESETS: dict[str, LabelRules] = {
    "reguide": LabelRules(
        name="reguide",
        display_name="RE-Guide",
        senders=("@re-guide.jp",),
        subject_patterns=(r"リガイド|RE-?Guide",),
        labels={
            "full_name": _NAME, "full_name_kana": _KANA, "email": _MAIL, "phone": _PHONE,
            "postal_code": ("郵便番号",), "address": ("住所", "ご住所", "現住所"),
        },
        facts={
            "received_at": ("問合せ日時", "問い合わせ日時", "お問い合わせ日時", "お問合せ日時", "受付日時", "日時"),
            "external_id": ("問合せ番号", "問い合わせ番号", "お問い合わせ番号", "問合せID"),
            "property_code": ("物件番号",), "own_property_code": ("貴社物件番号", "自社管理番号"),
            "property_name": ("物件名",), "property_url": ("物件URL",), "price": ("価格", "賃料"),
            "layout": ("間取り",), "message": _MESSAGE,
        },
        other_labels=("所在地", "交通", "物件種別", "希望連絡方法"),
        headings=("お客様情報", "物件情報", "お問い合わせ物件"),
    ),
    "ieul": LabelRules(
        name="ieul",
        display_name="イエウール",
        senders=("@ieul.jp",),
        subject_patterns=(r"【イエウール】.*査定依頼",),
        labels={
            "full_name": ("氏名", "お名前"), "full_name_kana": ("フリガナ", "氏名（フリガナ）"),
            "email": ("Email", "メールアドレス"),
            "phone": ("電話番号", "携帯電話番号"), "postal_code": ("郵便番号",), "address": ("住所", "ご住所"),
        },
        facts={
            "received_at": ("依頼日時",), "external_id": ("依頼ID", "査定依頼ID", "問合せID", "ID"),
            "message": ("備考", "ご要望", "要望", "その他ご要望"),
        },
        other_labels=(*_SELLER_OTHER, "物件住所", "面積"),
        headings=("依頼者情報", "物件情報", "お客様情報", "査定物件情報"),
    ),
    "home4u": LabelRules(
        name="home4u",
        display_name="HOME4U",
        senders=("@home4u.jp",),
        subject_patterns=(r"\[HOME4U\]\s*査定依頼",),
        labels={
            "full_name": ("お名前", "氏名"), "full_name_kana": ("フリガナ",), "email": ("E-mail", "メールアドレス"),
            "phone": ("電話番号", "携帯電話番号", "その他電話番号"), "postal_code": ("郵便番号",),
            "address": ("ご住所", "住所"),
        },
        facts={
            "received_at": ("査定依頼日時", "依頼日時", "受付日時"), "external_id": ("査定ナンバー", "査定番号"),
            "message": ("ご要望", "備考", "その他ご要望", "お客様からのご要望"),
        },
        other_labels=(*_SELLER_OTHER, "物件の所在地", "連絡希望時間", "希望連絡時間帯"),
        headings=("お客様情報", "物件情報", "査定物件情報", "依頼者情報"),
    ),
    "yahoo-fudosan": LabelRules(
        name="yahoo-fudosan",
        display_name="Yahoo!不動産",
        senders=(),
        subject_patterns=(r"Yahoo!?不動産.*(査定|売却)",),
        labels={
            "full_name": ("氏名（漢字）", "氏名", "お名前"), "full_name_kana": ("氏名（カナ）", "フリガナ"),
            "email": ("Ｅメール", "メールアドレス"), "phone": ("電話番号",), "postal_code": ("郵便番号",),
            "address": ("現住所", "住所"),
        },
        facts={
            "received_at": ("依頼日時",), "external_id": ("問い合わせID", "問合せID"), "message": ("備考", "ご要望"),
        },
        other_labels=_SELLER_OTHER,
        headings=("依頼者情報", "物件情報", "お客様情報"),
    ),
    "form": LabelRules(
        name="form",
        display_name="Webフォーム",
        any_sender=True,
        labels={
            # Contact Form 7's mail (WordPress): 差出人 is the name and the address, 山田太郎 <taro@…>.
            "full_name": (*_NAME, "ご担当者名", "ご担当者様名", "お客様名", "差出人"),
            "last_name": ("姓", "お名前（姓）"), "first_name": ("名", "お名前（名）"),
            "full_name_kana": (*_KANA, "よみがな", "お名前（ふりがな）"),
            "email": (*_MAIL, "メールアドレス（確認用）", "ご連絡先メールアドレス"),
            "phone": (*_PHONE, "お電話番号", "連絡先", "ご連絡先", "携帯電話", "携帯番号"),
            "postal_code": ("郵便番号",), "address": ("住所", "ご住所", "所在地", "ご所在地"),
            "company_name": ("会社名", "貴社名", "御社名", "法人名", "団体名", "企業名"),
            "department": ("部署名", "部署", "所属部署"), "title": ("役職", "役職名"),
        },
        facts={
            "message": (*_MESSAGE, "お問い合わせ", "ご用件", "メッセージ", "メッセージ本文"),
            "received_at": ("送信日時", "受付日時"),
        },
        other_labels=(
            "お問い合わせ種別", "お問い合わせ項目", "ご希望の連絡方法", "きっかけ", "ご予算", "URL", "題名", "件名",
        ),
        headings=("お客様情報", "お問い合わせ内容"),
    ),
}  # fmt: skip
