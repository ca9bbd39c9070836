"""Invented sample mails for the mail-decoding tests (every name, address and value is made up)."""

from __future__ import annotations

import base64


def encode_cp50220(text: str) -> bytes:
    """ISO-2022-JP as Windows writes it (CP50220): cp932 characters, NEC row 13 included."""
    out = bytearray()
    mode = b"\x1b(B"
    for char in text:
        sjis = char.encode("cp932")
        if len(sjis) == 1:
            kana = 0xA1 <= sjis[0] <= 0xDF  # half-width katakana: JIS X 0201 after ESC ( I
            wanted = b"\x1b(I" if kana else b"\x1b(B"
            if mode != wanted:
                out += wanted
                mode = wanted
            out += bytes([sjis[0] - 0x80]) if kana else sjis
            continue
        if mode != b"\x1b$B":
            out += b"\x1b$B"
            mode = b"\x1b$B"
        s1, s2 = sjis
        s1 -= 0x70 if s1 < 0xA0 else 0xB0
        row = s1 * 2 - (1 if s2 < 0x9F else 0)
        cell = s2 - (0x1F + (1 if s2 >= 0x80 else 0) if s2 < 0x9F else 0x7E)
        out += bytes((row, cell))
    if mode != b"\x1b(B":
        out += b"\x1b(B"
    return bytes(out)


def encoded_word(text: str, charset: str = "ISO-2022-JP") -> str:
    data = encode_cp50220(text) if charset.upper() == "ISO-2022-JP" else text.encode(charset)
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


SUUMO_BODY = """\
株式会社サンプル不動産　御中

SUUMOをご利用いただき、ありがとうございます。
以下の内容で反響がありました。

反響到着日時 2026/08/12 02:04:10
ID：A1234567890
お問合せ企画：賃貸
物件名：サンプルハイツ①　１０３号室
物件コード：100012345678
貴社物件コード：SMP-0042
最寄り駅：ＪＲ山手線／目黒駅　歩７分
所在地：東京都品川区上大崎９丁目
賃料：12.5万円
間取り：1LDK
専有面積：40.12㎡

名前（漢字）：山田　太郎
名前（カナ）：ヤマダ　タロウ
メールアドレス：taro.yamada@example.com
ＴＥＬ：０９０－１２３４－５６７８
お問合せ内容：
髙橋様のご紹介で連絡しました。
内見を希望します（土日可）～よろしくお願いします。
━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
㈱リクルート　Ⅲ
"""


def suumo_mail(body: str = SUUMO_BODY) -> bytes:
    """A SUUMO-like inquiry notice in ISO-2022-JP, 7bit, about 3 KB with its headers."""
    headers = (
        "Return-Path: <system@jds.suumo.jp>\r\n"
        "Received: from mx.example.jp (mx.example.jp [192.0.2.10])\r\n"
        "\tby mail.sample-fudosan.co.jp (Postfix) with ESMTP id 4AB12C3D4E\r\n"
        "\tfor <info@sample-fudosan.co.jp>; Wed, 12 Aug 2026 02:04:12 +0900 (JST)\r\n"
        "Message-ID: <20260812020410.A1234567890@jds.suumo.jp>\r\n"
        "Date: Wed, 12 Aug 2026 02:04:10 +0900\r\n"
        "From: =?ISO-2022-JP?B?GyRCJWolLyVrITwlSBsoQg==?= <system@jds.suumo.jp>\r\n"
        "To: info@sample-fudosan.co.jp\r\n"
        f"Subject: {encoded_word('[リクルートＪＤＳ]反響お知らせメール')}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=ISO-2022-JP\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
    ).encode("ascii")
    return headers + encode_cp50220(body).replace(b"\n", b"\r\n")


def mail(headers: str, body: bytes | str, charset: str = "utf-8") -> bytes:
    """A mail from header lines (\\n-separated, ASCII) and a body."""
    head = headers.strip("\n").replace("\n", "\r\n").encode("ascii") + b"\r\n\r\n"
    return head + (body.encode(charset) if isinstance(body, str) else body)
