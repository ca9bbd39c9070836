"""at home inquiry mails (``mailtofax@athome.jp``).

Inquiries (subject such as ``アットホーム（スマートフォンサイト・アプリ）からのお知らせ``) start with
``<会社名> 御中`` and pad their labels with full-width spaces before a full-width colon; the free text
sits under ``＜物件に関するお問合せ内容＞`` until a rule line. The same sender sends newsletters and
phone-call notices under similar subjects, so a mail is read as an inquiry only when its body has the
inquiry's labels. The id is ``athome:<物件番号>:<YYYYmmddHHMM of お問合わせ日時>``.
"""

from __future__ import annotations

from renkei.core.normalize import JST, normalize_label
from renkei.sources.mail import DecodedMail
from renkei.sources.portals.base import PortalResult, sender_is, subject_key
from renkei.sources.portals.labels import scan, vocabulary
from renkei.sources.portals.leads import (
    COMMON_FACTS,
    COMMON_MULTILINE,
    COMMON_TARGETS,
    Gathered,
    gather,
    lead_result,
    parse_received_at,
)

__all__ = ["AthomeParser"]

SENDERS = frozenset({"mailtofax@athome.jp"})
DISPLAY = "at home"

VOCABULARY = vocabulary(
    targets=COMMON_TARGETS,
    facts={
        **COMMON_FACTS,
        "property_name": ("建物名", "物件名"),
        "property_code": ("at home 物件番号", "athome物件番号", "アットホーム物件番号", "物件番号"),
        "own_property_code": ("貴社物件管理番号", "自社物件管理番号", "貴社管理番号"),
    },
    other=("物件種目", "物件種別", "交通", "所在地", "面積", "専有面積", "連絡希望の時間帯", "希望連絡方法", "会社名"),
    multiline=COMMON_MULTILINE,
    headings=("物件情報", "お客様情報", "お問合せ物件", "お問合せ者情報"),
)  # fmt: skip
_INQUIRY_KEYS = frozenset(
    map(normalize_label, ("お問合わせ日時", "お問合せ日時", "物件に関するお問合せ内容"))
) | frozenset(VOCABULARY.targets)
_NOTICE_SUBJECTS = ("メールマガジン", "メルマガ", "ニュース", "メンテナンス", "電話", "着信", "通話", "セミナー")


class AthomeParser:
    """at home inquiry mails; the sender's newsletters and phone-call notices are not leads."""

    name = "athome"

    def recognises(self, mail: DecodedMail) -> bool:
        return sender_is(mail, SENDERS) or ("アットホーム" in mail.subject and "からのお知らせ" in mail.subject)

    def parse(self, mail: DecodedMail) -> PortalResult:
        if not self.recognises(mail):
            return PortalResult("unrecognised", self.name, None, "not an at home mail (sender and subject unknown)")
        key = subject_key(mail.subject)
        found = scan(mail.text, VOCABULARY)
        if any(word in key for word in _NOTICE_SUBJECTS) or not any(item.key in _INQUIRY_KEYS for item in found):
            return PortalResult(
                "not_a_lead", self.name, None,
                f"at home notice without an inquiry (newsletter or phone-call notice; subject 「{mail.subject[:80]}」)",
            )  # fmt: skip
        gathered = gather(found, VOCABULARY)

        def inquiry_id(gathered: Gathered) -> str | None:
            number = gathered.facts.get("property_code")
            received = parse_received_at(gathered.facts.get("received_at"), mail)
            if not number or received is None:
                return None
            return f"athome:{number.strip()}:{received.astimezone(JST).strftime('%Y%m%d%H%M')}"

        return lead_result(mail, gathered, source=self.name, display=DISPLAY, external_id=inquiry_id)
