"""Forwarded portal mails: inline (Gmail, Outlook, Thunderbird, quoted) and as message/rfc822."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest
from tests.unit.mail.mail_samples import SUUMO_BODY, encode_cp50220, encoded_word, mail, suumo_mail

from renkei.sources.mail import decode_mail

JST = timezone(timedelta(hours=9))
SUBJECT = "[リクルートＪＤＳ]反響お知らせメール"
ORIGINAL_DATE = datetime(2026, 8, 12, 2, 4, tzinfo=JST)

GMAIL = f"""\
佐藤さん、こちらの反響の対応をお願いします。

---------- Forwarded message ---------
From: リクルート <system@jds.suumo.jp>
Date: 2026年8月12日(水) 2:04
Subject: {SUBJECT}
To: <info@sample-fudosan.co.jp>


{SUUMO_BODY}"""

GMAIL_EN = f"""\
FYI

---------- Forwarded message ---------
From: リクルート <system@jds.suumo.jp>
Date: Wed, Aug 12, 2026 at 2:04 AM
Subject: {SUBJECT}
To: <info@sample-fudosan.co.jp>


{SUUMO_BODY}"""

OUTLOOK_EN = f"""\
Please handle.

-----Original Message-----
From: リクルート [mailto:system@jds.suumo.jp]
Sent: Wednesday, August 12, 2026 2:04 AM
To: info@sample-fudosan.co.jp
Subject: {SUBJECT}

{SUUMO_BODY}"""

OUTLOOK_JA = f"""\
ご確認ください。

-----元のメッセージ-----
差出人: リクルート <system@jds.suumo.jp>
送信日時: 2026年8月12日 水曜日 2:04
宛先: info@sample-fudosan.co.jp
件名: {SUBJECT}

{SUUMO_BODY}"""

OUTLOOK_BARE = f"""\
対応お願いします。

________________________________
差出人: system@jds.suumo.jp <system@jds.suumo.jp>
送信日時: 2026年8月12日 2:04
宛先: 営業部 <info@sample-fudosan.co.jp>
件名: {SUBJECT}

{SUUMO_BODY}"""

OUTLOOK_NO_RULE = f"""\
対応お願いします。

From: リクルート <system@jds.suumo.jp>
Sent: Wednesday, August 12, 2026 2:04 AM
To: info@sample-fudosan.co.jp
Subject: {SUBJECT}

{SUUMO_BODY}"""

THUNDERBIRD = f"""\

-------- Forwarded Message --------
Subject: \t{SUBJECT}
Date: \tWed, 12 Aug 2026 02:04:00 +0900
From: \tリクルート <system@jds.suumo.jp>
To: \tinfo@sample-fudosan.co.jp



{SUUMO_BODY}"""

THUNDERBIRD_JA = f"""\

-------- 転送メッセージ --------
件名: \t{SUBJECT}
日付: \tWed, 12 Aug 2026 02:04:00 +0900
差出人: \tリクルート <system@jds.suumo.jp>
宛先: \tinfo@sample-fudosan.co.jp

{SUUMO_BODY}"""

QUOTED = "転送します。\n\n" + "\n".join(
    "> " + line if line else ">"
    for line in f"""\
-----Original Message-----
From: リクルート <system@jds.suumo.jp>
Sent: 2026/08/12 2:04
To: info@sample-fudosan.co.jp
Subject: {SUBJECT}

