"""Name readings into full-width katakana."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from renkei.core.errors import NormalizationError
from renkei.core.normalize import to_katakana


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("ヤマダ タロウ", "ヤマダ タロウ", id="canonical"),
        pytest.param("やまだ　たろう", "ヤマダ タロウ", id="hiragana-full-width-space"),
        pytest.param("ヤマダ　タロウ", "ヤマダ タロウ", id="katakana-full-width-space"),
        pytest.param("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ", id="half-width"),
        pytest.param("ｶﾞｷﾞｸﾞｹﾞｺﾞ", "ガギグゲゴ", id="half-width-dakuten"),
        pytest.param("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ", id="half-width-handakuten"),
        pytest.param("ｳﾞｧｲｵﾘﾝ", "ヴァイオリン", id="half-width-vu"),
        pytest.param("ゔぁいおりん", "ヴァイオリン", id="hiragana-vu"),
        pytest.param("すずき", "スズキ", id="hiragana-voiced"),
        pytest.param("ジョン・スミス", "ジョン・スミス", id="middle-dot-kept"),
        pytest.param("ｺｰﾀﾞ", "コーダ", id="half-width-long-mark"),
        pytest.param("さとう ゆうこ", "サトウ ユウコ", id="hiragana-space"),
        pytest.param("  ヤマダ    タロウ  ", "ヤマダ タロウ", id="spaces-collapsed"),
        pytest.param("やまダ", "ヤマダ", id="mixed-scripts"),
        pytest.param("いすゞ", "イスヾ", id="iteration-mark"),
    ],
)
def test_to_katakana(raw: str, expected: str) -> None:
    assert to_katakana(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param("山田 タロウ", "kanji", id="kanji"),
        pytest.param("ヤマダ 々", "kanji", id="kanji-iteration-mark"),
        pytest.param("Yamada", "Latin", id="latin"),
        pytest.param("ﾔﾏﾀﾞ Ｔａｒｏ", "Latin", id="full-width-latin"),
        pytest.param("ヤマダ1", "not kana", id="digit"),
        pytest.param("ヤマダ-タロウ", "not kana", id="hyphen"),
        pytest.param("", "empty", id="empty"),
        pytest.param("\u3000", "empty", id="blank"),
    ],
)
def test_to_katakana_rejects(raw: str, reason: str) -> None:
    with pytest.raises(NormalizationError) as info:
        to_katakana(raw)
    assert reason in info.value.reason


_KANA = (
    [chr(c) for c in range(0x3041, 0x3097)]
    + [chr(c) for c in range(0x30A1, 0x30FB)]
    + [chr(c) for c in range(0xFF66, 0xFF9E)]
    + ["ー", "ｰ", "ﾞ", "ﾟ", " ", "\u3000"]
)


@given(st.text(alphabet=_KANA, min_size=1, max_size=12))
def test_to_katakana_is_idempotent(s: str) -> None:
    try:
        once = to_katakana(s)
    except NormalizationError:
        assume(False)
        raise
    assert to_katakana(once) == once
    assert not any("\u3041" <= c <= "\u3096" or "\uff61" <= c <= "\uff9f" for c in once)


@given(st.text(alphabet=[chr(c) for c in range(0x3041, 0x3097)], min_size=1, max_size=12))
def test_hiragana_becomes_katakana_of_the_same_length(s: str) -> None:
    assert len(to_katakana(s)) == len(s)
