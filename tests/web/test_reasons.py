"""Row errors and delivery reasons, stored in English, are shown in the page's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from renkei.core.reasons import reasons, say_reason
from renkei.pipeline.deliveries import import_file
from renkei.pipeline.integrations import manual_import_integration
from tests.conftest import write_csv

SRC = Path(__file__).resolve().parents[2] / "src" / "renkei"
#: Where the pipeline writes the reasons a user reads on a page, and how it writes them.
WRITERS = {
    "core/normalize/*.py": r'NormalizationError\(\s*f?"([^"]+)"',
    "core/mapping.py": r'FieldError\([^()]*,\s*"([^"]+)"\)',
    "sources/csvfile.py": r'(?:reason = f?|CsvProblem\([^()]*,\s*f?)"([^"]+)"',
    "sources/xlsxfile.py": r'notes\.append\(\s*f?"([^"]+)"',
    "pipeline/deliveries.py": r'reason\s*=\s*f?"([^"]+)"',
    "pipeline/apply.py": r'note\s*=\s*f?"([^"]+)"',
    "pipeline/undo.py": r'reason\s*=\s*f?"([^"]+)"',
    "channels/worker.py": r'reason\s*=\s*f?"([^"]+)"',
    "pipeline/pull.py": r'reason\s*=\s*f?"([^"]+)"',
    "pipeline/notify.py": r'reason\s*=\s*f?"([^"]+)"',
}
_ANY_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _shape(text: str) -> str:
    """A reason with every placeholder alike: ``{name!r}`` in the code is ``{name}`` in the catalogue."""
    return _ANY_PLACEHOLDER.sub("{}", text)


#: A reason chosen before it is raised: every phrase on a ``reason = …`` line (not the other
#: strings a condition there compares with).
_CHOSEN = re.compile(r"^\s*reason = (.+)$", re.MULTILINE)


def written_reasons() -> set[str]:
    found: set[str] = set()
    for pattern, expression in WRITERS.items():
        for path in SRC.glob(pattern):
            text = path.read_text(encoding="utf-8")
            found.update(re.findall(expression, text))
            for line in _CHOSEN.findall(text):
                found.update(phrase for phrase in re.findall(r'f?"([^"]+)"', line) if " " in phrase)
    return found


def test_every_reason_the_pipeline_writes_is_in_the_catalogue() -> None:
    written = written_reasons()
    assert len(written) > 40, "the scan found the reasons"
    known = {_shape(entry["en"]) for entry in reasons()}
    assert sorted(_shape(text) for text in written if _shape(text) not in known) == []


def test_each_entry_says_the_same_in_japanese_with_the_same_placeholders() -> None:
    entries = reasons()
    assert len({entry["en"] for entry in entries}) == len(entries), "no reason twice"
    for entry in entries:
        assert set(entry) == {"en", "ja"}
        assert sorted(re.findall(r"\{(\w+)\}", entry["en"])) == sorted(re.findall(r"\{(\w+)\}", entry["ja"])), entry
        assert re.search(r"[ぁ-んァ-ヶ一-龠]", entry["ja"]), entry


@pytest.mark.parametrize(
    ("stored", "japanese"),
    [
        ("Phone number is not a valid number", "有効な電話番号ではありません"),
        ("Date is outside the 平成 era", "平成の期間外の日付です"),
        ("duplicate header 'TEL' renamed to 'TEL_2'", "見出し 'TEL' が重複しているため 'TEL_2' としました"),
        ("row has 3 cells, the header has 4", "この行は 3 列ですが、見出しは 4 列です"),
        ("the same inquiry arrived in delivery 12", "同じ反響が配信 12 で届いています"),
        ("cannot parse this row: line contains NUL {x}", "この行を読み取れません: line contains NUL {x}"),
    ],
)
def test_a_known_reason_is_said_in_japanese(stored: str, japanese: str) -> None:
    assert say_reason(stored, "ja") == japanese
    assert say_reason(stored, "en") == stored


def test_a_reason_quoting_another_says_both_in_japanese() -> None:
    stored = "3 deliveries in a row failed; the last: every row has an error"
    assert say_reason(stored, "ja") == "3 回続けて配信の処理に失敗しました。最後の理由: すべての行にエラーがあります"
    assert say_reason("3 checks in a row failed; the last: connection refused", "ja") == (
        "3 回続けて確認に失敗しました。最後の理由: connection refused"
    )


def test_an_unknown_reason_is_shown_as_stored() -> None:
    assert say_reason("the SFTP server said no", "ja") == "the SFTP server said no"
    assert (
        say_reason("Phone number is not a valid number, really", "ja") == "Phone number is not a valid number, really"
    )
    assert say_reason(None, "ja") == ""


def test_a_delivery_page_shows_its_row_errors_in_the_chosen_language(hub, admin, tmp_path: Path) -> None:
    rows = [["氏名", "メールアドレス", "電話番号"], ["佐藤一郎", "sato@example.jp", "090-12"], ["山田太郎", "", ""]]
    result = import_file(hub, manual_import_integration(hub), write_csv(tmp_path / "m.csv", rows), channel="upload")
    assert (result.counts.created, result.counts.errors) == (1, 1)
    admin.post("/locale", data={"locale": "ja", "next": "/"})
    page = admin.client.get(f"/deliveries/{result.delivery_id}").text
    assert "電話番号の桁数が足りません" in page and "Phone number is too short" not in page
    admin.post("/locale", data={"locale": "en", "next": "/"})
    page = admin.client.get(f"/deliveries/{result.delivery_id}").text
    assert "Phone number is too short" in page and "電話番号の桁数が足りません" not in page
