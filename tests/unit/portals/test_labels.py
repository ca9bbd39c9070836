"""The shared label scanner: every layout form portal mails use, one line each."""

from __future__ import annotations

import pytest

from renkei.sources.portals.labels import Found, scan, vocabulary
from renkei.sources.portals.leads import COMMON_FACTS, COMMON_MULTILINE, COMMON_TARGETS, gather

VOCAB = vocabulary(
    targets=COMMON_TARGETS,
    facts={**COMMON_FACTS, "external_id": ("ID",)},
    other=("最寄り駅", "見学希望日"),
    multiline=COMMON_MULTILINE,
    headings=("お客様プロフィール",),
)


def pairs(text: str) -> list[tuple[str, str]]:
    return [(found.label, found.value) for found in scan(text, VOCAB)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("電話番号：03-1234-5678", [("電話番号", "03-1234-5678")], id="full-width-colon"),
        pytest.param("電話番号:03-1234-5678", [("電話番号", "03-1234-5678")], id="half-width-colon"),
        pytest.param("電話番号　　　　：03-1234-5678　", [("電話番号", "03-1234-5678")], id="padded-before-colon"),
        pytest.param("Email　　　 : a@example.jp", [("Email", "a@example.jp")], id="padded-half-width-colon"),
        pytest.param(
            "反響到着日時 2026/08/12 02:04:10", [("反響到着日時", "2026/08/12 02:04:10")], id="space-only-known"
        ),
        pytest.param("以下 の内容で反響がありました", [], id="space-only-unknown-is-text"),
        pytest.param("【お名前】山田　太郎", [("お名前", "山田　太郎")], id="brackets"),
        pytest.param("■お名前 : 山田　太郎", [("お名前", "山田　太郎")], id="square-marker"),
        pytest.param("■お名前\n山田　太郎\n", [("お名前", "山田　太郎")], id="marker-value-on-next-line"),
        pytest.param("お名前\n山田　太郎\n", [("お名前", "山田　太郎")], id="bare-label-value-on-next-line"),
        pytest.param(
            "■ご住所\n〒530-0001\n大阪府大阪市北区", [("ご住所", "〒530-0001\n大阪府大阪市北区")], id="two-line-value"
        ),
        pytest.param("氏名（漢字）\t山田　太郎", [("氏名（漢字）", "山田　太郎")], id="html-table-tab"),
        pytest.param("┃お名前：山田　太郎┃", [("お名前", "山田　太郎")], id="box-edges"),
        pytest.param("（受信日時：2026/07/30 22:41:05）", [("受信日時", "2026/07/30 22:41:05")], id="in-parentheses"),
        pytest.param("お名前：-\n電話番号：－", [("お名前", "-"), ("電話番号", "－")], id="empty-markers-kept-raw"),
        pytest.param("お名前：\n電話番号：090", [("お名前", ""), ("電話番号", "090")], id="nothing-after-colon"),
        pytest.param("https://example.jp/a", [], id="url-is-no-label"),
        pytest.param("URL: https://example.jp/a", [("URL", "https://example.jp/a")], id="url-value"),
        pytest.param("12:00〜13:00", [], id="time-is-no-label"),
        pytest.param("※注意：送信専用です", [], id="note-is-no-label"),
        pytest.param(
            "見学希望日：第1候補 2026/09/05 10:00\n　　第2候補 2026/09/06 13:00",
            [("見学希望日", "第1候補 2026/09/05 10:00\n第2候補 2026/09/06 13:00")],
            id="second-candidate-continues",
        ),
    ],
)
def test_layout_forms(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


def test_free_text_runs_to_the_next_known_label_keeping_blank_lines_and_colons() -> None:
    text = "お問合せ内容：\n一行目\n\n希望：土日\n電話番号：090-1234-5678\n"
    assert pairs(text) == [("お問合せ内容", "一行目\n\n希望：土日"), ("電話番号", "090-1234-5678")]


@pytest.mark.parametrize(
    "stop",
    ["━━━━━━━━", "────────", "――――", "------", "==========", "▼▼▼", "┗━━━━┛", "お客様プロフィール", "＜物件情報＞"],
)
def test_free_text_stops_at_rules_and_headings(stop: str) -> None:
    assert pairs(f"お問合せ内容：\n本文です\n{stop}\nフッター") == [("お問合せ内容", "本文です")]


def test_section_under_a_bracket_heading_is_free_text() -> None:
    text = "＜物件に関するお問合せ内容＞\n・見学したい\n費用は？\n──────\nアットホーム"
    assert pairs(text) == [("物件に関するお問合せ内容", "・見学したい\n費用は？")]


def test_one_line_value_ends_at_a_blank_line() -> None:
    assert pairs("電話番号：090-1234-5678\n\nよろしくお願いします。") == [("電話番号", "090-1234-5678")]


def test_prose_right_under_a_one_line_value_is_not_part_of_it() -> None:
    text = "電話番号：090-1234-5678\n以上、よろしくお願いします。\n住所：東京都港区\n　芝公園ビル３階\n※送信専用です"
    assert pairs(text) == [("電話番号", "090-1234-5678"), ("住所", "東京都港区\n芝公園ビル３階")]


def test_values_keep_their_original_width() -> None:
    found = scan("ＴＥＬ：０９０－１２３４－５６７８\nＥメール：ｔａｒｏ＠example.jp", VOCAB)
    assert found == [
        Found("ＴＥＬ", "tel", "０９０－１２３４－５６７８"),
        Found("Ｅメール", "eメール", "ｔａｒｏ＠example.jp"),
    ]
    assert gather(found, VOCAB).fields == {"phone": "０９０－１２３４－５６７８", "email": "ｔａｒｏ＠example.jp"}


def test_gather_first_value_wins_and_the_rest_goes_to_extra() -> None:
    gathered = gather(scan("お名前：山田　太郎\n氏名：山田　花子\n最寄り駅：目黒駅\nお名前：-", VOCAB), VOCAB)
    assert gathered.fields == {"full_name": "山田　太郎"}
    assert gathered.extra == {"氏名": "山田　花子", "最寄り駅": "目黒駅"}


@pytest.mark.parametrize(
    ("address", "postal_code", "rest"),
    [
        ("〒330-0063 埼玉県さいたま市", "330-0063", "埼玉県さいたま市"),
        ("〒５３０－０００１\n大阪府大阪市", "５３０－０００１", "大阪府大阪市"),
        ("1500001 東京都渋谷区", "1500001", "東京都渋谷区"),
        ("東京都渋谷区神宮前1-2-3", None, "東京都渋谷区神宮前1-2-3"),
    ],
)
def test_postal_code_in_front_of_the_address_is_split_off(address: str, postal_code: str | None, rest: str) -> None:
    fields = gather([Found("住所", "住所", address)], VOCAB).fields
    assert fields.get("postal_code") == postal_code
    assert fields["address"] == rest
