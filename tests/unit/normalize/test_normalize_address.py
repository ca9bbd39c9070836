"""Addresses: prefecture and city splitting, width folding."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkei.core.normalize import (
    PREFECTURES,
    fold_address,
    normalize_prefecture,
    prefecture_of_city,
    split_address,
    split_building,
    split_city,
    split_prefecture,
)


def test_there_are_47_distinct_prefectures() -> None:
    assert len(set(PREFECTURES)) == 47


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        pytest.param("東京都千代田区千代田1-1", ("東京都", "千代田区千代田1-1"), id="tokyo"),
        pytest.param("京都府京都市中京区寺町通", ("京都府", "京都市中京区寺町通"), id="kyoto-fu"),
        pytest.param("北海道札幌市中央区北1条西2丁目", ("北海道", "札幌市中央区北1条西2丁目"), id="hokkaido"),
        pytest.param("大阪府大阪市北区梅田1", ("大阪府", "大阪市北区梅田1"), id="osaka"),
        pytest.param("神奈川県横浜市中区山下町1", ("神奈川県", "横浜市中区山下町1"), id="four-character"),
        pytest.param("鹿児島県鹿児島市山下町11-1", ("鹿児島県", "鹿児島市山下町11-1"), id="kagoshima"),
        pytest.param("  東京都　港区", ("東京都", "港区"), id="spaces-around"),
        pytest.param("京都市中京区寺町通", (None, "京都市中京区寺町通"), id="kyoto-city-without-prefecture"),
        pytest.param("港区芝公園4-2-8", (None, "港区芝公園4-2-8"), id="no-prefecture"),
        pytest.param("東京千代田区", (None, "東京千代田区"), id="prefecture-without-suffix"),
        pytest.param("", (None, ""), id="empty"),
    ],
)
def test_split_prefecture(address: str, expected: tuple[str | None, str]) -> None:
    assert split_prefecture(address) == expected


@pytest.mark.parametrize("prefecture", PREFECTURES)
def test_split_prefecture_knows_every_prefecture(prefecture: str) -> None:
    assert split_prefecture(f"{prefecture}テスト町1-2") == (prefecture, "テスト町1-2")


@pytest.mark.parametrize(
    ("rest", "expected"),
    [
        pytest.param("横浜市中区山下町1", ("横浜市中区", "山下町1"), id="designated-city-ward"),
        pytest.param("千代田区千代田1-1", ("千代田区", "千代田1-1"), id="tokyo-ward"),
        pytest.param("西多摩郡瑞穂町箱根ケ崎2", ("西多摩郡瑞穂町", "箱根ケ崎2"), id="district-town"),
        pytest.param("瑞穂町箱根ケ崎2", ("瑞穂町", "箱根ケ崎2"), id="town-without-district"),
        pytest.param("横浜市山下町1", ("横浜市", "山下町1"), id="designated-city-without-ward"),
        pytest.param("四日市市諏訪町1-5", ("四日市市", "諏訪町1-5"), id="city-with-shi-inside"),
        pytest.param("市川市八幡1", ("市川市", "八幡1"), id="city-starting-with-shi"),
        pytest.param("大町市大町1", ("大町市", "大町1"), id="city-with-machi-inside"),
        pytest.param("廿日市市下平良1", ("廿日市市", "下平良1"), id="hatsukaichi"),
        pytest.param("龍ヶ崎市3710", ("龍ヶ崎市", "3710"), id="small-ke-as-written"),
        pytest.param("鎌ヶ谷市新鎌ケ谷1", ("鎌ヶ谷市", "新鎌ケ谷1"), id="small-ke-variant"),
        pytest.param("高市郡明日香村岡", ("高市郡明日香村", "岡"), id="district-village"),
        pytest.param("　さいたま市浦和区高砂3", ("さいたま市浦和区", "高砂3"), id="hiragana-city"),
        pytest.param("どこか1-2-3", (None, "どこか1-2-3"), id="unknown-kept"),
        pytest.param("", (None, ""), id="empty"),
    ],
)
def test_split_city(rest: str, expected: tuple[str | None, str]) -> None:
    assert split_city(rest) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        pytest.param("神奈川県横浜市中区山下町1", ("神奈川県", "横浜市中区", "山下町1"), id="full"),
        pytest.param("京都府京都市中京区寺町通", ("京都府", "京都市中京区", "寺町通"), id="kyoto"),
        pytest.param("東京都西多摩郡瑞穂町箱根ケ崎2", ("東京都", "西多摩郡瑞穂町", "箱根ケ崎2"), id="district"),
        pytest.param("京都市中京区寺町通", (None, "京都市中京区", "寺町通"), id="no-prefecture"),
        pytest.param("どこか", (None, None, "どこか"), id="nothing-known"),
    ],
)
def test_split_address(address: str, expected: tuple[str | None, str | None, str]) -> None:
    assert split_address(address) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("梅田１ー２ー３", "梅田1-2-3", id="long-marks-between-digits"),
        pytest.param("山下町１－２－３", "山下町1-2-3", id="full-width-hyphens"),
        pytest.param("芝公園4\u22122\u22128", "芝公園4-2-8", id="minus-signs"),
        pytest.param("コーポ山田　２０１号室", "コーポ山田 201号室", id="long-mark-in-word-kept"),
        pytest.param("ｺｰﾎﾟ山田", "コーポ山田", id="half-width-kana"),
        pytest.param("北一条西二丁目", "北一条西二丁目", id="kanji-numerals-kept"),
        pytest.param("１～３号", "1～3号", id="full-width-tilde-kept"),
        pytest.param("1〜3号", "1〜3号", id="wave-dash-kept"),
        pytest.param("①番館", "①番館", id="circled-digit-kept"),
        pytest.param("Ｂ棟", "B棟", id="full-width-letter"),
    ],
)
def test_fold_address(raw: str, expected: str) -> None:
    assert fold_address(raw) == expected


@given(st.text())
def test_fold_address_is_idempotent(s: str) -> None:
    once = fold_address(s)
    assert fold_address(once) == once


@given(st.sampled_from(PREFECTURES), st.text(max_size=20))
def test_split_prefecture_loses_nothing(prefecture: str, rest: str) -> None:
    assert split_prefecture(prefecture + rest) == (prefecture, rest.lstrip())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("東京都", "東京都"),
        ("東京", "東京都"),
        ("京都", "京都府"),
        ("神奈川", "神奈川県"),
        ("北海道", "北海道"),
        ("Tokyo", "東京都"),
        ("TOKYO-TO", "東京都"),
        ("Tokyo Metropolis", "東京都"),
        ("Kyoto", "京都府"),
        ("Kyoto-fu", "京都府"),
        ("Osaka Prefecture", "大阪府"),
        ("Ōsaka", "大阪府"),
        ("Hokkaidō", "北海道"),
        ("Mie-ken", "三重県"),
        ("Kanagawa Pref.", "神奈川県"),
        (" saga ", "佐賀県"),
        ("JP-13", "東京都"),  # ISO 3166-2 (Shopify's province code)
        ("jp-01", "北海道"),
        ("47", "沖縄県"),  # JIS X 0401
        ("48", None),
        ("JP-48", None),
        ("大阪市", None),
        ("東京都下", None),
        ("Tokyoto", None),
        ("", None),
    ],
)
def test_normalize_prefecture(raw: str, expected: str | None) -> None:
    assert normalize_prefecture(raw) == expected


def test_every_prefecture_by_each_of_its_names() -> None:
    for name in PREFECTURES:
        assert normalize_prefecture(name) == name
        assert normalize_prefecture(name if name == "北海道" else name[:-1]) == name


@pytest.mark.parametrize(
    ("city", "prefecture"),
    [
        pytest.param("千代田区", "東京都", id="tokyo-ward"),
        pytest.param("大阪市北区", "大阪府", id="designated-city-ward"),
        pytest.param("横浜市", "神奈川県", id="designated-city"),
        pytest.param("西多摩郡瑞穂町", "東京都", id="district-town"),
        pytest.param("瑞穂町", "東京都", id="town-without-its-district"),
        pytest.param("府中市", None, id="two-prefectures-have-one"),
        pytest.param("中央区", None, id="tokyo-ward-named-as-other-cities-wards"),
        pytest.param("北区", None, id="kita-ku"),
        pytest.param("どこか市", None, id="unknown"),
    ],
)
def test_prefecture_of_city_only_when_one_prefecture_has_it(city: str, prefecture: str | None) -> None:
    assert prefecture_of_city(city) == prefecture


@pytest.mark.parametrize(
    ("street", "expected"),
    [
        pytest.param("千代田1-1 ABCビル3F", ("千代田1-1", "ABCビル3F"), id="building-after-a-space"),
        pytest.param("梅田1丁目1番3号 大阪駅前第1ビル", ("梅田1丁目1番3号", "大阪駅前第1ビル"), id="after-go"),
        pytest.param("長柄中2-3-14 パークハイツ703号室", ("長柄中2-3-14", "パークハイツ703号室"), id="room"),
        pytest.param("千代田 1-1 ABCビル", ("千代田 1-1", "ABCビル"), id="a-space-before-the-number-too"),
        pytest.param("北1条西2丁目", ("北1条西2丁目", None), id="no-building"),
        pytest.param("南1条 西2丁目 5-1", ("南1条 西2丁目 5-1", None), id="spaces-inside-the-street"),
        pytest.param("千代田 1-1", ("千代田 1-1", None), id="a-space-before-the-number"),
        pytest.param("1-2-3ライオンズ201", ("1-2-3ライオンズ201", None), id="a-number-first-is-english-order"),
        pytest.param(
            "六本木6-10-1六本木ヒルズ森タワー45F", ("六本木6-10-1", "六本木ヒルズ森タワー45F"), id="joined-kanji-name"
        ),
        pytest.param("名駅1-1-4JRセントラルタワーズ", ("名駅1-1-4", "JRセントラルタワーズ"), id="joined-latin-name"),
        pytest.param("長柄中2-3-14パークハイツ703号室", ("長柄中2-3-14", "パークハイツ703号室"), id="joined-katakana"),
        pytest.param("丸の内1丁目1番1号丸の内ビル", ("丸の内1丁目1番1号", "丸の内ビル"), id="joined-after-go"),
        pytest.param(
            "霞が関3丁目2-1中央合同庁舎7号館", ("霞が関3丁目2-1", "中央合同庁舎7号館"), id="joined-after-chome"
        ),
        pytest.param("北1条西2丁目1-1札幌ビル", ("北1条西2丁目1-1", "札幌ビル"), id="joined-after-a-jo-street"),
        pytest.param("丸の内1-1-1-101", ("丸の内1-1-1-101", None), id="a-room-number-alone"),
        pytest.param("梅田1-1-3号", ("梅田1-1-3号", None), id="go-is-the-number"),
        pytest.param("梅田1-2先", ("梅田1-2先", None), id="saki-is-the-number"),
        pytest.param("字具志頭1番地の2", ("字具志頭1番地の2", None), id="banchi-no"),
        pytest.param("氷川215", ("氷川215", None), id="a-number-of-one-part"),
        pytest.param("本町3丁目", ("本町3丁目", None), id="a-chome-alone"),
        pytest.param("1-1 Chiyoda", ("1-1 Chiyoda", None), id="english-order-number-first"),
        pytest.param(
            "Tokyo, Chiyoda-ku, 1-1 Chiyoda", ("Tokyo, Chiyoda-ku, 1-1 Chiyoda", None), id="english-order-with-commas"
        ),
        pytest.param("Chiyoda 1-1 ABC Bldg", ("Chiyoda 1-1", "ABC Bldg"), id="romanised-japanese-order"),
    ],
)
def test_split_building(street: str, expected: tuple[str, str | None]) -> None:
    assert split_building(street) == expected
