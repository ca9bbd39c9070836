"""Which stored customer a record finds, when its keys point at different customers."""

from __future__ import annotations

from pathlib import Path

import pytest

from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from tests.conftest import write_csv
from tests.helpers import export

HEADER = ["氏名", "メールアドレス", "電話番号", "会社名"]


def _by_name(hub) -> dict[str, dict]:
    return {f"{c['last_name']} {c['first_name']}": c for c in export(hub)}


def test_a_later_record_finds_the_stored_owner_of_its_phone_not_an_earlier_records_customer(hub, tmp_path: Path):
    integration = integration_service.manual_import_integration(hub)
    first = write_csv(
        tmp_path / "first.csv",
        [HEADER, ["青木 一郎", "ichiro@example.com", "03-1111-2222", ""], ["井上 二郎", "", "090-3333-4444", ""]],
    )
    assert delivery_service.import_file(hub, integration, first).counts.created == 2
    # 一郎's record brings 二郎's mobile number; the record after it has only that number.
    second = write_csv(
        tmp_path / "second.csv",
        [HEADER, ["青木 一郎", "ichiro@example.com", "090-3333-4444", ""], ["", "", "090-3333-4444", "上野商会"]],
    )
    result = delivery_service.import_file(hub, integration, second)
    assert (result.counts.created, result.counts.updated, result.counts.errors) == (0, 2, 0)
    people = _by_name(hub)
    assert set(people) == {"青木 一郎", "井上 二郎"}
    assert people["青木 一郎"]["mobile"] == "+819033334444"
    assert people["青木 一郎"]["company_name"] is None
    assert people["井上 二郎"]["company_name"] == "上野商会"


def test_people_sharing_a_number_stay_apart_and_each_finds_their_own(hub, tmp_path: Path):
    integration = integration_service.manual_import_integration(hub)
    landline = "03-1111-2222"
    # A family's landline: 太郎 first, then 花子 with it, then 花子 again with only it, in one file.
    rows = [
        HEADER,
        ["山田 太郎", "taro@example.com", landline, ""],
        ["山田 花子", "", landline, ""],
        ["山田 花子", "", landline, "花子商店"],
    ]
    first = delivery_service.import_file(hub, integration, write_csv(tmp_path / "family.csv", rows))
    assert (first.counts.created, first.counts.updated) == (2, 1)
    # In a later file: 花子 by the number alone, and a record without a name, which is its oldest holder's.
    later = [HEADER, ["山田 花子", "hanako@example.com", landline, ""], ["", "", landline, "山田家"]]
    second = delivery_service.import_file(hub, integration, write_csv(tmp_path / "later.csv", later))
    assert (second.counts.created, second.counts.updated) == (0, 2)
    people = _by_name(hub)
    assert set(people) == {"山田 太郎", "山田 花子"}
    assert (people["山田 花子"]["email"], people["山田 花子"]["company_name"]) == ("hanako@example.com", "花子商店")
    assert (people["山田 太郎"]["email"], people["山田 太郎"]["company_name"]) == ("taro@example.com", "山田家")


