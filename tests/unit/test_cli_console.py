"""What the CLI prints is the value as it is: never an emoji for a ``:code:`` inside it."""

from __future__ import annotations

from renkei.cli.main import console, err


def test_a_fingerprint_with_an_emoji_code_in_it_prints_as_it_is() -> None:
    # A certificate fingerprint "…:3d:ab:a5:…" once printed as "…:3d🆎a5:…" (rich's :ab: emoji).
    fingerprint = "60:f9:3d:ab:a5:3e:46:07:cd:a5:ok:"
    for out in (console, err):
        with out.capture() as captured:
            out.print(f"tls_certificate_sha256: {fingerprint}", markup=False, highlight=False, soft_wrap=True)
        assert captured.get() == f"tls_certificate_sha256: {fingerprint}\n"


def test_json_written_as_it_is_read_is_the_json_of_the_whole() -> None:
    # `renkei import --json` lists a file's row errors as they are read from the store: the text
    # parses to what the whole lists would give, empty ones included.
    import io
    import json

    from rich.console import Console

    from renkei.cli.present import _json_stream, _Streamed

    errors = [{"line": n, "reason": f"行 {n}"} for n in range(2, 5)]
    data = [
        {"file": "a.csv", "row_errors": _Streamed(iter(errors)), "rows": _Streamed(iter([]))},
        {"file": "b.csv", "row_errors": _Streamed(e for e in ())},
    ]
    out = io.StringIO()
    _json_stream(Console(file=out), data)
    assert json.loads(out.getvalue()) == [
        {"file": "a.csv", "row_errors": errors, "rows": []},
        {"file": "b.csv", "row_errors": []},
    ]
    assert "行 2" in out.getvalue()  # written as it is, not escaped


def test_a_streamed_array_starts_reading_only_when_it_is_written() -> None:
    # Each delivery's row errors hold a store connection while they are read: an import of many
    # files opens them one after the other as the JSON reaches them, not all at once.
    import io

    from rich.console import Console

    from renkei.cli.present import _json_stream, _Streamed

    started: list[str] = []

    def errors(name: str):
        started.append(name)
        yield {"file": name}

    data = [{"row_errors": _Streamed(errors(name))} for name in ("a", "b")]
    assert started == []  # building the output reads nothing yet
    out = io.StringIO()
    _json_stream(Console(file=out), data)
    assert started == ["a", "b"] and '"file": "b"' in out.getvalue()


def test_a_note_about_the_whole_file_names_the_file_once() -> None:
    from renkei.cli.present import _error_line

    note = {"line": None, "locator": "list.xlsx", "column_name": None, "value": "顧客", "reason": "2 sheets"}
    assert _error_line("list.xlsx", note) == "list.xlsx, value '顧客': 2 sheets"
    assert _error_line("in/list.xlsx", note) == "in/list.xlsx, value '顧客': 2 sheets"
    row = {"line": 3, "locator": "list.xlsx row 3", "column_name": "メール", "value": "x", "reason": "bad"}
    assert _error_line("list.xlsx", row) == "list.xlsx row 3, column メール, value 'x': bad"
    mail = {"line": None, "locator": "mail", "column_name": "phone", "value": "1", "reason": "bad"}
    assert _error_line("lead.eml", mail) == "lead.eml mail, column phone, value '1': bad"
