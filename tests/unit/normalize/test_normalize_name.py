"""Full names into family and given name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkei.core.normalize import split_full_name
from renkei.core.normalize.name import COMMON_FAMILY_NAMES, name_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("山田　太郎", ("山田", "太郎"), id="full-width-space"),
        pytest.param("ヤマダ・タロウ", ("ヤマダ", "タロウ"), id="middle-dot"),
        pytest.param("ｽｽﾞｷ･ｲﾁﾛｳ", ("ｽｽﾞｷ", "ｲﾁﾛｳ"), id="half-width-middle-dot"),
        pytest.param("山田・", ("山田・", None), id="a-dot-last"),
        pytest.param("山田 太郎", ("山田", "太郎"), id="half-width-space"),
        pytest.param("  山田 \u3000 太郎  ", ("山田", "太郎"), id="run-of-spaces"),
        pytest.param("山田太郎", ("山田", "太郎"), id="no-space-divider"),
        pytest.param("佐々木希", ("佐々木", "希"), id="no-space-iteration-mark"),
        pytest.param("菅義偉", ("菅", "義偉"), id="no-space-one-character-family"),
        pytest.param("ヤマダ　タロウ", ("ヤマダ", "タロウ"), id="katakana-with-space"),
        pytest.param("ﾔﾏﾀﾞ ﾀﾛｳ", ("ﾔﾏﾀﾞ", "ﾀﾛｳ"), id="half-width-kana-as-given"),
        pytest.param("やまだたろう", ("やまだたろう", None), id="kana-without-space-unsplit"),
        pytest.param("𠮷田太郎", ("𠮷田", "太郎"), id="kanji-outside-the-bmp"),
        pytest.param("山々", ("山々", None), id="given-cannot-start-with-iteration-mark"),
        pytest.param("山", ("山", None), id="one-character"),
        pytest.param("鈴木", ("鈴木", None), id="a-common-family-name-alone"),
        pytest.param("佐々木", ("佐々木", None), id="a-three-character-family-name-alone"),
        pytest.param("髙橋", ("髙橋", None), id="a-family-name-alone-in-its-old-form"),
        pytest.param("林修", ("林", "修"), id="two-characters-not-a-family-name"),
        pytest.param("", ("", None), id="empty"),
        pytest.param("Taro Yamada", ("Yamada", "Taro"), id="latin-english-order-by-a-common-family-name"),
        pytest.param("Yamada Taro", ("Yamada", "Taro"), id="latin-japanese-order"),
        pytest.param("Hanako Satoh", ("Satoh", "Hanako"), id="latin-family-name-with-oh"),
        pytest.param("Ichiro Ōno", ("Ōno", "Ichiro"), id="latin-family-name-with-a-macron"),
        pytest.param("Kenji Homma", ("Homma", "Kenji"), id="latin-family-name-with-m-before-m"),
        pytest.param("Minami Sato", ("Sato", "Minami"), id="latin-a-given-name-that-is-also-a-family-name"),
        pytest.param("Mori Ito", ("Mori", "Ito"), id="latin-both-family-names-first-word"),
        pytest.param("John Smith", ("Smith", "John"), id="latin-a-common-english-given-name-first"),
        pytest.param("Kenji Hayashibara", ("Hayashibara", "Kenji"), id="latin-a-common-given-name-first"),
        pytest.param("Hayashibara Kenji", ("Hayashibara", "Kenji"), id="latin-a-common-given-name-second"),
        pytest.param("Yūko Tsukamoto", ("Tsukamoto", "Yūko"), id="latin-a-given-name-with-a-macron"),
        pytest.param("Alex Morgan", ("Alex", "Morgan"), id="latin-order-unknown-first-word-is-family"),
        pytest.param("Taro K Yamada", ("Taro", "K Yamada"), id="latin-three-words-first-word"),
        pytest.param("YAMADA Taro", ("YAMADA", "Taro"), id="latin-capitals-family-first"),
        pytest.param("Taro YAMADA", ("YAMADA", "Taro"), id="latin-capitals-family-last"),
        pytest.param("Yamada, Taro", ("Yamada", "Taro"), id="latin-comma"),
        pytest.param("Mary Ann SMITH", ("SMITH", "Mary Ann"), id="latin-two-given-names"),
        pytest.param("Madonna", ("Madonna", None), id="latin-one-word"),
        pytest.param("欧陽 菲菲 花子", ("欧陽", "菲菲 花子"), id="three-words"),
        pytest.param("山田 太郎 様", ("山田", "太郎"), id="honorific-after-a-space"),
        pytest.param("山田太郎様", ("山田", "太郎"), id="honorific-without-space"),
        pytest.param("鈴木さま", ("鈴木", None), id="honorific-in-kana-after-a-family-name"),
        pytest.param("山田 あさま", ("山田", "あさま"), id="a-given-name-in-hiragana-ending-in-sama"),
        pytest.param("佐藤花子さん", ("佐藤", "花子"), id="san-without-space"),
        pytest.param("佐藤 花子 さん", ("佐藤", "花子"), id="san-after-a-space"),
        pytest.param("佐藤さん", ("佐藤", None), id="san-after-a-family-name"),
        pytest.param("山田 おさん", ("山田", "おさん"), id="a-given-name-in-hiragana-ending-in-san"),
        pytest.param("山田 サン", ("山田", "サン"), id="san-in-katakana-is-a-name"),
        pytest.param("Mr. Taro Yamada", ("Yamada", "Taro"), id="mr-before-an-english-order-name"),
        pytest.param("Ms Hanako SATO", ("SATO", "Hanako"), id="ms-without-a-full-stop"),
        pytest.param("Dr. Smith", ("Smith", None), id="dr-before-a-family-name"),
        pytest.param("Mrs", ("Mrs", None), id="a-title-alone-is-kept"),
        pytest.param("Mro Taro", ("Mro", "Taro"), id="a-name-that-starts-like-a-title"),
        pytest.param("山田 太郎 先生", ("山田", "太郎"), id="sensei"),
        pytest.param("山田太郎先生", ("山田", "太郎"), id="sensei-without-space"),
        pytest.param("山田 太郎 氏", ("山田", "太郎"), id="shi-after-a-space"),
        pytest.param("山田殿", ("山田", None), id="tono"),
        pytest.param("田中様子", ("田中", "様子"), id="sama-inside-a-name-stays"),
        pytest.param("様", ("様", None), id="only-an-honorific"),
    ],
)
def test_split_full_name(raw: str, expected: tuple[str, str | None]) -> None:
    assert split_full_name(raw) == expected


_KANJI = st.text(alphabet="山田川中本佐藤鈴木高橋太郎花子一二三美智", min_size=1, max_size=4)


@given(_KANJI, _KANJI, st.sampled_from([" ", "\u3000", "  ", " \u3000"]))
def test_split_full_name_with_space_gives_the_parts_back(family: str, given_name: str, gap: str) -> None:
    assert split_full_name(family + gap + given_name) == (family, given_name)


@given(st.text(alphabet="山田川中本佐藤鈴木高橋太郎花子一二三美智", min_size=2, max_size=7))
def test_split_full_name_without_space_loses_nothing(name: str) -> None:
    family, given_name = split_full_name(name)
    assert family + (given_name or "") == name


@given(st.sampled_from(sorted(COMMON_FAMILY_NAMES)), st.sampled_from(["太郎", "花子", "一郎", "美智子", "翔太"]))
def test_a_common_family_name_alone_stays_whole_and_with_a_given_name_still_splits(
    family: str, given_name: str
) -> None:
    assert split_full_name(family) == (family, None)
    assert split_full_name(family + given_name) == (family, given_name)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Names of three or four characters, and Okinawa's, namedivider divided after the second.
        ("宇佐美美咲", ("宇佐美", "美咲")),
        ("小田切由美子", ("小田切", "由美子")),
        ("東海林太郎", ("東海林", "太郎")),
        ("日下部健", ("日下部", "健")),
        ("長宗我部元親", ("長宗我部", "元親")),
        ("比嘉一郎", ("比嘉", "一郎")),
        ("具志堅花子", ("具志堅", "花子")),
        # A one-character family name and a common given name, divided after the second.
        ("林花子", ("林", "花子")),
        ("森久美子", ("森", "久美子")),
        ("東海斗", ("東", "海斗")),
        ("岸優子", ("岸", "優子")),
        # ... and a two-character one that starts with the same character stays whole.
        ("林田太郎", ("林田", "太郎")),
        ("森下美咲", ("森下", "美咲")),
        ("関口健", ("関口", "健")),
    ],
)
def test_family_names_namedivider_divided_wrong(raw: str, expected: tuple[str, str]) -> None:
    assert split_full_name(raw) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("髙橋 惠子", "高橋恵子"),
        ("渡邊", "渡辺"),
        ("齋藤", "斎藤"),
        ("山﨑", "山崎"),
        ("チヅル", "チズル"),
        ("濱田　眞", "浜田 真"),
    ],
)
def test_name_key_makes_the_forms_of_one_name_equal(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_name_key_keeps_different_names_apart() -> None:
    assert name_key("太郎") != name_key("次郎")
