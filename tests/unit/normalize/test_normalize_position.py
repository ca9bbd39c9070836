"""A department cell that also holds the job title (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkei.core.normalize import company_and_department, department_and_title
from renkei.core.normalize.position import JOB_TITLES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("営業部 部長", ("営業部", "部長"), id="after-a-space"),
        pytest.param("営業部／部長", ("営業部", "部長"), id="after-a-slash"),
        pytest.param("営業部 / 部長", ("営業部", "部長"), id="a-slash-between-spaces"),
        pytest.param("営業部・マネージャー", ("営業部", "マネージャー"), id="after-a-middle-dot"),
        pytest.param("営業本部 第一営業部 課長", ("営業本部 第一営業部", "課長"), id="a-department-of-two-words"),
        pytest.param("営業本部／企画課／課長", ("営業本部／企画課", "課長"), id="slashes-kept-inside-the-department"),
        pytest.param("営業部部長", ("営業部", "部長"), id="right-after-a-unit"),
        pytest.param("総務課課長代理", ("総務課", "課長代理"), id="the-longest-title"),
        pytest.param("東京支店支店長", ("東京支店", "支店長"), id="a-branch-and-its-head"),
        pytest.param("開発部 主任研究員", ("開発部", "主任研究員"), id="a-researcher"),
        pytest.param("部長", (None, "部長"), id="a-title-alone"),
        pytest.param("代表取締役社長", (None, "代表取締役社長"), id="the-president"),
        pytest.param("営業部長", ("営業部長", None), id="a-title-of-its-own-kept-whole"),
        pytest.param("ABC事業部長", ("ABC事業部長", None), id="a-division-head-kept-whole"),
        pytest.param("総務課", ("総務課", None), id="a-department-alone"),
        pytest.param("人事部 採用担当", ("人事部 採用担当", None), id="a-role-that-is-no-title"),
        pytest.param("Sales Manager", ("Sales Manager", None), id="english-kept"),
    ],
)
def test_department_and_title(text, expected):
    assert department_and_title(text) == expected


@given(st.text(min_size=1, max_size=20))
def test_a_title_is_only_ever_the_end_of_the_cell_and_nothing_else_is_lost(text):
    department, title = department_and_title(text)
    if title is None:
        assert department == text
    else:
        assert title in JOB_TITLES and text.endswith(title)
        assert department is None or text.startswith(department)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("株式会社ABC 営業部", ("株式会社ABC", "営業部"), id="after-the-legal-form"),
        pytest.param("ABC株式会社 東京支店 営業課", ("ABC株式会社", "東京支店 営業課"), id="a-branch-and-a-section"),
        pytest.param("一般社団法人XYZ協会 事務局", ("一般社団法人XYZ協会", "事務局"), id="an-association"),
        pytest.param("株式会社ABC Japan 営業部", ("株式会社ABC Japan", "営業部"), id="a-name-of-two-words"),
        pytest.param("株式会社ABC", ("株式会社ABC", None), id="no-space"),
        pytest.param("ABC 営業部", ("ABC 営業部", None), id="no-legal-form"),
        pytest.param("ABC株式会社 本社", ("ABC株式会社 本社", None), id="not-a-unit"),
    ],
)
def test_company_and_department(text, expected):
    assert company_and_department(text) == expected
