"""Daily and monthly file-name rules."""

from __future__ import annotations

import pytest

from renkei.core.file_rules import file_name_problem


@pytest.mark.parametrize(
    ("name", "rule", "ok"),
    [
        pytest.param("anything.csv", "any", True, id="any"),
        pytest.param("20261122.csv", "daily", True, id="daily"),
        pytest.param("20261122.CSV", "daily", True, id="daily-upper"),
        pytest.param("20261122.xlsx", "daily", True, id="daily-workbook"),
        pytest.param("20261122.XLS", "daily", True, id="daily-xls"),
        pytest.param("20261122.xlsb", "daily", True, id="daily-xlsb"),
        pytest.param("20261122.ods", "daily", True, id="daily-ods"),
        pytest.param("20260230.csv", "daily", False, id="daily-not-a-date"),
        pytest.param("2026-11-22.csv", "daily", False, id="daily-dashes"),
        pytest.param("20261100.csv", "daily", False, id="monthly-name-for-daily"),
        pytest.param("20261100.csv", "monthly", True, id="monthly"),
        pytest.param("20261100.xlsx", "monthly", True, id="monthly-workbook"),
        pytest.param("20261300.csv", "monthly", False, id="monthly-13"),
        pytest.param("20261122.csv", "monthly", False, id="daily-name-for-monthly"),
        pytest.param("members.csv", "monthly", False, id="monthly-other"),
        # A ZIP's name is free: the rule is for the files inside it.
        pytest.param("export.zip", "daily", True, id="daily-zip"),
        pytest.param("受注データ.ZIP", "monthly", True, id="monthly-zip"),
    ],
)
def test_file_name_rules(name, rule, ok):
    problem = file_name_problem(name, rule)
    assert (problem is None) == ok
    if problem:
        assert name in problem