{SUUMO_BODY}""".split("\n")
)


def _forwarding_mail(text: str, subject: str = "Fwd: " + SUBJECT) -> bytes:
    return mail(
        "From: Hanako Sato <Hanako.Sato@sample-fudosan.co.jp>\nTo: sales@sample-fudosan.co.jp\n"
        f"Subject: {encoded_word(subject)}\nDate: Wed, 12 Aug 2026 09:30:00 +0900\n"
        "Message-ID: <fwd-1@sample-fudosan.co.jp>\nContent-Type: text/plain; charset=ISO-2022-JP",
        encode_cp50220(text).replace(b"\n", b"\r\n"),
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(GMAIL, id="gmail-japanese-date"),
        pytest.param(GMAIL_EN, id="gmail-english-date"),
        pytest.param(OUTLOOK_EN, id="outlook-original-message"),
        pytest.param(OUTLOOK_JA, id="outlook-moto-no-message"),
        pytest.param(OUTLOOK_BARE, id="outlook-rule-and-sashidashinin-block"),
        pytest.param(OUTLOOK_NO_RULE, id="outlook-from-sent-block"),
        pytest.param(THUNDERBIRD, id="thunderbird"),
        pytest.param(THUNDERBIRD_JA, id="thunderbird-tensou-message"),
        pytest.param(QUOTED, id="quoted-forward"),
    ],
)
def test_inline_forward_is_unwrapped(text: str) -> None:
    decoded = decode_mail(_forwarding_mail(text))
    assert decoded.forwarded
    assert decoded.forwarded_by == "hanako.sato@sample-fudosan.co.jp"
    assert decoded.subject == SUBJECT
    assert decoded.from_addr == "system@jds.suumo.jp"
    assert decoded.date == ORIGINAL_DATE
    assert decoded.text.strip("\n") == SUUMO_BODY.strip("\n")
    assert "名前（漢字）：山田　太郎" in decoded.text
    assert decoded.message_id == "<fwd-1@sample-fudosan.co.jp>"
    assert decoded.to_addrs == ("sales@sample-fudosan.co.jp",)


def test_reply_with_original_message_block_is_not_a_forward() -> None:
    decoded = decode_mail(_forwarding_mail(OUTLOOK_EN, subject="RE: " + SUBJECT))
    assert not decoded.forwarded
    assert decoded.from_addr == "hanako.sato@sample-fudosan.co.jp"


def test_plain_mail_is_not_a_forward() -> None:
    decoded = decode_mail(suumo_mail())
    assert not decoded.forwarded and decoded.forwarded_by is None


def test_forward_as_message_rfc822_attachment() -> None:
    original = suumo_mail()
    raw = mail(
        "From: Hanako Sato <hanako.sato@sample-fudosan.co.jp>\nTo: sales@sample-fudosan.co.jp\n"
        "Subject: FW: =?ISO-2022-JP?B?GyRCSD82QRsoQg==?=\nDate: Wed, 12 Aug 2026 09:30:00 +0900\n"
        "Message-ID: <fwd-2@sample-fudosan.co.jp>\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=outer",
        b"--outer\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + "添付の反響をご確認ください。\r\n".encode()
        + b"--outer\r\nContent-Type: message/rfc822\r\n"
        + b"Content-Disposition: attachment; filename=lead.eml\r\n\r\n"
        + original
        + b"\r\n--outer--\r\n",
    )
    decoded = decode_mail(raw)
    assert decoded.forwarded
    assert decoded.forwarded_by == "hanako.sato@sample-fudosan.co.jp"
    assert decoded.subject == SUBJECT
    assert decoded.from_addr == "system@jds.suumo.jp"
    assert decoded.date == datetime(2026, 8, 12, 2, 4, 10, tzinfo=JST)
    assert decoded.text == SUUMO_BODY
    assert decoded.message_id == "<fwd-2@sample-fudosan.co.jp>"
    assert all(a.content_type != "message/rfc822" for a in decoded.attachments)


def test_bounce_with_attached_message_is_not_a_forward() -> None:
    raw = mail(
        "From: MAILER-DAEMON@mx.example.jp\nTo: info@sample-fudosan.co.jp\nSubject: Returned mail\n"
        "Message-ID: <b@x>\nContent-Type: multipart/mixed; boundary=b",
        b"--b\r\nContent-Type: text/plain\r\n\r\nUser unknown\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"
        + suumo_mail()
        + b"\r\n--b--\r\n",
    )
    decoded = decode_mail(raw)
    assert not decoded.forwarded
    assert decoded.subject == "Returned mail"
    assert [a.content_type for a in decoded.attachments] == ["message/rfc822"]
    returned = decode_mail(decoded.attachments[0].data)
    assert (returned.subject, returned.text) == (SUBJECT, SUUMO_BODY)


def test_gmail_html_only_forward_is_unwrapped() -> None:
    body_html = SUUMO_BODY.replace("\n", "<br>\n")
    html = (
        '<div dir="ltr">確認お願いします<br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
        "---------- Forwarded message ---------<br>"
        'From: <strong class="gmail_sendername" dir="auto">リクルート</strong> '
        '<span dir="auto">&lt;<a href="mailto:system@jds.suumo.jp">system@jds.suumo.jp</a>&gt;</span><br>'
        "Date: 2026年8月12日(水) 2:04<br>"
        f"Subject: {SUBJECT}<br>"
        'To: &lt;<a href="mailto:info@sample-fudosan.co.jp">info@sample-fudosan.co.jp</a>&gt;<br></div>'
        f"<br><br>{body_html}</div></div>"
    )
    raw = mail(
        "From: hanako.sato@sample-fudosan.co.jp\nSubject: Fwd: x\nMessage-ID: <f@x>\n"
        "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit",
        html,
    )
    decoded = decode_mail(raw)
    assert decoded.forwarded and decoded.forwarded_by == "hanako.sato@sample-fudosan.co.jp"
    assert (decoded.subject, decoded.from_addr, decoded.from_display) == (
        SUBJECT,
        "system@jds.suumo.jp",
        "リクルート",
    )
    assert decoded.date == ORIGINAL_DATE
    assert decoded.text == SUUMO_BODY


def test_base64_encoded_attached_message_is_read() -> None:
    raw = mail(
        "From: hanako.sato@sample-fudosan.co.jp\nSubject: FW: lead\nMessage-ID: <f@x>\n"
        "Content-Type: multipart/mixed; boundary=outer",
        b"--outer\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--outer\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(suumo_mail())
        + b"\r\n--outer--\r\n",
    )
    decoded = decode_mail(raw)
    assert decoded.forwarded
    assert (decoded.subject, decoded.from_addr, decoded.text) == (SUBJECT, "system@jds.suumo.jp", SUUMO_BODY)
