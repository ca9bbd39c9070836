"""decode_mail on invented Japanese mails: headers, bodies, HTML, attachments."""

from __future__ import annotations

import base64
import quopri
from datetime import UTC, datetime, timedelta, timezone

import pytest
from tests.unit.mail.mail_samples import SUUMO_BODY, encode_cp50220, encoded_word, mail, suumo_mail

from renkei.sources.mail import Attachment, decode_mail

JST = timezone(timedelta(hours=9))


def test_suumo_iso2022jp_mail_keeps_nec_and_ibm_characters() -> None:
    decoded = decode_mail(suumo_mail())
    assert decoded.subject == "[リクルートＪＤＳ]反響お知らせメール"
    assert decoded.from_addr == "system@jds.suumo.jp"
    assert decoded.from_display == "リクルート"
    assert decoded.to_addrs == ("info@sample-fudosan.co.jp",)
    assert decoded.date == datetime(2026, 8, 12, 2, 4, 10, tzinfo=JST)
    assert decoded.message_id == "<20260812020410.A1234567890@jds.suumo.jp>"
    assert decoded.text == SUUMO_BODY
    assert "名前（漢字）：山田　太郎" in decoded.text
    assert "サンプルハイツ①" in decoded.text and "髙橋様" in decoded.text and "㈱リクルート　Ⅲ" in decoded.text
    assert decoded.warnings == ()
    assert not decoded.forwarded


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        pytest.param(encoded_word("㈱サンプル①"), "㈱サンプル①", id="iso2022jp-b-with-nec-chars"),
        pytest.param("=?shift_jis?Q?=82=A8=96=E2=8D=87=82=B9_test?=", "お問合せ test", id="shift-jis-q"),
        pytest.param(encoded_word("物件①", "utf-8"), "物件①", id="utf8-b"),
        pytest.param("=?x-unknown?B?" + base64.b64encode("反響".encode("cp932")).decode() + "?=", "反響",
                     id="unknown-charset"),
        pytest.param("=?utf-8?B?" + base64.b64encode("反響".encode("cp932")).decode() + "?=", "反響",
                     id="wrong-charset-label"),
        pytest.param("=?utf-8?B?" + base64.b64encode("反響メール".encode()[:4]).decode() + "?= =?utf-8?B?"
                     + base64.b64encode("反響メール".encode()[4:]).decode() + "?=", "反響メール",
                     id="utf8-char-split-across-words"),
        pytest.param("=?ISO-2022-JP?B?" + base64.b64encode(encode_cp50220("反響お知らせ")[:7]).decode()
                     + "?=\n =?ISO-2022-JP?B?" + base64.b64encode(encode_cp50220("反響お知らせ")[7:]).decode()
                     + "?=", "反響お知らせ", id="jis-split-mid-pair-across-folded-words"),
        pytest.param(f"FW: {encoded_word('反響')} (2)", "FW: 反響 (2)", id="words-mixed-with-text"),
        pytest.param("=?ISO-2022-JP?B?GyRCJEskYyE8JHMbKEI==?=", "にゃーん", id="excess-base64-padding"),
    ],
)  # fmt: skip
def test_encoded_word_subjects(subject: str, expected: str) -> None:
    raw = mail(f"From: a@example.jp\nMessage-ID: <1@example.jp>\nSubject: {subject}", "body")
    assert decode_mail(raw).subject == expected


@pytest.mark.parametrize(
    ("raw_subject", "expected"),
    [
        pytest.param("反響お知らせ①".encode("cp932"), "反響お知らせ①", id="raw-shift-jis"),
        pytest.param("反響お知らせ①".encode(), "反響お知らせ①", id="raw-utf8"),
        pytest.param(encode_cp50220("反響お知らせ"), "反響お知らせ", id="raw-iso2022jp"),
    ],
)
def test_raw_8bit_subjects(raw_subject: bytes, expected: str) -> None:
    raw = b"From: a@example.jp\r\nSubject: " + raw_subject + b"\r\n\r\nbody"
    assert decode_mail(raw).subject == expected


def test_display_name_and_addresses() -> None:
    raw = mail(
        f'From: "{encoded_word("山田　太郎")}" <Taro.Yamada@Example.COM>\n'
        f"To: {encoded_word('営業部')} <sales@sample.co.jp>, other@sample.co.jp\n"
        "Date: Wed, 12 Aug 2026 02:04:10 +0900\nMessage-ID: <x@y>\nSubject: s",
        "body",
    )
    decoded = decode_mail(raw)
    assert decoded.from_addr == "taro.yamada@example.com"
    assert decoded.from_display == "山田　太郎"
    assert decoded.to_addrs == ("sales@sample.co.jp", "other@sample.co.jp")


@pytest.mark.parametrize(
    ("date", "expected", "warned"),
    [
        pytest.param("Wed, 12 Aug 2026 02:04:10 +0900 (JST)", datetime(2026, 8, 12, 2, 4, 10, tzinfo=JST),
                     False, id="rfc5322"),
        pytest.param("Wed, 12 Aug 2026 02:04:10 -0000", datetime(2026, 8, 12, 2, 4, 10, tzinfo=UTC),
                     False, id="minus-zero-is-utc"),
        pytest.param("Wed, 12 Aug 2026 02:04:10", datetime(2026, 8, 12, 2, 4, 10, tzinfo=JST), True,
                     id="no-zone-read-as-jst"),
        pytest.param("yesterday", None, True, id="unreadable"),
    ],
)  # fmt: skip
def test_dates_are_aware(date: str, expected: datetime | None, warned: bool) -> None:
    decoded = decode_mail(mail(f"From: a@example.jp\nMessage-ID: <1@x>\nDate: {date}", "b"))
    assert decoded.date == expected
    assert decoded.date is None or decoded.date.tzinfo is not None
    assert bool(decoded.warnings) == warned


