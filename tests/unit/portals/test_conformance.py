"""One conformance suite for every portal parser: golden mails in, expected verdicts and records out,
hostile input handled (always a verdict, never an exception)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renkei.sources.mail import DecodedMail, UndecodableMail, decode_mail
from renkei.sources.portals import PARSERS, PRESETS, PortalParser, PortalResult, detect, parse_portal_mail
from renkei.sources.portals.mail_labels import MailLabelsParser

CASES = Path(__file__).resolve().parents[2] / "cases" / "portals"
MAILS = sorted(CASES.glob("**/*.eml"))
VERDICTS = {"lead", "not_a_lead", "confirmation", "unrecognised", "broken_lead"}
FACTS = (
    "source", "external_id", "received_at", "property_code", "own_property_code", "property_name", "property_url",
    "price", "layout", "message",
)  # fmt: skip
CANONICAL = {
    "full_name",
    "full_name_kana",
    "last_name",
    "first_name",
    "email",
    "phone",
    "postal_code",
    "address",
    "memo",
    "company_name",
    "department",
    "title",
}


#: The parsers that tell their portal's mails by sender and subject: all but the presets that take
#: any mail their inbox receives (the web form's).
TOLD_BY_THE_MAIL = {
    name for name, parser in PARSERS.items() if not (isinstance(parser, MailLabelsParser) and parser.rules.any_sender)
}


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _expected(path: Path) -> dict[str, Any]:
    return json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _parse(path: Path, mail: DecodedMail) -> PortalResult:
    kind = path.parent.name
    if kind == "unrelated":
        return detect(mail)
    if kind in PRESETS:
        return parse_portal_mail(mail, "mail-labels", kind)
    return parse_portal_mail(mail, kind)


def assert_well_formed(result: PortalResult) -> None:
    """What every verdict promises, whatever the input."""
    assert result.verdict in VERDICTS
    if result.verdict == "lead":
        assert result.record is not None and result.reason is None
        fields = result.record.fields
        assert set(fields) <= CANONICAL
        assert all(value.strip() for value in fields.values())
        assert any(fields.get(name) for name in ("full_name", "full_name_kana", "last_name", "first_name"))
        assert fields.get("email") or fields.get("phone")
        assert result.record.locator == "mail body"
        assert result.record.inquiry is not None and result.record.external_id == result.record.inquiry.external_id
        assert result.record.external_id
        received = result.record.inquiry.received_at
        assert received is None or received.tzinfo is not None
    else:
        assert result.record is None
        assert result.reason and len(result.reason) > 10


def test_every_portal_has_golden_mails() -> None:
    portals = {path.parent.name for path in MAILS}
    assert portals >= {"suumo", "homes", "athome", "reguide", "ieul", "home4u", "form", "unrelated"}
    assert all(path.with_name(path.stem + ".expected.json").is_file() for path in MAILS)


@pytest.mark.parametrize("path", MAILS, ids=_id)
def test_golden_mail_gives_expected_result(path: Path) -> None:
    expected = _expected(path)
    mail = decode_mail(path.read_bytes())
    assert not any("\ufffd" in text for text in (mail.subject, mail.text))
    result = _parse(path, mail)
    assert_well_formed(result)
    assert (result.verdict, result.source) == (expected["verdict"], expected["source"]), result.reason
    if expected["verdict"] != "lead":
        assert expected["reason_contains"] in (result.reason or "")
        return
    assert result.record is not None and result.record.inquiry is not None
    assert result.record.external_id == expected["external_id"]
    assert dict(result.record.fields) == expected["fields"]
    inquiry = result.record.inquiry
    got = {name: getattr(inquiry, name) for name in FACTS}
    got["received_at"] = inquiry.received_at.isoformat() if inquiry.received_at else None
    assert got == expected["inquiry"]
    assert {key: inquiry.extra.get(key) for key in expected["extra"]} == expected["extra"]


@pytest.mark.parametrize("path", MAILS, ids=_id)
def test_golden_mail_is_recognised_by_its_own_parser_only(path: Path) -> None:
    mail = decode_mail(path.read_bytes())
    recognising = {name for name in TOLD_BY_THE_MAIL if PARSERS[name].recognises(mail)}
    kind = path.parent.name
    assert recognising == ({kind} if kind in TOLD_BY_THE_MAIL else set())
    if kind in TOLD_BY_THE_MAIL:
        assert detect(mail) == _parse(path, mail)
    elif kind != "unrelated":  # the web form's: any mail its inbox receives, no portal's
        assert PARSERS[kind].recognises(mail) and detect(mail).verdict == "unrecognised"


# --- hostile input, for every parser -------------------------------------------------------------------------


def _lead_mail(name: str) -> DecodedMail:
    """A real lead fixture of the parser ``name``: its sender and subject make the parser recognise it."""
    for path in MAILS:
        if path.parent.name == name and _expected(path)["verdict"] == "lead":
            return decode_mail(path.read_bytes())
    raise AssertionError(f"no lead fixture for {name}")


BOX_ONLY = "┏━━━━━━━━┓\n┃\n┃┃┃\n┗━━━━━━━━┛\n" * 50
LABELS_ONLY = "お名前：\nメールアドレス：\n電話番号：\n反響到着日時\nお問合せ内容：\n■お名前\n【電話番号】\n"
ONE_MEGABYTE = (
    "お名前：山田　太郎\nメールアドレス：a@example.jp\n■電話番号 : 090-1234-5678\n【物件名】" + "x" * 30 + "\n"
) * 9000
HOSTILE_TEXTS = {
    "empty-body": "",
    "whitespace": " \n\u3000\n\t\n",
    "labels-without-values": LABELS_ONLY,
    "box-drawing-only": BOX_ONLY,
    "nul-bytes": "お名前：\x00山田\x00\nメールアドレス：\x00\n\x00" * 100,
    "one-megabyte-of-labels": ONE_MEGABYTE,
    "one-long-line": "お名前：" + "あ" * 1_000_000,
    "colons-only": "：:：:\n" * 10_000,
    "unclosed-brackets": "【" * 50_000 + "\n＜" * 20_000,
    "only-rules": "━━━━\n────\n----\n====\n" * 1000,
}


@pytest.mark.parametrize("text_name", list(HOSTILE_TEXTS))
@pytest.mark.parametrize("parser_name", list(PARSERS))
def test_hostile_body_gives_a_verdict(parser_name: str, text_name: str) -> None:
    parser: PortalParser = PARSERS[parser_name]
    mail = replace(_lead_mail(parser_name), text=HOSTILE_TEXTS[text_name])
    result = parser.parse(mail)
    assert_well_formed(result)
    if text_name in ("empty-body", "whitespace", "labels-without-values", "box-drawing-only", "only-rules"):
        assert result.verdict != "lead"


@pytest.mark.parametrize("parser_name", sorted(TOLD_BY_THE_MAIL))
def test_empty_subject_and_sender_is_unrecognised(parser_name: str) -> None:
    mail = replace(_lead_mail(parser_name), subject="", from_addr=None)
    result = PARSERS[parser_name].parse(mail)
    assert result.verdict == "unrecognised" and result.reason


LEAD_MAILS = [path for path in MAILS if _expected(path)["verdict"] == "lead"]


@pytest.mark.parametrize("path", LEAD_MAILS, ids=_id)
def test_lead_truncated_anywhere_gives_a_verdict(path: Path) -> None:
    raw = path.read_bytes()
    for fraction in (0.3, 0.5, 0.7, 0.9):
        try:
            mail = decode_mail(raw[: int(len(raw) * fraction)])
        except UndecodableMail:
            continue
        assert_well_formed(_parse(path, mail))
    mail = decode_mail(raw)
    for cut in range(0, len(mail.text), max(1, len(mail.text) // 40)):
        assert_well_formed(_parse(path, replace(mail, text=mail.text[:cut])))


@pytest.mark.parametrize("path", LEAD_MAILS, ids=_id)
def test_lead_cut_before_the_customer_block_is_broken_not_a_lead(path: Path) -> None:
    mail = decode_mail(path.read_bytes())
    expected = _expected(path)
    first_value = min(mail.text.find(value) for value in expected["fields"].values() if value in mail.text)
    result = _parse(path, replace(mail, text=mail.text[:first_value]))
    assert result.verdict == "broken_lead"
    assert "missing" in (result.reason or "")


@given(
    text=st.text(
        alphabet=st.sampled_from(list("お名前メールアドレス電話番号：:■【】＜＞┃━─\n \u3000-ab@.0129（）第候補\t")),
        max_size=400,
    )
)
@settings(max_examples=200, deadline=None)
def test_random_label_soup_never_raises(text: str) -> None:
    for name, parser in PARSERS.items():
        assert_well_formed(parser.parse(replace(_LEAD_MAILS_BY_PARSER[name], text=text)))


_LEAD_MAILS_BY_PARSER = {name: _lead_mail(name) for name in PARSERS}
