"""Whether a record names the person a shared e-mail address or number found (core.same_person)."""

from __future__ import annotations

import pytest

from renkei.core.same_person import Names, another_person


def _names(last: str = "", first: str = "", last_kana: str = "", first_kana: str = "") -> Names:
    return Names(last or None, first or None, last_kana or None, first_kana or None)


@pytest.mark.parametrize(
    ("mine", "stored", "another"),
    [
        pytest.param(_names("Yamada", "Taro"), _names("佐藤", "花子"), True, id="e2e-mr-taro-yamada-on-a-shared-line"),
        pytest.param(_names("Sato", "Hanako"), _names("佐藤", "花子"), False, id="the-romaji-of-both"),
        pytest.param(
            _names("Satoh", "Taro"), _names("佐藤", "花子"), False, id="given-names-cannot-tell-family-agrees"
        ),
        pytest.param(_names("Yamada", "Taro"), _names("山田", "花子", "ヤマダ", "ハナコ"), True, id="given-reading"),
        pytest.param(
            _names("Yamada", "Hanako"), _names("山田", "花子", "", "ハナコ"), False, id="given-reading-agrees"
        ),
        pytest.param(_names("Suzuki", "Hanako"), _names("山田", "花子", "", "ハナコ"), False, id="married-name"),
        pytest.param(_names("山田", "太郎", "", "タロウ"), _names("Yamada", "Hanako"), True, id="stored-in-romaji"),
        pytest.param(_names("Yamada", "Yūko"), _names("山田", "優子", "", "ユウコ"), False, id="macron"),
        pytest.param(_names("Yamada", "Shin'ichi"), _names("山田", "真一", "", "シンイチ"), False, id="apostrophe"),
        pytest.param(_names("Yamada", "Tuyosi"), _names("山田", "剛", "", "ツヨシ"), False, id="kunrei"),
        pytest.param(_names("Yamada", "John"), _names("山田", "花子"), False, id="no-reading-to-compare"),
        pytest.param(_names("Smith", "John"), _names("佐藤", "花子"), True, id="no-reading-of-a-common-name"),
        pytest.param(_names("Tokairin", "Taro"), _names("東海林", "花子"), False, id="an-uncommon-name"),
        pytest.param(_names("Tokairin", "Taro"), _names("東海林", "花子", "ショウジ"), True, id="its-reading-stored"),
        pytest.param(_names("ヤマダ"), _names("山田"), False, id="kana-the-common-names-reading"),
        pytest.param(_names("サトー"), _names("佐藤"), False, id="kana-with-a-long-mark"),
        pytest.param(_names("スズキ"), _names("佐藤"), True, id="kana-another-common-name"),
        pytest.param(_names("Yamada"), _names("髙橋"), True, id="an-old-form-of-a-common-name"),
        pytest.param(_names("Takahashi"), _names("髙橋"), False, id="an-old-form-read"),
        pytest.param(_names(), _names("佐藤", "花子"), False, id="a-record-without-names"),
    ],
)
def test_another_person(mine: Names, stored: Names, another: bool) -> None:
    assert another_person(mine, stored) is another
    assert another_person(stored, mine) is another  # whichever came first