def test_quoted_printable_iso2022jp_body() -> None:
    body = quopri.encodestring(encode_cp50220("お問合せ内容：\n見学希望①\n"))
    raw = mail(
        "From: a@example.jp\nMessage-ID: <1@x>\nContent-Type: text/plain; charset=iso-2022-jp\n"
        "Content-Transfer-Encoding: quoted-printable",
        body,
    )
    assert decode_mail(raw).text == "お問合せ内容：\n見学希望①\n"


def test_shift_jis_8bit_body_and_base64_utf8_body() -> None:
    sjis = mail("From: a@x.jp\nMessage-ID: <1@x>\nContent-Type: text/plain; charset=Shift_JIS", "～①㈱", "cp932")
    assert decode_mail(sjis).text == "～①㈱"
    utf8 = mail(
        "From: a@x.jp\nMessage-ID: <1@x>\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64",
        base64.encodebytes("名前：山田　太郎\r\n".encode()),
    )
    assert decode_mail(utf8).text == "名前：山田　太郎\n"


def _multipart(boundary: str, parts: list[str]) -> str:
    return "".join(f"--{boundary}\r\n{part}\r\n" for part in parts) + f"--{boundary}--\r\n"


def test_alternative_prefers_plain_text() -> None:
    body = _multipart(
        "alt",
        [
            "Content-Type: text/plain; charset=utf-8\r\n\r\nプレーン本文",
            "Content-Type: text/html; charset=utf-8\r\n\r\n<p>HTML本文</p>",
        ],
    )
    raw = mail("From: a@x.jp\nMessage-ID: <1@x>\nContent-Type: multipart/alternative; boundary=alt", body)
    decoded = decode_mail(raw)
    assert decoded.text.strip() == "プレーン本文"
    assert decoded.html is not None and "HTML本文" in decoded.html


def test_html_only_mail_is_converted_to_text() -> None:
    html = (
        "<html><head><style>td {color: red}</style><script>alert('x')</script></head><body>"
        "<div>反響がありました。</div><p>名前（漢字）：山田&nbsp;太郎<br>ＴＥＬ：090&#8208;1234&#x2d;5678</p>"
        "<table><tr><td>物件名</td><td>サンプルハイツ</td></tr><tr><td>賃料</td><td>12.5万円</td></tr></table>"
        '<a href="https://suumo.jp/chintai/bc_100012345678/">物件詳細画面</a> &lt;注&gt;</body></html>'
    )
    raw = mail(
        "From: a@x.jp\nMessage-ID: <1@x>\nContent-Type: text/html; charset=iso-2022-jp",
        encode_cp50220(html),
    )
    decoded = decode_mail(raw)
    assert decoded.text == (
        "反響がありました。\n名前（漢字）：山田 太郎\nＴＥＬ：090‐1234-5678\n物件名\tサンプルハイツ\n"
        "賃料\t12.5万円\n物件詳細画面 <https://suumo.jp/chintai/bc_100012345678/> <注>\n"
    )
    assert decoded.html == html


def test_nested_multipart_with_csv_and_encoded_filenames() -> None:
    csv = "氏名,電話番号\r\n山田　太郎,090-1234-5678\r\n".encode("cp932")
    inner = _multipart(
        "alt",
        [
            "Content-Type: text/plain; charset=iso-2022-jp\r\n\r\n" + encode_cp50220("本文です").decode(),
            "Content-Type: text/html; charset=utf-8\r\n\r\n<p>本文です</p>",
        ],
    )
    body = _multipart(
        "mix",
        [
            "Content-Type: multipart/alternative; boundary=alt\r\n\r\n" + inner,
            "Content-Type: text/csv; charset=Shift_JIS\r\nContent-Disposition: attachment; "
            f'filename="{encoded_word("顧客一覧.csv")}"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            + base64.encodebytes(csv).decode(),
            "Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; "
            "filename*=utf-8''%E5%8F%8D%E9%9F%BF.txt\r\n\r\nメモ",
            'Content-Type: image/png; name="../../etc/map.png"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            + base64.b64encode(b"\x89PNG\r\n").decode(),
        ],
    )
    raw = mail("From: a@x.jp\nMessage-ID: <1@x>\nContent-Type: multipart/mixed; boundary=mix", body)
    decoded = decode_mail(raw)
    assert decoded.text.strip() == "本文です"
    assert decoded.attachments == (
        Attachment("顧客一覧.csv", "text/csv", csv),
        Attachment("反響.txt", "text/plain", "メモ".encode()),
        Attachment("map.png", "image/png", b"\x89PNG\r\n"),
    )


def test_utf8_bom_is_dropped() -> None:
    raw = mail("From: a@x.jp\nMessage-ID: <1@x>\nContent-Type: text/plain; charset=utf-8", "\ufeff本文")
    assert decode_mail(raw).text == "本文"