@pytest.mark.parametrize(
    ("stored", "incoming", "same"),
    [
        pytest.param(["山田", "花子", ""], ["鈴木", "花子", ""], True, id="a-new-family-name-same-given-name"),
        pytest.param(["山田", "花子", "ハナコ"], ["山田", "はな子", "ハナコ"], True, id="same-reading"),
        pytest.param(["山田", "花子", ""], ["山田", "", ""], True, id="no-given-name-in-the-record"),
        pytest.param(["山田", "", ""], ["鈴木", "", ""], False, id="family-names-alone-differ"),
        pytest.param(["山田", "花子", "ハナコ"], ["山田", "太郎", "タロウ"], False, id="given-names-differ"),
        pytest.param(["山田", "花子", ""], ["山田", "太郎", ""], False, id="given-names-differ-without-readings"),
        pytest.param(["山田", "花子", ""], ["Yamada", "Hanako", ""], True, id="another-script-cannot-tell"),
        pytest.param(["山田", "", ""], ["ヤマダ", "", ""], True, id="family-names-alone-in-other-scripts"),
        pytest.param(["吉岡", "ゆかり", ""], ["五十嵐", "萌", "モエ"], False, id="a-name-in-kana-is-its-reading"),
        pytest.param(["山田", "太郎", ""], ["山田", "たろう", ""], True, id="kana-and-kanji-without-readings"),
        pytest.param(
            ["大橋", "みどり", "ミドリ"], ["小島", "詩織", ""], False, id="given-names-apart-family-names-differ"
        ),
        pytest.param(["青木", "一郎", ""], ["Aoki", "Ichiro", ""], True, id="romaji-of-the-same-name"),
        pytest.param(["佐藤", "花子", ""], ["Yamada", "Taro", ""], False, id="romaji-not-the-common-names-reading"),
        pytest.param(
            ["山田", "花子", "ハナコ"], ["Yamada", "Taro", ""], False, id="romaji-not-the-given-names-reading"
        ),
        pytest.param(["山田", "翔太", "ショウタ"], ["Yamada", "Syota", ""], True, id="kunrei-romaji-of-the-reading"),
        pytest.param(["Yamada", "Hanako", ""], ["山田", "太郎", "タロウ"], False, id="a-reading-not-the-stored-romaji"),
        pytest.param(["佐藤", "", ""], ["スズキ", "", ""], False, id="kana-not-the-common-names-reading"),
        pytest.param(["東海林", "花子", ""], ["Tokairin", "Taro", ""], True, id="an-uncommon-name-cannot-tell"),
        pytest.param(["髙橋", "惠子", ""], ["高橋", "恵子", ""], True, id="old-forms-of-the-kanji"),
        pytest.param(["John", "Smith", ""], ["Smith", "John", ""], True, id="the-names-in-the-other-order"),
        pytest.param(["山田", "千鶴", "チヅル"], ["山田", "ちづる", ""], True, id="ji-and-zu-written-either-way"),
    ],
)
def test_a_mobile_number_finds_its_customer_unless_the_names_say_another_person(
    hub, tmp_path: Path, stored, incoming, same
):
    integration = integration_service.manual_import_integration(hub)
    header = ["姓", "名", "メイ", "携帯"]
    first = write_csv(tmp_path / "first.csv", [header, [*stored, "090-1234-5678"]])
    delivery_service.import_file(hub, integration, first)
    second = write_csv(tmp_path / "second.csv", [header, [*incoming, "090-1234-5678"]])
    result = delivery_service.import_file(hub, integration, second)
    assert (result.counts.created, len(export(hub))) == ((0, 1) if same else (1, 2))


def test_a_dry_run_says_whose_shared_number_a_record_did_not_take(hub, tmp_path: Path):
    integration = integration_service.manual_import_integration(hub)
    first = write_csv(tmp_path / "a.csv", [HEADER, ["山田 太郎", "", "03-1111-2222", ""]])
    delivery_service.import_file(hub, integration, first)
    [taro] = export(hub)
    later = write_csv(
        tmp_path / "b.csv", [HEADER, ["山田 花子", "", "03-1111-2222", ""], ["山田 太郎", "", "03-1111-2222", "x"]]
    )
    result = delivery_service.dry_run_file(hub, integration, later)
    hanako, again = result.rows
    assert (hanako.action, hanako.notes) == (
        "created",
        (f"the phone number +81311112222 is also customer {taro['id']}'s, another person by name",),
    )
    assert (again.action, again.customer_id, again.notes) == ("updated", taro["id"], ())


def test_a_record_whose_mobile_is_anothers_is_found_by_its_phone(hub, tmp_path: Path):
    integration = integration_service.manual_import_integration(hub)
    header = ["氏名", "携帯", "電話番号"]
    rows = [header, ["山田 太郎", "090-1111-2222", ""], ["鈴木 花子", "", "03-3333-4444"]]
    assert delivery_service.import_file(hub, integration, write_csv(tmp_path / "a.csv", rows)).counts.created == 2
    # 花子's record gives 太郎's mobile (a typo, a shared phone) and her own landline.
    later = [header, ["鈴木 花子", "090-1111-2222", "03-3333-4444"]]
    result = delivery_service.import_file(hub, integration, write_csv(tmp_path / "b.csv", later))
    assert (result.counts.created, result.counts.updated) == (0, 1)
    people = _by_name(hub)
    assert people["鈴木 花子"]["custom"] == {} and people["鈴木 花子"]["mobile"] == "+819011112222"
    assert people["山田 太郎"]["phone"] is None


