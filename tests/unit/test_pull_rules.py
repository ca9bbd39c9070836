"""Which remote files a pull takes, how FTP listings are read, and how pull settings are validated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncssh
import pytest
from pydantic import ValidationError

from renkei.core.pull_rules import RemoteFile, Sighting, is_stable, matches, name_problem, same_version, selection
from renkei.sources.pull_kind import FtpPullSettings, SftpPullSettings, stored_schedule, unfold_pem
from renkei.sources.remote import decode_name, host_key_matches, parse_ftp_time, parse_list_line

T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
KEY = asyncssh.generate_private_key("ssh-ed25519")
KEY_LINE = KEY.export_public_key().decode().strip()


def entry(name: str = "a.csv", kind: str = "file", size: int | None = 10, mtime: datetime | None = T0) -> RemoteFile:
    return RemoteFile(name, kind, size, mtime)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("item", "take", "reported"),
    [
        pytest.param(entry(), True, False, id="plain-csv"),
        pytest.param(entry("A.CSV"), True, False, id="any-case"),
        pytest.param(entry("notes.txt"), False, False, id="other-pattern-silent"),
        pytest.param(entry("sub.csv", "dir"), False, False, id="folder-silent"),
        pytest.param(entry("l.csv", "link"), False, True, id="link"),
        pytest.param(entry("p.csv", "other"), False, True, id="pipe-or-device"),
        pytest.param(entry("..\\x.csv"), False, True, id="dots-and-backslash"),
        pytest.param(entry("a/b.csv"), False, True, id="slash"),
        pytest.param(entry(".part.csv"), False, True, id="hidden"),
        pytest.param(entry("a\nb.csv"), False, True, id="control-character"),
    ],
)
def test_selection(item, take, reported):
    taken, why = selection(item, "*.csv", "any")
    assert taken is take
    assert (why is not None) is reported


def test_the_file_name_rule_is_reported():
    assert selection(entry("20260105.csv"), "*.csv", "daily") == (True, None)
    taken, why = selection(entry("members.csv"), "*.csv", "daily")
    assert not taken and "yyyymmdd" in (why or "")


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "a\\b", "x..y.csv", "\x7f.csv"])
def test_unsafe_names(name):
    assert name_problem(name) is not None


def test_patterns_ignore_case():
    assert matches("会員20260105.CSV", "会員*.csv") and not matches("members.tsv", "*.csv")


@pytest.mark.parametrize(
    ("seen", "now", "stable"),
    [
        pytest.param(None, T0, False, id="never-seen"),
        pytest.param(Sighting(10, T0, T0), T0 + timedelta(seconds=4), False, id="too-soon"),
        pytest.param(Sighting(10, T0, T0), T0 + timedelta(seconds=5), True, id="long-enough"),
        pytest.param(Sighting(9, T0, T0), T0 + timedelta(hours=1), False, id="grew"),
        pytest.param(Sighting(10, T0 - timedelta(seconds=1), T0), T0 + timedelta(hours=1), False, id="touched"),
        pytest.param(
            Sighting(10, T0.replace(tzinfo=None), T0.replace(tzinfo=None)),
            T0 + timedelta(seconds=9),
            True,
            id="naive-from-sqlite",
        ),
    ],
)
def test_stability(seen, now, stable):
    assert is_stable(entry(), seen, now, 5) is stable


def test_no_wait_when_stable_seconds_is_zero():
    assert is_stable(entry(), None, T0, 0)


def test_versions_compare_in_whole_seconds():
    assert same_version(entry(mtime=T0.replace(microsecond=0)), 10, T0.replace(microsecond=999))
    assert not same_version(entry(mtime=None), 10, T0)


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("-rw-r--r--    1 owner    group        1234 Jan 05 10:00 members.csv", ("members.csv", "file", 1234)),
        ("-rw-r--r--    1 owner    group        1234 Jan 05  2025 two words.csv", ("two words.csv", "file", 1234)),
        ("drwxr-xr-x    2 owner    group        4096 Jan 05 10:00 done", ("done", "dir", 4096)),
        ("lrwxrwxrwx    1 owner    group          11 Jan 05 10:00 link.csv -> /etc/passwd", ("link.csv", "link", 11)),
        ("01-05-26  10:00AM                 1234 members.csv", ("members.csv", "file", 1234)),
        ("01-05-2026  10:00PM       <DIR>          done", ("done", "dir", None)),
        ("total 12", None),
    ],
)
def test_list_lines(line, parsed):
    assert parse_list_line(line) == parsed


def test_ftp_times():
    assert parse_ftp_time("213 20260105100000") == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert parse_ftp_time("20260105100000.123") == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert parse_ftp_time("550 no") is None


def test_names_that_are_not_utf8_are_read_as_cp932():
    assert decode_name("会員.csv".encode("cp932")) == "会員.csv"
    assert decode_name("会員.csv".encode()) == "会員.csv"


def test_host_keys_match_by_line_or_fingerprint():
    fingerprint = KEY.get_fingerprint("sha256")
    assert host_key_matches(KEY_LINE, KEY) and host_key_matches(fingerprint, KEY)
    other = asyncssh.generate_private_key("ssh-ed25519")
    assert not host_key_matches(KEY_LINE, other) and not host_key_matches(fingerprint, other)


BASE = {"host": "sftp.example.jp", "username": "u", "password": "p", "host_key": KEY_LINE}


def test_pull_settings_defaults_and_schedule():
    settings = SftpPullSettings.model_validate(BASE)
    assert (settings.pattern, settings.after_landing, settings.stable_seconds) == ("*.csv", "keep", 5)
    schedule = settings.schedule()
    assert (schedule.interval_minutes, len(schedule.days), schedule.timezone) == (60, 7, "Asia/Tokyo")


def test_times_and_days_are_read_the_way_people_write_them():
    # YAML reads an unquoted 9:30 as the number 570 (base 60): the same minutes after midnight.
    settings = SftpPullSettings.model_validate({**BASE, "start": 570, "end": "18:00", "days": "Mon, tue,WED"})
    assert (settings.start, settings.end, settings.days) == ("09:30", "18:00", ["mon", "tue", "wed"])
    schedule = stored_schedule(settings.model_dump(), "UTC")
    assert schedule.days == frozenset({0, 1, 2}) and schedule.timezone == "UTC"


def test_every_settings_problem_is_named_at_once():
    with pytest.raises(ValidationError) as error:
        SftpPullSettings.model_validate(
            {**BASE, "host_key": "nope", "interval_minutes": 7, "delay_minutes": 60, "start": "25:00", "days": ["xyz"]}
        )
    fields = {item["loc"][0] for item in error.value.errors()}
    assert fields == {"host_key", "interval_minutes", "delay_minutes", "start", "days"}


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"after_landing": "move"}, "move_to"),
        ({"password": None}, "password or private_key"),
        ({"private_key": "not a key"}, "private key"),
        ({"host_key": "SHA256:short"}, "fingerprint"),
    ],
)
def test_sftp_settings_problems(changes, words):
    with pytest.raises(ValidationError, match=words):
        SftpPullSettings.model_validate({**BASE, **changes})


def test_a_private_key_alone_is_enough_and_its_folded_lines_are_restored():
    pem = KEY.export_private_key().decode()
    settings = SftpPullSettings.model_validate({**BASE, "password": None, "private_key": " ".join(pem.split("\n"))})
    assert settings.private_key is not None
    assert settings.private_key.get_secret_value().strip() == pem.strip()
    assert "PRIVATE" not in repr(settings)
    assert unfold_pem(pem) == pem


def test_ftp_settings():
    settings = FtpPullSettings.model_validate(
        {"host": "ftp.example.jp", "username": "u", "password": "p", "tls_certificate_sha256": "AB:" * 31 + "AB"}
    )
    assert settings.tls and settings.tls_certificate_sha256 == "ab" * 32
    with pytest.raises(ValidationError, match="host_key"):
        FtpPullSettings.model_validate({"host": "h", "username": "u", "password": "p", "host_key": KEY_LINE})
    with pytest.raises(ValidationError, match="password"):
        FtpPullSettings.model_validate({"host": "h", "username": "u"})
