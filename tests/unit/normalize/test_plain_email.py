"""The import's one-step e-mail path gives what cleaning and ``normalize_email`` give."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from bench.gen_csv import HEADER, generate
from hypothesis import given
from hypothesis import strategies as st

from renkei.core.errors import NormalizationError
from renkei.core.normalize import classify_phone, clean_text, fold_width, normalize_email, plain_email
from renkei.core.patch import CustomerPatch
from renkei.core.transforms import transform_for

TRICKY = [
    "taro@example.jp",
    "Taro.Yamada@Example.CO.JP",
    "TARO@EXAMPLE.JP",
    "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
    "taro＠example.jp",
    " taro@example.jp ",
    "taro@example.jp\n",
    "\u3000taro@example.jp",
    "mailto:taro@example.jp",
    "MAILTO:Taro@Example.jp",
    "\u212a@example.jp",  # KELVIN SIGN: lower-cases to an ASCII k
    "İ@example.jp",
    "taro..yamada.@docomo.ne.jp",
    "Taro..Yamada.@DOCOMO.NE.JP",
    "taro..yamada@example.jp",
    ".taro@example.jp",
    "taro@example",
    "taro@-example.jp",
    "taro@@example.jp",
    "@example.jp",
    "taro@",
    "none@x.jp",
    "N/A",
    "なし",
    "-",
    "a" * 64 + "@example.jp",
    "a" * 65 + "@example.jp",
    "a@" + "b" * 63 + ".jp",
    "a@" + ".".join(["b" * 60] * 5) + ".jp",
    "山田@example.jp",
    "taro@例え.jp",
    "㈱@example.jp",
    "①@example.jp",
    "ﾀﾛｳ@example.jp",
    "taro@example.jp～",
    "taro\t@example.jp",
    "\x1ctaro@example.jp",
]


def _cleaned_then_normalised(raw: str) -> str | None:
    """The plain definition: the transform's cleaning, then the normaliser (None: rejected or blank)."""
    text = clean_text(fold_width(raw))
    if text is None:
        return None
    try:
        return normalize_email(text)
    except NormalizationError:
        return None


def _agrees(raw: str) -> None:
    fast = plain_email(raw)
    if fast is not None:
        assert fast == _cleaned_then_normalised(raw), raw


@pytest.fixture(scope="module")
def bench_emails(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The e-mail column of the benchmark's generated file (mixed case and width, padded)."""
    path = Path(tmp_path_factory.mktemp("bench")) / "members.csv"
    generate(path, 3000)
    with path.open(encoding="cp932", newline="") as handle:
        rows = list(csv.reader(handle))
    column = HEADER.index("メールアドレス")
    return [row[column] for row in rows[1:]]


@pytest.mark.parametrize("raw", TRICKY)
def test_a_tricky_value_gives_the_same_address(raw: str) -> None:
    _agrees(raw)


def test_the_benchmark_addresses_give_the_same_addresses(bench_emails: list[str]) -> None:
    for raw in bench_emails:
        _agrees(raw)
    taken = sum(plain_email(raw) is not None for raw in bench_emails)
    assert taken > len(bench_emails) // 2, "the common shape takes the one-step path"


@given(st.one_of(st.sampled_from(TRICKY), st.from_regex(r"[A-Za-z0-9._+\-@ ]{0,30}", fullmatch=True), st.emails()))
def test_any_value_gives_the_same_address(raw: str) -> None:
    _agrees(raw)


@given(
    st.one_of(
        st.sampled_from([*TRICKY, "'taro@example.jp", "taro @example.jp", "「taro@example.jp」", "090-1234-5678"]),
        st.emails(),
        st.text(max_size=20),
    )
)
def test_the_email_transform_puts_what_cleaning_and_normalising_give(raw: str) -> None:
    patch = CustomerPatch()
    reason = transform_for("email", memo_size=0)(raw, patch)
    if raw[:1] in ("'", "＇") and raw[1:].strip():  # Excel's text mark is read past
        raw = raw[1:]
    text = clean_text(fold_width(raw))
    if text is None:
        assert (patch.fields, reason) == ({}, None)
        return
    try:
        expected = normalize_email(text)
    except NormalizationError as error:
        number = patch.fields.get("mobile") or patch.fields.get("phone") or patch.custom.get("email 電話")
        if number is not None:  # a phone number written instead: kept beside the file's phone columns
            assert "@" not in text and reason is None and number == classify_phone(text)[0]
        elif patch.fields:
            loose = re.sub(r"\s*@\s*", "@", text).strip("\"'“”‘’「」『』").strip()
            if text.count("@") == 1 and " " not in loose and loose != text:  # spaces around @, quotes
                assert (patch.fields, reason) == ({"email": normalize_email(loose)}, None)
                return
            # several addresses in one cell: each one normalised, the first is the e-mail
            parts = [part for part in re.split(r"[\s,;、，；/／]+", text) if part]
            addresses = list(dict.fromkeys(map(normalize_email, parts)))
            assert len(parts) > 1 and reason is None
            assert patch.fields == {"email": addresses[0]}
            assert patch.custom == ({"email": ", ".join(addresses[1:])} if addresses[1:] else {})
        else:
            assert reason == error.reason
        return
    assert (patch.fields, patch.custom, reason) == ({"email": expected}, {}, None)