def test_importing_the_same_file_again_changes_nothing(hub, tmp_path: Path):
    integration = integration_service.manual_import_integration(hub)
    rows = [HEADER] + [[f"佐藤 {n}郎", f"p{n}@example.com", f"090-1234-{n:04d}", f"会社{n}"] for n in range(30)]
    # Person 3 twice in one file: the second row updates the customer the first created.
    rows.append(["佐藤 3郎", "p3@example.com", "", "別会社"])
    source = write_csv(tmp_path / "people.csv", rows)
    first = delivery_service.import_file(hub, integration, source)
    assert (first.counts.created, first.counts.updated, first.counts.errors) == (30, 1, 0)
    before = export(hub)
    again = write_csv(tmp_path / "people-again.csv", rows)
    second = delivery_service.import_file(hub, integration, again, force=True)
    # Person 3: the first row puts the first company back, the second takes it back again: the
    # customer is left as it was, and neither row counts as an update nor leaves a change.
    assert (second.counts.created, second.counts.updated, second.counts.unchanged) == (0, 0, 31)
    assert export(hub) == before
    assert _history(hub) == []


def test_a_value_several_customers_share_finds_the_oldest_of_them(hub, tmp_path: Path):
    by_mobile = integration_service.add_integration(
        hub, {"name": "by-mobile", "kind": "csv", "policies": {"match_keys": ["mobile"]}}
    )
    shared = "shared@example.com"
    rows = [HEADER, ["青木 一郎", shared, "090-1111-2222", ""], ["井上 二郎", shared, "090-3333-4444", ""]]
    assert delivery_service.import_file(hub, by_mobile, write_csv(tmp_path / "two.csv", rows)).counts.created == 2
    # A later change to the older customer must not make it lose the tie.
    later = [HEADER, ["青木 一郎", shared, "090-1111-2222", "青木商店"]]
    assert delivery_service.import_file(hub, by_mobile, write_csv(tmp_path / "later.csv", later)).counts.updated == 1
    manual = integration_service.manual_import_integration(hub)
    by_email = [HEADER, ["", shared, "", "共有商事"]]
    result = delivery_service.import_file(hub, manual, write_csv(tmp_path / "by-email.csv", by_email))
    assert (result.counts.created, result.counts.updated) == (0, 1)
    people = _by_name(hub)
    assert people["青木 一郎"]["company_name"] == "共有商事"
    assert people["井上 二郎"]["company_name"] is None


def test_a_record_bringing_the_stored_values_changes_nothing_even_between_records_that_do(hub, tmp_path: Path):
    """Records that bring exactly what is stored are settled from the stored row; one that changes
    the customer, and every record after it for the same customer, merge as usual."""
    integration = integration_service.manual_import_integration(hub)
    yamada = ["山田 太郎", "taro@example.com", "03-1111-2222", "山田商事"]
    sato = ["佐藤 花子", "hanako@example.com", "", "佐藤工業"]
    first = write_csv(tmp_path / "first.csv", [HEADER, yamada, sato])
    assert delivery_service.import_file(hub, integration, first).counts.created == 2
    moved = [*yamada[:3], "山田ホールディングス"]
    second = write_csv(tmp_path / "second.csv", [HEADER, yamada, moved, yamada, sato, sato])
    result = delivery_service.import_file(hub, integration, second)
    # 山田: unchanged, changed, changed back (which leaves him as he was); 佐藤: unchanged twice.
    assert (result.counts.created, result.counts.updated, result.counts.unchanged) == (0, 0, 5)
    people = _by_name(hub)
    assert people["山田 太郎"]["company_name"] == "山田商事"
    assert people["佐藤 花子"]["company_name"] == "佐藤工業"
    assert _history(hub) == []
    # Changed again after that in the same file: each record changed him, and the history has one
    # change, from the value before the file to the last.
    third = write_csv(tmp_path / "third.csv", [HEADER, moved, yamada, [*yamada[:3], "山田物産"]])
    result = delivery_service.import_file(hub, integration, third)
    assert (result.counts.updated, result.counts.unchanged) == (3, 0)
    assert _by_name(hub)["山田 太郎"]["company_name"] == "山田物産"
    assert _history(hub) == [("company_name", "山田商事", "山田物産", result.delivery_id)]


def _history(hub) -> list[tuple]:
    from sqlalchemy import text

    with hub.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT field, old_value, new_value, new_delivery_id FROM field_history ORDER BY id")
        ).all()
    return [tuple(row) for row in rows]


