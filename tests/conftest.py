"""Shared fixtures: a hub on SQLite and on PostgreSQL, corpora paths, CSV writers."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import pytest
from hypothesis import settings

# No per-example deadline: a loaded 2-core machine must not turn a slow example into a failure.
# In CI the examples are derandomized, so a run is repeatable; locally they explore.
settings.register_profile("renkei", deadline=None)
settings.register_profile("renkei-ci", deadline=None, derandomize=True)
settings.load_profile("renkei-ci" if os.environ.get("CI") else "renkei")

ROOT = Path(__file__).resolve().parents[1]
CORPORA = (ROOT / ".." / "shared" / "corpora").resolve()
POSTGRES_ADMIN_URL = os.environ.get("RENKEI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SKIP_POSTGRES = os.environ.get("RENKEI_TEST_SKIP_POSTGRES") == "1"


@pytest.fixture(autouse=True)
def _mail_auth_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mail authentication (SPF/DKIM) looks records up in DNS: off in tests unless a test turns it on."""
    monkeypatch.setenv("RENKEI_MAIL_AUTH", "off")


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The shared public test corpora (``../shared/corpora``)."""
    assert CORPORA.is_dir(), f"the shared corpora are missing at {CORPORA}"
    return CORPORA


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The admin URL of the PostgreSQL server the tests use. Fails (never skips) if it is down."""
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES_ADMIN_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # pragma: no cover - only when the server is down
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}")
    finally:
        engine.dispose()
    yield POSTGRES_ADMIN_URL


def make_postgres_database(admin_url: str, template: str | None = None) -> tuple[str, str]:
    """Create a fresh database (empty, or a copy of ``template``); returns (its URL, its name)."""
    from sqlalchemy import create_engine, text

    name = f"renkei_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name, name


def drop_postgres_database(admin_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


BACKENDS = ["sqlite"] if SKIP_POSTGRES else ["sqlite", "postgres"]


def _migrated(url: str) -> None:
    from renkei.store.db import make_engine, migrate

    engine = make_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()  # no connection left: PostgreSQL copies a template nobody is connected to


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store migrated once a session, for tests to start from a copy of."""
    path = tmp_path_factory.mktemp("template") / "renkei.db"
    _migrated(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server: str) -> Iterator[str]:
    """The name of a PostgreSQL database migrated once a session, for tests to copy."""
    url, name = make_postgres_database(postgres_server)
    _migrated(url)
    try:
        yield name
    finally:
        drop_postgres_database(postgres_server, name)


def _fresh_store(request: pytest.FixtureRequest, tmp_path: Path, migrated: bool) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "renkei.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    admin = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template") if migrated else None
    url, name = make_postgres_database(admin, template=template)
    try:
        yield url
    finally:
        drop_postgres_database(admin, name)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh store URL, its schema migrated and nothing in it: SQLite in a temporary folder, or a
    new PostgreSQL database. Each is a copy of a store migrated once a session: creating and
    migrating one for each of the suite's ~700 store tests took a minute or two of its run."""
    yield from _fresh_store(request, tmp_path, migrated=True)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store URL with nothing in it, not even a schema (for the migrations' own test)."""
    yield from _fresh_store(request, tmp_path, migrated=False)


@pytest.fixture
def hub(database_url: str, tmp_path: Path) -> Iterator[object]:
    """A hub on a fresh store, in the default workspace."""
    from renkei.pipeline.hub import Hub

    opened = Hub.open("default", url=database_url, home=tmp_path / "home")
    try:
        yield opened
    finally:
        opened.close()


def write_csv(path: Path, rows: list[list[str]], encoding: str = "cp932", newline: str = "\r\n") -> Path:
    """Write rows as a CSV file the way Excel does (CP932, CRLF) unless told otherwise."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def workbook(path: Path, rows: list[list[object]], *, more_sheets: tuple[str, ...] = (), hidden_first: bool = False):
    """An Excel workbook at ``path``: ``rows`` on a first sheet 顧客一覧, more sheets when asked."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "顧客一覧"
    for row in rows:
        sheet.append(row)
    if hidden_first:
        sheet.sheet_state = "hidden"
        book.create_sheet("見える").append(["氏名"])
        book.worksheets[1].append(["見える人"])
    for name in more_sheets:
        book.create_sheet(name).append(["メモ"])
    book.save(path)
    return path


def any_workbook(kind: str, path: Path, rows: list[list[object]], **options: object):
    """A workbook of any ``kind`` the importer reads (``xlsx``, ``xls``, ``xlsb``, ``ods``)."""
    return workbook(path, rows, **options) if kind == "xlsx" else other_workbook(kind, path, rows, **options)


def other_workbook(
    kind: str, path: Path, rows: list[list[object]], *, more_sheets: tuple[str, ...] = (), hidden_first: bool = False
):
    """A workbook of ``kind`` (``xls``, ``xlsb`` or ``ods``) at ``path``, as ``workbook`` writes an .xlsx."""
    sheets = [("顧客一覧", rows, hidden_first)]
    if hidden_first:
        sheets.append(("見える", [["氏名"], ["見える人"]], False))
    sheets.extend((name, [["メモ"]], False) for name in more_sheets)
    {"xls": _write_xls, "xlsb": _write_xlsb, "ods": _write_ods}[kind](path, sheets)
    return path


def _write_xls(path: Path, sheets) -> None:
    import xlwt

    formats = {
        datetime: xlwt.easyxf(num_format_str="yyyy/m/d h:mm"),
        date: xlwt.easyxf(num_format_str='ggge"年"m"月"d"日"'),
        time: xlwt.easyxf(num_format_str="h:mm"),
    }
    book = xlwt.Workbook(encoding="utf-8")
    for name, rows, hidden in sheets:
        sheet = book.add_sheet(name)
        sheet.visibility = 1 if hidden else 0
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value, formats.get(type(value), xlwt.Style.default_style))
    book.save(str(path))


def _write_xlsb(path: Path, sheets) -> None:
    from pyxlsbwriter import XlsbWriter

    with XlsbWriter(str(path)) as book:
        for name, rows, hidden in sheets:
            book.add_sheet(name, hidden=hidden)
            width = max(map(len, rows), default=1)  # its writer wants every row as wide
            book.write_sheet([[*row, *[None] * (width - len(row))] for row in rows])


def _write_ods(path: Path, sheets) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    hidden_style = Style(name="hidden", family="table")
    hidden_style.addElement(TableProperties(display="false"))
    document.automaticstyles.addElement(hidden_style)
    for name, rows, hidden in sheets:
        table = Table(name=name, stylename=hidden_style) if hidden else Table(name=name)
        for row in rows:
            line = TableRow()
            for value in row:
                if value is None:
                    cell = TableCell()
                elif isinstance(value, bool):
                    cell = TableCell(valuetype="boolean", booleanvalue=str(value).lower())
                elif isinstance(value, int | float):
                    cell = TableCell(valuetype="float", value=str(value))
                elif isinstance(value, datetime | date):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat())
                elif isinstance(value, time):
                    cell = TableCell(valuetype="time", timevalue=f"PT{value.hour}H{value.minute}M{value.second}S")
                else:
                    cell = TableCell(valuetype="string")
                if value is not None:
                    cell.addElement(P(text=str(value)))
                line.addElement(cell)
            table.addElement(line)
        document.spreadsheet.addElement(table)
    document.save(str(path))
