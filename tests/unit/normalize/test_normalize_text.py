"""Width, dash and blank folding; label keys."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkei.core.normalize import clean_text, fold_dashes, fold_width, normalize_label


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("ＡＢＣａｂｃ１２３", "ABCabc123", id="full-width-letters-digits"),
        pytest.param("！＠＃（）／：", "!@#()/:", id="full-width-punctuation"),
        pytest.param("山田\u3000太郎", "山田 太郎", id="ideographic-space"),
        pytest.param("０３－１２３４－５６７８", "03-1234-5678", id="phone-hyphens-stay-hyphens"),
        pytest.param("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ", id="half-width-kana-composed"),
        pytest.param("ｶﾞｷﾞﾊﾟｰ", "ガギパー", id="half-width-voiced-marks"),
        pytest.param("ヤマダ　タロウ", "ヤマダ タロウ", id="full-width-kana-kept"),
        pytest.param("ラーメン", "ラーメン", id="long-mark-kept"),
        pytest.param("①㈱㎡", "①㈱㎡", id="nfkc-only-symbols-kept"),
        pytest.param("1〜3", "1〜3", id="wave-dash-kept"),
        pytest.param("plain ascii", "plain ascii", id="ascii-unchanged"),
        pytest.param("山田\u200b太郎\ufeff", "山田 太郎 ", id="zero-width-characters-are-spaces"),
    ],
)
def test_fold_width(raw: str, expected: str) -> None:
    assert fold_width(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("03\u22121234\u22125678", "03-1234-5678", id="minus-sign-U+2212"),
        pytest.param("03\u20101234\u20105678", "03-1234-5678", id="hyphen-U+2010"),
        pytest.param("03\u20151234", "03-1234", id="horizontal-bar-U+2015"),
        pytest.param("03\u20131234\u20145678", "03-1234-5678", id="en-and-em-dash"),
        pytest.param("０３－１２３４", "０３-１２３４", id="full-width-hyphen-minus"),
        pytest.param("03\ufe631234", "03-1234", id="small-hyphen-minus"),
        pytest.param("03ー1234ー5678", "03-1234-5678", id="long-mark-between-digits"),
        pytest.param("123ｰ4567", "123-4567", id="half-width-long-mark-between-digits"),
        pytest.param("コーポ101", "コーポ101", id="long-mark-in-word-kept"),
        pytest.param("1ー", "1ー", id="long-mark-after-digit-only-kept"),
        pytest.param("1〜3", "1〜3", id="wave-dash-kept"),
        pytest.param("1～3", "1～3", id="full-width-tilde-kept"),
    ],
)
def test_fold_dashes(raw: str, expected: str) -> None:
    assert fold_dashes(raw) == expected


def test_nfkc_leaves_the_dashes_that_fold_dashes_folds() -> None:
    for dash in ("\u301c", "\u2212", "\u2010"):
        assert unicodedata.normalize("NFKC", dash) == dash
    assert fold_dashes("\u2212\u2010") == "--"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("  山田　　太郎  ", "山田 太郎", id="strip-and-collapse"),
        pytest.param("\u3000東京都\u3000", "東京都", id="full-width-spaces-stripped"),
        pytest.param("a\tb", "a b", id="tab"),
        pytest.param("一行目\r\n\r\n  二行目  \n", "一行目\n\n二行目", id="memo-line-breaks-kept"),
        pytest.param("ー太郎", "ー太郎", id="leading-long-mark-is-text"),
        pytest.param("-1", "-1", id="negative-number-is-text"),
        pytest.param("なしのみ", "なしのみ", id="word-containing-nashi"),
    ],
)
def test_clean_text_keeps_values(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="spaces"),
        pytest.param("\u3000\u3000", id="ideographic-spaces"),
        pytest.param("\n \n", id="blank-lines"),
        pytest.param("-", id="hyphen"),
        pytest.param("－", id="full-width-hyphen"),
        pytest.param("------", id="hyphens"),
        pytest.param("―", id="horizontal-bar"),
        pytest.param("ー", id="long-mark-alone"),
        pytest.param("ｰ", id="half-width-long-mark-alone"),
        pytest.param(" ― ", id="padded-bar"),
        pytest.param("なし", id="nashi"),
        pytest.param("無し", id="nashi-kanji"),
        pytest.param("不明", id="fumei"),
        pytest.param("N/A", id="n-a"),
        pytest.param("ｎｕｌｌ", id="full-width-null"),
        pytest.param("未記入", id="mikinyu"),
        pytest.param("anonymous", id="microsoft-forms-anonymous"),
        pytest.param("未入力", id="minyuryoku"),
        pytest.param("nan", id="pandas-nan"),
        pytest.param("#REF!", id="excel-ref-error"),
        pytest.param("#VALUE!", id="excel-value-error"),
        pytest.param("#DIV/0!", id="excel-div0-error"),
        pytest.param("#N/A", id="excel-lookup-error"),
    ],
)
def test_clean_text_blank_markers_are_none(raw: str) -> None:
    assert clean_text(raw) is None


@pytest.mark.parametrize(
    ("raw", "zeros"),
    [
        ("0", True),
        ("000-0000", True),
        ("000-0000-0000", True),
        ("０００－００００－００００", True),
        ("(000) 0000-0000", True),
        ("090-0000-0000", False),  # a prefix first: the phone transform's own rule
        ("10", False),
        ("0.0", False),
        ("", False),
    ],
)
def test_is_zeros(raw: str, zeros: bool) -> None:
    from renkei.core.normalize.text import is_zeros

    assert is_zeros(raw) is zeros


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        pytest.param("E-mail", "email", id="hyphen"),
        pytest.param("ｅ－ｍａｉｌ ", "email", id="full-width"),
        pytest.param("e_mail", "email", id="underscore"),
        pytest.param("メールアドレス（ＰＣ）", "メールアドレスpc", id="parentheses"),
        pytest.param("姓カナ", "姓カナ", id="sansan-kana"),
        pytest.param("ｾｲｶﾅ", "セイカナ", id="half-width-kana"),
        pytest.param("町域・番地", "町域番地", id="middle-dot"),
        pytest.param("TEL1", "tel1", id="sansan-tel"),
        pytest.param("last_name_reading", "lastnamereading", id="satori-reading"),
        pytest.param("custom:code1", "customcode1", id="satori-custom"),
        pytest.param("〒郵便番号", "郵便番号", id="postal-mark"),
        pytest.param("会社名　㈱", "会社名株", id="nfkc-parenthesised-kabu"),
        pytest.param("①連絡先", "1連絡先", id="nfkc-circled-digit"),
        pytest.param("面積㎡", "面積m2", id="nfkc-square-metre"),
        pytest.param("希望日～", "希望日", id="nfkc-tilde"),
    ],
)
def test_normalize_label(label: str, expected: str) -> None:
    assert normalize_label(label) == expected


@given(st.text())
def test_fold_width_is_idempotent(s: str) -> None:
    once = fold_width(s)
    assert fold_width(once) == once


@given(st.text().filter(lambda s: not any("\uff61" <= c <= "\uff9f" for c in s)))
def test_fold_width_keeps_length_without_half_width_kana(s: str) -> None:
    assert len(fold_width(s)) == len(s)


@given(st.text(alphabet=st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)))
def test_fold_width_full_width_ascii_gives_ascii(s: str) -> None:
    assert fold_width(s).isascii()


@given(st.text())
def test_fold_dashes_is_idempotent_and_keeps_length(s: str) -> None:
    once = fold_dashes(s)
    assert fold_dashes(once) == once
    assert len(once) == len(s)


@given(st.text())
def test_clean_text_is_idempotent(s: str) -> None:
    once = clean_text(s)
    assert once is None or clean_text(once) == once


@pytest.mark.parametrize(
    ("raw", "nfkc"),
    [
        pytest.param("～", "~", id="full-width-tilde"),
        pytest.param("①", "1", id="circled-digit"),
        pytest.param("㈱", "(株)", id="parenthesised-kabu"),
        pytest.param("㎡", "m2", id="square-metre"),
        pytest.param("ｶﾞ", "ガ", id="half-width-kana"),
    ],
)
def test_what_nfkc_would_do_is_left_to_labels(raw: str, nfkc: str) -> None:
    """The pitfalls japanese-data.md lists: NFKC folds these, fold_width keeps all but kana."""
    assert unicodedata.normalize("NFKC", raw) == nfkc
    assert fold_width(raw) == (nfkc if raw == "ｶﾞ" else raw.translate({0xFF5E: "~"}))


SANSAN_LABELS = [
    "会社名",
    "部署",
    "役職",
    "姓",
    "名",
    "姓カナ",
    "名カナ",
    "TEL1",
    "TEL2",
    "携帯",
    "Fax",
    "e-mail",
    "URL",
    "タグ",
    "メモ",
    "郵便番号",
    "都道府県",
    "市区町村",
    "町域・番地",
    "ビル名",
    "名刺交換日",
    "名刺ID",
    "名刺所有者",
]
SATORI_LABELS = [
    "住所",
    "last_name",
    "first_name",
    "last_name_reading",
    "first_name_reading",
    "email",
    "phone_number",
    "mobile_phone_number",
    "lead_company_name",
    "collection_route",
    "情報獲得経路",
    "collection_date",
    "情報獲得日",
    "memo",
    "delivery_permission",
]


@pytest.mark.parametrize("labels", [SANSAN_LABELS, SATORI_LABELS], ids=["sansan", "satori"])
def test_crm_labels_keep_distinct_keys(labels: list[str]) -> None:
    keys = [normalize_label(label) for label in labels]
    assert len(set(keys)) == len(labels)
    assert all(keys)