def _count_filter_calls(monkeypatch) -> list[int]:
    """How many values each call of the key filter (in this process) was asked about."""
    from renkei.core import keyfilter

    asked: list[int] = []
    maybe = keyfilter.KeyFilter.maybe

    def counting(self, values):  # type: ignore[no-untyped-def]
        values = list(values)
        asked.append(len(values))
        return maybe(self, values)

    monkeypatch.setattr(keyfilter.KeyFilter, "maybe", counting)
    return asked


def test_a_first_import_skipping_lookups_it_can_rule_out_stores_what_looking_everything_up_stores(
    tmp_path: Path, monkeypatch
):
    """Into an empty workspace only the file's own earlier records can match (SQLite holds the
    write lock): key values no earlier record had are not looked up. Records matching across
    batches (5,000 rows each) by each kind of key give the same customers either way."""
    from renkei.pipeline.hub import Hub

    rows = [[*HEADER, "携帯電話"]]
    for n in range(6_000):
        rows.append([f"田中 {n}郎", f"t{n}@example.jp", f"03-{1000 + n // 1000}-{n % 10000:04d}", f"会社{n}", ""])
    rows += [
        ["田中 1郎", "t1@example.jp", "", "移転後の会社", ""],  # by e-mail, four batches later
        ["", "", "03-1000-0002", "電話だけの会社", ""],  # by phone only
        ["新人 太郎", "new@example.jp", "", "", "090-5555-0003"],  # a new person with a mobile...
        ["", "", "", "携帯だけの会社", "090-5555-0003"],  # ...found by it in the same batch
    ]
    source = write_csv(tmp_path / "first.csv", rows)
    asked = _count_filter_calls(monkeypatch)

    def run(name: str) -> tuple[object, list[dict]]:
        hub = Hub.open("default", url=f"sqlite:///{tmp_path / name}.db", home=tmp_path / name)
        try:
            result = delivery_service.import_file(hub, integration_service.manual_import_integration(hub), source)
            return result.counts, export(hub)
        finally:
            hub.close()

    filtered = run("filtered")
    assert asked, "the first import into an empty workspace used the filter"
    # Read and screened in a child process (a large file's way), the same.
    monkeypatch.setattr(delivery_service, "PARALLEL_BYTES", 0)
    assert run("in-a-child") == filtered
    monkeypatch.setattr(delivery_service, "PARALLEL_BYTES", 1 << 40)
    monkeypatch.setattr(delivery_service, "_key_filter", lambda *args: None)
    asked.clear()
    looked_up = run("looked-up")
    assert not asked
    assert filtered == looked_up
    counts, people = filtered
    assert (counts.created, counts.updated, counts.errors) == (6_001, 3, 0)
    by_email = {p["email"]: p for p in people}
    assert by_email["t1@example.jp"]["company_name"] == "移転後の会社"
    assert by_email["t2@example.jp"]["company_name"] == "電話だけの会社"
    assert by_email["new@example.jp"]["company_name"] == "携帯だけの会社"


