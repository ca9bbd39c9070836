"""SUUMO (Recruit JDS) inquiry mails and SUUMO home-tour bookings.

JDS mails come from ``system@jds.suumo.jp`` (older: ``jds_system@jds.jutakujoho.jp``). Only
``[リクルートＪＤＳ]反響お知らせメール`` and its tour variant ``反響（見学予約）お知らせメール`` are inquiries;
the address-confirmation mails (``メールアドレス変更確認メール``, ``反響詳細情報送信先メールアドレスの確認``)
are a ``confirmation`` (they prove forwarding reaches us) and every other mail of that sender
(settings, maintenance) is ``not_a_lead``. With JDS set to 「通知のみ」 the inquiry mail only says that an inquiry
arrived: ``not_a_lead``, unless it carries something that looks like contact details, which means the
customer block is there under labels we do not know (``broken_lead``).

Tour bookings come from ``reserve-info@kr-hometour.suumo.jp`` (bookings, changes and cancellations,
all leads; 予約状況 goes to ``extra``). Their id is the reservation number when there is one, else a
hash of 受付日時 and the name.
"""

from __future__ import annotations

from renkei.sources.mail import DecodedMail
from renkei.sources.portals.base import PortalResult, sender_is, subject_key
from renkei.sources.portals.labels import scan, vocabulary
from renkei.sources.portals.leads import (
    COMMON_FACTS,
    COMMON_MULTILINE,
    COMMON_TARGETS,
    Gathered,
    contact_like,
    gather,
    lead_result,
    stable_id,
)

__all__ = ["SuumoParser"]

JDS_SENDERS = frozenset({"system@jds.suumo.jp", "jds_system@jds.jutakujoho.jp"})
TOUR_SENDERS = frozenset({"reserve-info@kr-hometour.suumo.jp"})
DISPLAY = "SUUMO"

VOCABULARY = vocabulary(
    targets=COMMON_TARGETS,
    facts={
        **COMMON_FACTS,
        "external_id": ("ID", "連番", "反響ID", "予約番号", "見学予約番号", "予約ID"),
        "property_code": ("物件コード",),
        "own_property_code": ("貴社物件コード", "自社物件コード"),
    },
    other=(
        "お問合せ企画", "会社名", "物件種別", "最寄り駅", "所在地", "交通", "専有面積", "建物面積", "土地面積",
        "希望連絡方法", "予約状況", "案内日時", "見学日時", "見学希望日時", "店舗名",
    ),
    multiline=COMMON_MULTILINE,
    headings=(
        "問合せ物件", "お問合せ物件", "お客様プロフィール", "お客様情報", "物件情報", "反響情報", "予約情報",
        "お問合せ者情報",
    ),
)  # fmt: skip
#: Subject fragments (folded) of JDS mails that confirm the address inquiries are sent to.
_CONFIRMATION_MARKERS = ("アドレス変更確認", "送信先メールアドレスの確認", "送信先メールアドレス確認")
_NOTICE_ONLY_HINTS = ("通知のみ", "ログイン", "管理画面", "JDSにて", "ＪＤＳにて", "JDSでご確認", "ＪＤＳでご確認")


class SuumoParser:
    """SUUMO JDS inquiry mails and SUUMO home-tour bookings."""

    name = "suumo"

    def recognises(self, mail: DecodedMail) -> bool:
        if sender_is(mail, JDS_SENDERS | TOUR_SENDERS):
            return True
        key = subject_key(mail.subject)
        return "リクルートjds" in key or ("suumo" in key and "見学予約" in key)

    def parse(self, mail: DecodedMail) -> PortalResult:
        if not self.recognises(mail):
            return PortalResult("unrecognised", self.name, None, "not a SUUMO mail (sender and subject unknown)")
        key = subject_key(mail.subject)
        if sender_is(mail, TOUR_SENDERS) or ("suumo" in key and "見学予約" in key and "リクルートjds" not in key):
            return self._tour(mail)
        if any(marker in key for marker in _CONFIRMATION_MARKERS):
            return PortalResult(
                "confirmation", self.name, None,
                "SUUMO JDS address-confirmation mail: someone must confirm the address in JDS; not an inquiry",
            )  # fmt: skip
        if "反響お知らせ" not in key and "反響見学予約お知らせ" not in key:
            return PortalResult(
                "not_a_lead", self.name, None, f"SUUMO JDS notice, not an inquiry (subject 「{mail.subject[:80]}」)"
            )
        gathered = gather(scan(mail.text, VOCABULARY), VOCABULARY)
        if not gathered.fields and not contact_like(gathered.extra) and _says_notice_only(mail.text):
            return PortalResult(
                "not_a_lead", self.name, None,
                "SUUMO notice only (JDS set to 「通知のみ」): an inquiry arrived but the mail carries no customer "
                "details; read them in JDS or switch JDS to 「希望する(反響情報あり)」",
            )  # fmt: skip
        return lead_result(mail, gathered, source=self.name, display=DISPLAY, external_id=_jds_id)

    def _tour(self, mail: DecodedMail) -> PortalResult:
        gathered = gather(scan(mail.text, VOCABULARY), VOCABULARY)
        return lead_result(mail, gathered, source=self.name, display=DISPLAY, external_id=_tour_id)


def _says_notice_only(text: str) -> bool:
    head = text[:20_000]
    return any(hint in head for hint in _NOTICE_ONLY_HINTS)


def _jds_id(gathered: Gathered) -> str | None:
    return gathered.facts.get("external_id")


def _tour_id(gathered: Gathered) -> str | None:
    number = gathered.facts.get("external_id")
    if number:
        return number
    return stable_id("suumo-tour", gathered.facts.get("received_at"), gathered.fields.get("full_name"))
