"""A department cell that also holds the job title (``営業部 部長``, ``総務課課長代理``).

Lists typed by hand and combined ``部署・役職`` columns write the title after the department, and
a department of ``営業部 部長`` found nobody's department and left the title empty. A title is
told by the words Japanese companies use for one (部長, 課長代理, 代表取締役社長, マネージャー, …):
after a space, a slash or a middle dot (``営業部 部長``, ``営業部／部長``), or right after a unit
whose name ends the department (``営業部部長``: 部, 課, 室, 本部, センター, …); a cell that is
only a title is the title. ``営業部長``, a title in its own right whose department is not written
apart, is kept whole, as is anything else.

A company cell may go on to the department (``株式会社ABC 営業部``): after the legal form, a word
ending in a unit's name starts it (``company_and_department``). Neither ever rejects (free text).
"""

from __future__ import annotations

import re

__all__ = ["JOB_TITLES", "company_and_department", "company_and_title", "department_and_title"]

#: Job titles as Japanese business cards and lists write them.
JOB_TITLES = frozenset(
    [
        "会長", "副会長", "社長", "副社長", "代表取締役", "代表取締役社長", "代表取締役会長", "代表取締役副社長",
        "代表取締役専務", "取締役", "取締役社長", "取締役副社長", "取締役会長", "専務", "専務取締役", "常務",
        "常務取締役", "執行役員", "常務執行役員", "専務執行役員", "上席執行役員", "執行役員社長", "監査役",
        "常勤監査役", "顧問", "相談役", "理事長", "理事", "代表理事", "専務理事", "常務理事", "本部長", "副本部長",
        "事業部長", "副事業部長", "部長", "副部長", "部長代理", "担当部長", "次長", "課長", "副課長", "課長代理",
        "課長補佐", "担当課長", "係長", "主任", "主査", "主幹", "参事", "副参事", "室長", "副室長", "所長",
        "副所長", "支店長", "副支店長", "支社長", "店長", "副店長", "工場長", "センター長", "グループ長",
        "グループリーダー", "チームリーダー", "リーダー", "マネージャー", "マネジャー", "シニアマネージャー",
        "ゼネラルマネージャー", "ディレクター", "プロデューサー", "院長", "副院長", "園長", "校長", "教頭", "教授",
        "准教授", "講師", "助教", "主任研究員", "研究員", "技師", "CEO", "COO", "CTO", "CFO", "CIO", "CMO",
    ]
)  # fmt: skip
#: The longest title first, so that 課長代理 is read before 代理 could be.
_BY_LENGTH = sorted(JOB_TITLES, key=len, reverse=True)
#: What a unit's name ends with: a department a title follows without a space (営業部部長), or the
#: first word of a department written after a company's name (株式会社ABC 営業部).
_UNIT_ENDINGS = (
    "部", "課", "室", "局", "係", "班", "科", "センター", "グループ", "チーム", "支店", "支社", "営業所", "工場",
    "研究所", "事務所", "店",
)  # fmt: skip
_SEPARATORS = " \t\u3000/／・･|｜"
#: The department, then a separator (a space, a slash, a middle dot) and the last word.
_TITLE_APART = re.compile(r"(.+)[\s/／・･|｜]\s*([^\s/／・･|｜]+)")


def department_and_title(text: str) -> tuple[str | None, str | None]:
    """(department, title) of a cleaned, width-folded department cell; (text, None) when it holds
    no title apart from the department."""
    if text in JOB_TITLES:
        return None, text
    apart = _TITLE_APART.fullmatch(text)
    if apart is not None and apart.group(2) in JOB_TITLES:
        return apart.group(1).rstrip(_SEPARATORS) or None, apart.group(2)
    for title in _BY_LENGTH:
        if text.endswith(title) and len(text) > len(title):
            department = text[: -len(title)]
            if department.endswith(_UNIT_ENDINGS):
                return department, title
            return text, None
    return text, None


#: A company's legal form, which says where the company's name is (株式会社, 有限会社, 一般社団法人 …).
_LEGAL_FORM_WORDS = ("会社", "法人")


def company_and_department(text: str) -> tuple[str, str | None]:
    """(company, department) of a cleaned company cell that goes on to the department after a
    space (``株式会社ABC 営業部``, ``ABC株式会社 東京支店 営業課``): the department starts at the
    first word after the legal form that ends with a unit's name (部, 課, 支店, センター, …); the
    company is the words before it. (text, None) otherwise."""
    if " " not in text:
        return text, None
    words = text.split(" ")
    named = False  # whether the words so far hold the legal form
    for at in range(1, len(words)):
        named = named or any(form in words[at - 1] for form in _LEGAL_FORM_WORDS)
        if named and words[at].endswith(_UNIT_ENDINGS):
            return " ".join(words[:at]), " ".join(words[at:])
    return text, None


def company_and_title(text: str) -> tuple[str, str | None]:
    """(company, title) of a cleaned company cell with a job title after the name and a space
    (``株式会社ABC 代表取締役``, ``ABC株式会社 部長``), only after a legal form; (text, None) otherwise."""
    company, _, last = text.rpartition(" ")
    if company and last in JOB_TITLES and any(form in company for form in _LEGAL_FORM_WORDS):
        return company, last
    return text, None
