"""The registry and entry point, recognition by sender and subject, configurable label rules."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from renkei.sources.mail import DecodedMail
from renkei.sources.portals import PARSERS, PRESETS, LabelRules, detect, parse_portal_mail

JST = timezone(timedelta(hours=9))


def make_mail(subject: str, sender: str | None, text: str, date: datetime | None = None) -> DecodedMail:
    return DecodedMail(
        message_id="<x@example.jp>", subject=subject, from_addr=sender, from_display=None,
        to_addrs=("info@example.jp",), date=date, text=text, html=None, attachments=(), forwarded=False,
        forwarded_by=None, warnings=(),
    )  # fmt: skip


SUUMO_TEXT = "ID：A1\n名前（漢字）：山田　太郎\nメールアドレス：taro@example.jp\n"


def test_registry_holds_every_portal_and_preset() -> None:
    assert set(PARSERS) == {"suumo", "homes", "athome", "reguide", "ieul", "home4u", "yahoo-fudosan", "form"}
    assert set(PRESETS) <= set(PARSERS)


@pytest.mark.parametrize(
    "subject",
    [
        "[リクルートＪＤＳ]反響お知らせメール",
        "[リクルートJDS]反響お知らせメール",
        "［リクルートＪＤＳ］反響お知らせメール",
        "【リクルートＪＤＳ】反響（見学予約）お知らせメール",
        "Fwd: [リクルートｊｄｓ] 反響お知らせメール",
    ],
)
def test_suumo_subject_is_recognised_in_every_width_without_the_sender(subject: str) -> None:
    result = parse_portal_mail(make_mail(subject, None, SUUMO_TEXT), "suumo")
    assert result.verdict == "lead"
    assert result.record is not None and result.record.external_id == "A1"


def test_a_mail_of_another_portal_is_unrecognised_with_a_reason() -> None:
    mail = make_mail("[リクルートＪＤＳ]反響お知らせメール", "system@jds.suumo.jp", SUUMO_TEXT)
    result = parse_portal_mail(mail, "homes")
    assert result.verdict == "unrecognised" and result.source == "homes"
    assert "system@jds.suumo.jp" in (result.reason or "")
    assert detect(mail).source == "suumo"


def test_without_a_date_label_the_mail_date_is_used_in_japan_time() -> None:
    naive = datetime(2026, 8, 12, 10, 0)
    result = parse_portal_mail(make_mail("[リクルートＪＤＳ]反響お知らせメール", None, SUUMO_TEXT, naive), "suumo")
    assert result.record is not None and result.record.inquiry is not None
    received = result.record.inquiry.received_at
    assert received is not None and received.utcoffset() == timedelta(hours=9) and received.hour == 10


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        pytest.param("ID：A1\n名前（漢字）：山田　太郎\n", "メールアドレス/電話番号", id="no-contact"),
        pytest.param("ID：A1\nメールアドレス：taro@example.jp\n", "名前", id="no-name"),
        pytest.param(
            "ID：A1\n名前（漢字）：-\nＴＥＬ：なし\nメールアドレス：－\n", "名前 and メールアドレス", id="empty-markers"
        ),
    ],
)
def test_a_lead_without_contact_is_broken_and_says_what_is_missing(text: str, missing: str) -> None:
    result = parse_portal_mail(make_mail("[リクルートＪＤＳ]反響お知らせメール", "system@jds.suumo.jp", text), "suumo")
    assert result.verdict == "broken_lead" and result.record is None
    assert missing in (result.reason or "") and "layout may have changed" in (result.reason or "")


def test_unknown_kind_and_preset_are_configuration_errors() -> None:
    mail = make_mail("x", None, "")
    with pytest.raises(KeyError, match="unknown portal kind"):
        parse_portal_mail(mail, "nosuchportal")
    with pytest.raises(KeyError, match="needs a preset"):
        parse_portal_mail(mail, "mail-labels")
    with pytest.raises(KeyError, match="unknown mail-labels preset"):
        parse_portal_mail(mail, "mail-labels", "nosuchpreset")


CUSTOM = LabelRules(
    name="my-portal",
    display_name="マイポータル",
    senders=("@portal.example.jp",),
    subject_patterns=(r"お問い合わせ通知",),
    labels={"full_name": ("顧客",), "phone": ("連絡先",), "memo": ("メモ",)},
    facts={"external_id": ("受付番号",), "received_at": ("受付",)},
    required=("memo",),
)


def test_custom_label_rules_read_their_own_labels() -> None:
    text = "受付番号：X-1\n受付：2026/08/01 09:00\n顧客：山田　太郎\n連絡先：090-1234-5678\nメモ：至急\n"
    mail = make_mail("お問い合わせ通知", "noreply@mail.portal.example.jp", text)
    result = parse_portal_mail(mail, "mail-labels", CUSTOM)
    assert result.verdict == "lead" and result.source == "my-portal"
    assert result.record is not None and result.record.inquiry is not None
    assert dict(result.record.fields) == {"full_name": "山田　太郎", "phone": "090-1234-5678", "memo": "至急"}
    assert result.record.external_id == "X-1"
    assert result.record.inquiry.source == "マイポータル"
    assert result.record.inquiry.received_at == datetime(2026, 8, 1, 9, 0, tzinfo=JST)


def test_custom_rules_enforce_their_required_targets() -> None:
    mail = make_mail("お問い合わせ通知", None, "顧客：山田　太郎\n連絡先：090-1234-5678\n")
    result = parse_portal_mail(mail, "mail-labels", CUSTOM)
    assert result.verdict == "broken_lead" and "memo" in (result.reason or "")


def test_custom_rules_sender_without_lead_subject_is_not_a_lead() -> None:
    mail = make_mail("メンテナンスのお知らせ", "info@portal.example.jp", "顧客：山田　太郎\n連絡先：090-1234-5678\n")
    assert parse_portal_mail(mail, "mail-labels", CUSTOM).verdict == "not_a_lead"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        pytest.param({"labels": {"fax": ("FAX",)}}, "unknown target", id="unknown-target"),
        pytest.param({"labels": {}, "facts": {"price_yen": ("価格",)}}, "unknown inquiry fact", id="unknown-fact"),
        pytest.param({"labels": {}, "subject_patterns": ("([",)}, "not a regular expression", id="bad-pattern"),
        pytest.param({"labels": {}, "required": ("email|fax",)}, "unknown required target", id="bad-required"),
    ],
)
def test_label_rules_validate_their_settings(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        LabelRules(display_name="x", **settings)  # type: ignore[arg-type]


def test_athome_external_id_is_property_number_and_inquiry_minute() -> None:
    text = "株式会社サンプル　御中\nお問合わせ日時　：2026/08/18 19:07\nat home 物件番号：123\nお名前：山田　太郎\n電話番号：090-1234-5678\n"
    result = parse_portal_mail(make_mail("アットホームからのお知らせ", "mailtofax@athome.jp", text), "athome")
    assert result.record is not None and result.record.external_id == "athome:123:202608181907"


@pytest.mark.parametrize(
    "subject",
    ["アットホーム（スマートフォンサイト・アプリ）からのお知らせ", "アットホームからのお知らせ（お電話がありました）"],
)
def test_athome_phone_call_notice_is_not_a_lead_whatever_its_subject(subject: str) -> None:
    text = (
        "株式会社サンプル　御中\nお客様からお電話がありました。\n着信日時　：2026/08/19 10:15\nat home 物件番号：123\n"
    )
    result = parse_portal_mail(make_mail(subject, "mailtofax@athome.jp", text), "athome")
    assert result.verdict == "not_a_lead" and "without an inquiry" in (result.reason or "")
