"""LIFULL HOME'S: buyer/renter inquiries, new-house visit bookings and seller (査定) leads.

Inquiries come from ``support@homes.co.jp`` with ``お客様からの問合せ`` in the subject (id: 問合せ番号);
new-house visit bookings from ``support-k@homes.co.jp`` with ``【LIFULL HOME'S新築一戸建て見学予約】``
(id: 見学予約番号; the same booking may arrive twice and keeps its id); seller leads
(``【LIFULL HOME'S】＜実名＞査定依頼がありました``) are drawn in a ``┏━┓`` box (id: 査定ID（問合せ番号）).
Other mails from these senders are ``not_a_lead``.
"""

from __future__ import annotations

from renkei.sources.mail import DecodedMail
from renkei.sources.portals.base import PortalResult, sender_is, subject_key
from renkei.sources.portals.labels import scan, vocabulary
from renkei.sources.portals.leads import COMMON_FACTS, COMMON_MULTILINE, COMMON_TARGETS, Gathered, gather, lead_result

__all__ = ["HomesParser"]

SENDERS = frozenset({"support@homes.co.jp", "support-k@homes.co.jp"})
DISPLAY = "LIFULL HOME'S"
_LEAD_SUBJECTS = ("お客様からの問合せ", "お客様からの問い合わせ", "新築一戸建て見学予約", "見学予約", "査定依頼")

VOCABULARY = vocabulary(
    targets=COMMON_TARGETS,
    facts={
        **COMMON_FACTS,
        "external_id": (
            "問合せ番号", "お問合せ番号", "問い合わせ番号", "見学予約番号", "査定ID（問合せ番号）", "査定ID",
        ),
        "property_code": ("物件番号",),
        "own_property_code": ("自社管理番号", "貴社管理番号", "貴社物件番号"),
    },
    other=(
        "物件種別", "所在地", "物件所在地", "交通", "面積", "専有面積", "建物面積", "土地面積", "築年数", "築年月",
        "ご希望の連絡時間帯", "見学希望日", "希望連絡方法", "会社名", "店舗名", "査定方法", "現況", "売却希望時期",
        "査定理由", "名義",
    ),
    multiline=COMMON_MULTILINE,
    headings=(
        "お客様情報", "物件情報", "問合せ物件", "お問合せ物件", "お問合せ者情報", "査定物件情報", "査定依頼者情報",
    ),
)  # fmt: skip


class HomesParser:
    """LIFULL HOME'S inquiries, new-house visit bookings and seller leads."""

    name = "homes"

    def recognises(self, mail: DecodedMail) -> bool:
        return sender_is(mail, SENDERS) or "lifullhomes" in subject_key(mail.subject)

    def parse(self, mail: DecodedMail) -> PortalResult:
        if not self.recognises(mail):
            return PortalResult(
                "unrecognised", self.name, None, "not a LIFULL HOME'S mail (sender and subject unknown)"
            )
        key = subject_key(mail.subject)
        if not any(subject in key for subject in _LEAD_SUBJECTS):
            return PortalResult(
                "not_a_lead", self.name, None, f"LIFULL HOME'S notice, not an inquiry (subject 「{mail.subject[:80]}」)"
            )
        gathered = gather(scan(mail.text, VOCABULARY), VOCABULARY)
        return lead_result(mail, gathered, source=self.name, display=DISPLAY, external_id=_inquiry_id)


def _inquiry_id(gathered: Gathered) -> str | None:
    return gathered.facts.get("external_id")