@pytest.mark.parametrize("in_a_child", [False, True], ids=["here", "in-a-child"])
def test_a_file_into_a_workspace_of_few_customers_finds_each_by_every_kind_of_key(
    hub, tmp_path: Path, monkeypatch, in_a_child: bool
):
    """A workspace holding few customers for the file's size has their keys read into the filter
    first (a replaced file's customers that others touched, a new list beside a small store): the
    records matching them by external id, e-mail, mobile or phone find them, whether the file is
    read and screened in this process or in a child (which takes the seeded filter with it)."""
    header = ["会員番号", "氏名", "メールアドレス", "電話番号", "携帯電話", "会社名"]
    spec = {
        "name": "members",
        "kind": "csv",
        "mapping": {"rules": [{"source": "会員番号", "target": "external_id", "permission": "R"}]},
    }
    stored = [
        header,
        ["M-1", "青木 一郎", "aoki@example.jp", "", "", "青木商会"],
        ["", "井上 二郎", "inoue@example.jp", "03-1111-2222", "", "井上商会"],
        ["", "上野 三郎", "", "", "090-3333-4444", "上野商会"],
        ["", "江藤 四郎", "eto@example.jp", "06-5555-6666", "", "江藤商会"],
    ]
    later = [
        header,
        ["M-1", "", "", "", "", "青木ホールディングス"],  # by external id
        ["", "", "INOUE@example.jp", "", "", "井上ホールディングス"],  # by e-mail
        ["", "", "", "", "090-3333-4444", "上野ホールディングス"],  # by mobile
        ["", "", "", "06-5555-6666", "", "江藤ホールディングス"],  # by phone
        *(
            [f"N-{n}", f"新人 {n}", f"new{n}@example.jp", "", f"080-{n // 10000:04d}-{n % 10000:04d}", ""]
            for n in range(400)
        ),
    ]
    asked = _count_filter_calls(monkeypatch)

    members = integration_service.add_integration(hub, spec)
    delivery_service.import_file(hub, members, write_csv(tmp_path / "stored.csv", stored))
    asked.clear()
    if in_a_child:
        monkeypatch.setattr(delivery_service, "PARALLEL_BYTES", 0)
    counts = delivery_service.import_file(hub, members, write_csv(tmp_path / "later.csv", later)).counts
    assert bool(asked) is not in_a_child, "the filter was seeded with the four stored customers' keys"
    people = export(hub)
    assert (counts.created, counts.updated, counts.errors) == (400, 4, 0)
    companies = {p["last_name"]: p["company_name"] for p in people}
    assert [companies[n] for n in ("青木", "井上", "上野", "江藤")] == [
        "青木ホールディングス",
        "井上ホールディングス",
        "上野ホールディングス",
        "江藤ホールディングス",
    ]


def test_people_sharing_an_e_mail_address_stay_apart_and_each_finds_their_own(hub, tmp_path: Path):
    integration = integration_service.manual_import_integration(hub)
    # A household's address, and a company's info@ on two people's cards.
    rows = [
        HEADER,
        ["山田 太郎", "yamada-family@example.jp", "", ""],
        ["山田 花子", "yamada-family@example.jp", "", ""],
        ["青木 一郎", "info@abc.example.jp", "", "ABC商事"],
        ["井上 二郎", "info@abc.example.jp", "", "ABC商事"],
        ["山田 花子", "yamada-family@example.jp", "", "花子商店"],
    ]
    first = delivery_service.import_file(hub, integration, write_csv(tmp_path / "shared.csv", rows))
    assert (first.counts.created, first.counts.updated) == (4, 1)
    aoki = _by_name(hub)["青木 一郎"]["id"]
    # Later: the same person in another script, and a record with the address alone (its oldest holder's).
    later = [
        HEADER,
        ["Ichiro Aoki", "info@abc.example.jp", "03-1111-2222", ""],
        ["", "yamada-family@example.jp", "", "山田家"],
    ]
    second = delivery_service.import_file(hub, integration, write_csv(tmp_path / "later.csv", later))
    assert (second.counts.created, second.counts.updated) == (0, 2)
    people = {c["id"]: c for c in export(hub)}
    assert len(people) == 4
    assert (people[aoki]["last_name"], people[aoki]["phone"]) == ("Aoki", "+81311112222")  # overwritten, as set
    by_name = _by_name(hub)
    assert by_name["山田 花子"]["company_name"] == "花子商店"
    assert by_name["山田 太郎"]["company_name"] == "山田家"
    assert by_name["井上 二郎"]["phone"] is None


def test_a_dry_run_says_whose_shared_e_mail_address_a_record_did_not_take(hub, tmp_path: Path):
    integration = integration_service.manual_import_integration(hub)
    first = write_csv(tmp_path / "a.csv", [HEADER, ["山田 太郎", "yamada@example.jp", "", ""]])
    delivery_service.import_file(hub, integration, first)
    [taro] = export(hub)
    later = write_csv(tmp_path / "b.csv", [HEADER, ["山田 花子", "yamada@example.jp", "", ""]])
    [hanako] = delivery_service.dry_run_file(hub, integration, later).rows
    assert (hanako.action, hanako.notes) == (
        "created",
        (f"the e-mail address yamada@example.jp is also customer {taro['id']}'s, another person by name",),
    )


def _far_apart(later_company: str, tag: str = "") -> list[list[str]]:
    """A file of 5,010 people in which 山田 太郎 comes twice, first and nearly last, further apart
    than the rows an import applies at a time."""
    rows = [[*HEADER, "タグ"], ["山田 太郎", "taro@example.com", "03-1111-2222", "山田商事", tag]]
    rows += [[f"佐藤 {n}", f"p{n}@example.com", "", "", ""] for n in range(5_005)]
    rows += [["山田 太郎", "taro@example.com", "", later_company, ""]]
    rows += [[f"鈴木 {n}", f"s{n}@example.com", "", "", ""] for n in range(3)]
    return rows


