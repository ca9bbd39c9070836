"""E-mail addresses: trim, fold width, lower-case, reject non-addresses."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from renkei.core.errors import NormalizationError
from renkei.core.normalize import normalize_email, plain_email


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("taro@example.jp", "taro@example.jp", id="canonical"),
        pytest.param("  taro@example.jp\u3000", "taro@example.jp", id="trimmed"),
        pytest.param("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp", id="full-width"),
        pytest.param("Taro.Yamada@Example.CO.JP", "taro.yamada@example.co.jp", id="whole-address-lower"),
        pytest.param("taro+crm@example.jp", "taro+crm@example.jp", id="plus-tag"),
        pytest.param("mailto:Taro@example.jp", "taro@example.jp", id="mailto-prefix"),
        pytest.param("o'brien@example.com", "o'brien@example.com", id="apostrophe"),
        pytest.param("taro@mail.xn--wgv71a.jp", "taro@mail.xn--wgv71a.jp", id="punycode-label"),
        pytest.param("taro..yamada.@docomo.ne.jp", "taro..yamada.@docomo.ne.jp", id="legacy-docomo"),
        pytest.param("taro..yamada.@au.com", "taro..yamada.@au.com", id="legacy-au-after-its-move-to-au-com"),
        pytest.param("Taro.@EZweb.ne.jp", "taro.@ezweb.ne.jp", id="legacy-ezweb"),
    ],
)
def test_normalize_email(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("taro.example.jp", "no @", id="no-at"),
        pytest.param("taro@@example.jp", "more than one @", id="two-ats"),
        pytest.param("ta ro@example.jp", "space", id="space-inside"),
        pytest.param("taro@ example.jp", "space", id="space-after-at"),
        pytest.param("@example.jp", "nothing before", id="empty-local"),
        pytest.param("taro@", "nothing after", id="empty-domain"),
        pytest.param("taro@localhost", "no dot", id="domain-without-dot"),
        pytest.param("taro..yamada@example.jp", "dot", id="consecutive-dots-local"),
        pytest.param(".taro@example.jp", "dot", id="leading-dot"),
        pytest.param("taro.@example.jp", "dot", id="trailing-dot-outside-carriers"),
        pytest.param("taro@example..jp", "host name", id="consecutive-dots-domain"),
        pytest.param("taro@-example.jp", "host name", id="label-starts-with-hyphen"),
        pytest.param("taro@example.jp.", "host name", id="trailing-dot-domain"),
        pytest.param("taro@example.123", "host name", id="numeric-tld"),
        pytest.param("太郎@example.jp", "not allowed", id="non-ascii-local"),
        pytest.param("taro@例え.jp", "not allowed", id="unicode-domain"),
        pytest.param("山田太郎 <taro@example.jp>", "not allowed", id="display-name"),
        pytest.param("ta(ro)@example.jp", "not allowed", id="comment"),
        pytest.param("a" * 65 + "@example.jp", "too long", id="local-too-long"),
        pytest.param("taro@gmail.con", "ends in .con, which no mail can be sent to (.com mistyped?)", id="dot-con"),
        pytest.param("Taro@Gmail.Cpm", "(.com mistyped?)", id="dot-cpm-any-case"),
        pytest.param("taro@yahoo.co.jpp", "ends in .jpp, which no mail can be sent to (.jp mistyped?)", id="dot-jpp"),
        pytest.param("taro@ezweb.nejp", "(.ne.jp mistyped?)", id="ne-jp-without-its-dot"),
        pytest.param("taro@example.cojp", "(.co.jp mistyped?)", id="co-jp-without-its-dot"),
        pytest.param("taro@gmail.c", "ends in .c, which is no top-level domain", id="one-letter-ending"),
    ],
)
def test_normalize_email_rejects(raw: str, reason: str) -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_email(raw)
    assert reason in info.value.reason
    assert info.value.value == raw


def _full_width(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


@given(st.emails(), st.booleans(), st.booleans())
def test_normalize_email_is_idempotent(address: str, upper: bool, wide: bool) -> None:
    raw = address.upper() if upper else address
    raw = _full_width(raw) if wide else raw
    try:
        once = normalize_email(raw)
    except NormalizationError:
        assume(False)
        raise
    assert normalize_email(once) == once
    assert once == once.lower().strip()


@pytest.mark.parametrize(
    "address",
    ["taro@example.co", "taro@example.cm", "taro@example.jo", "taro@con.example.jp", "taro@example.community"],
)
def test_endings_that_are_top_level_domains_are_addresses(address: str) -> None:
    # Colombia's .co, Cameroon's .cm, Jordan's .jo: mistyped or not, mail can be sent there.
    assert normalize_email(address) == address
    assert plain_email(address) == address


def test_a_mistyped_ending_takes_no_quick_path() -> None:
    assert plain_email("taro@gmail.con") is None
