"""PPAP's password mail read (sources.ppap)."""

from __future__ import annotations

import pytest

from renkei.sources.ppap import MAX_CANDIDATES, is_password_notice, passwords_in


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("パスワード：Ab3dE9xY", ["Ab3dE9xY"], id="colon"),
        pytest.param("パスワード : Ab3dE9xY", ["Ab3dE9xY"], id="spaced-colon"),
        pytest.param("解凍パスワード　Ab3dE9xY", ["Ab3dE9xY"], id="full-width-space"),
        pytest.param("【パスワード】\nAb3dE9xY", ["Ab3dE9xY"], id="next-line"),
        pytest.param("■パスワード\n\nAb3dE9xY\n", ["Ab3dE9xY"], id="after-a-blank-line"),
        pytest.param("パスワードは「Ab3dE9xY」です。", ["Ab3dE9xY"], id="quoted"),
        pytest.param("パスワードは Ab3dE9xY です", ["Ab3dE9xY"], id="wa-desu"),
        pytest.param("PW: Ab3dE9xY", ["Ab3dE9xY"], id="pw"),
        pytest.param("Password: x7#Kp2!q", ["x7#Kp2!q"], id="english-with-marks"),
        pytest.param("パスワード：ＡＢｃｄ１２３４", ["ABcd1234"], id="full-width"),
        pytest.param("The password for the attachment is: Qw12er34", ["Qw12er34"], id="english-sentence"),
        pytest.param("Your password is Qw12er34.", ["Qw12er34"], id="english-is"),
        pytest.param("パスワード【 Gt44aa11 】", ["Gt44aa11"], id="spaced-brackets"),
        pytest.param("[添付ファイル名] 会員.zip\n[パスワード] Ab12Cd34", ["Ab12Cd34"], id="gateway-table"),
        pytest.param(
            "先ほどのファイルのパスワードをお知らせします。\n\nパスワード：x7#Kp2!q\n\nよろしくお願いします。",
            ["x7#Kp2!q"],
            id="in-a-letter",
        ),
        pytest.param(
            "添付ファイル「会員.zip」のパスワードは以下の通りです。\n\nAb3dE9xY\n",
            ["Ab3dE9xY"],
            id="below-the-sentence",
        ),
        pytest.param("> パスワード：old12345\nパスワード：new12345", ["new12345"], id="quoted-earlier-mail-ignored"),
        pytest.param("パスワードは別途お送りします。", [], id="says-it-comes-later"),
        pytest.param("パスワード：taro@example.jp\nhttps://example.jp/x", [], id="an-address-is-no-password"),
    ],
)
def test_the_passwords_a_notice_tells(text, expected):
    assert passwords_in(text) == expected


def test_at_most_a_few_candidates_are_tried():
    text = "\n".join(f"パスワード{n}：candidate{n}" for n in range(20))
    assert len(passwords_in(text)) == MAX_CANDIDATES


def test_a_password_notice_is_told_by_its_words():
    assert is_password_notice("【パスワードのお知らせ】会員リスト", "")
    assert is_password_notice("Re: 会員リスト", "Password: abc12345")
    assert not is_password_notice("会員リスト", "添付します。")