def test_a_file_sent_again_leaves_its_repeated_person_as_it_found_him_however_far_apart_the_rows(hub, tmp_path: Path):
    integration = integration_service.manual_import_integration(hub)
    first = delivery_service.import_file(hub, integration, write_csv(tmp_path / "list.csv", _far_apart("山田物産")))
    assert (first.counts.created, first.counts.updated) == (5_009, 1)
    assert _by_name(hub)["山田 太郎"]["company_name"] == "山田物産"
    before = export(hub)

    again_csv = write_csv(tmp_path / "again.csv", _far_apart("山田物産"))
    again = delivery_service.import_file(hub, integration, again_csv, force=True)
    assert (again.counts.created, again.counts.updated, again.counts.unchanged) == (0, 0, 5_010)
    assert export(hub) == before
    assert _history(hub) == []

    # Sent with another company on the later row: one change, from the company before the file.
    moved = delivery_service.import_file(hub, integration, write_csv(tmp_path / "moved.csv", _far_apart("山田HD")))
    assert (moved.counts.updated, moved.counts.unchanged) == (2, 5_008)
    assert _by_name(hub)["山田 太郎"]["company_name"] == "山田HD"
    assert _history(hub) == [("company_name", "山田物産", "山田HD", moved.delivery_id)]
    # Taken back, the customer has the company it had before that file.
    delivery_service.undo_delivery(hub, moved.delivery_id)
    assert export(hub) == before
    assert _history(hub) == []


def test_a_repeated_person_the_file_sent_again_tags_counts_as_updated(hub, tmp_path: Path):
    integration = integration_service.manual_import_integration(hub)
    delivery_service.import_file(hub, integration, write_csv(tmp_path / "list.csv", _far_apart("山田物産")))
    tagged = delivery_service.import_file(
        hub, integration, write_csv(tmp_path / "tagged.csv", _far_apart("山田物産", tag="VIP"))
    )
    # The tag is what the file did to him: his company went there and back, which leaves no change.
    assert (tagged.counts.updated, tagged.counts.unchanged) == (2, 5_008)
    taro = _by_name(hub)["山田 太郎"]
    assert taro["tags"] == ["VIP"] and taro["company_name"] == "山田物産"
    assert _history(hub) == []


def test_a_dry_run_of_a_file_sent_again_shows_its_repeated_person_unchanged(hub, tmp_path: Path):
    # The first row would change his company and the row 5,007 rows later change it back: the
    # dry run's listed row says what the file does to him, nothing, as its counts do.
    integration = integration_service.manual_import_integration(hub)
    delivery_service.import_file(hub, integration, write_csv(tmp_path / "list.csv", _far_apart("山田物産")))
    preview = delivery_service.dry_run_file(hub, integration, write_csv(tmp_path / "again.csv", _far_apart("山田物産")))
    assert (preview.counts.updated, preview.counts.unchanged) == (0, 5_010)
    first = preview.rows[0]
    assert (first.line, first.action, first.changes) == (2, "unchanged", ())
    assert {row.action for row in preview.rows} == {"unchanged"}


def test_a_dry_run_drops_a_change_the_file_takes_back_and_keeps_the_rest(hub, tmp_path: Path):
    integration = integration_service.manual_import_integration(hub)
    rows = [[*HEADER, "メモ"], ["山田 太郎", "taro@example.com", "", "山田商事", ""]]
    rows += [["山田 太郎", "taro@example.com", "", "山田物産", "再訪"]]
    found = ["山田 太郎", "taro@example.com", "", "山田物産", ""]
    delivery_service.import_file(hub, integration, write_csv(tmp_path / "list.csv", [rows[0], found]))
    # Sent with both rows: the first changes the company and the second sets it back, and adds a memo.
    preview = delivery_service.dry_run_file(hub, integration, write_csv(tmp_path / "both.csv", rows))
    assert (preview.counts.updated, preview.counts.unchanged) == (2, 0)
    first, second = preview.rows
    assert first.changes == ()
    assert [(c.field, c.new) for c in second.changes] == [("memo", "再訪")]
