"""Guess which canonical field each column of an uploaded file holds, from its header label.

Pure: labels in, a suggested mapping out; the user confirms or changes it in the mapping UI.
Labels are compared after ``normalize_label`` (NFKC, lower case, hiragana as katakana, no
spaces, brackets or punctuation), so ``氏名（カナ）``, ``氏名(ｶﾅ)`` and ``氏名 カナ`` are one label.

Each target goes to at most one column: the first column that claims it wins and later ones
map to ``None`` here, so the pipeline never sees two values for one field. That holds for
phones too: ``TEL1`` is ``phone``, a second fixed-line column (``TEL2``, ``電話番号2``) is the
phone only when no other column is; only labels that say 携帯/mobile/cell map to ``mobile``.
E-mail, mobile, fax and memo columns are numbered the same way (``メールアドレス1``, ``備考2``).
A later column of a ``SHARED_TARGETS`` field (``TEL2`` beside ``TEL1``, ``自宅TEL`` beside
``会社TEL``, ``メールアドレス2``) is read by the mapping as a second one (``compile_mapping``): its
number goes to the field its kind says when that is still empty, and is kept under the column's
label otherwise. Any other unknown column stays visible in the mapping UI, where it can go to a
custom field.

The labels come from the exports people bring: Japanese CRM/MA and card tools (Sansan, SATORI,
Digima), Excel lists and web forms (自宅TEL, 会社TEL, フリガナ（姓）, 市区町村番地), the English
exports of Salesforce, HubSpot and Zoho (Street, State/Province, Lead Source, Lead Owner) and
their Japanese ones (住所(都道府県), 取引先名, リードソース, リード状況, 所有者, コンタクト担当者), and
lists of inquiries (反響日時, 物件名, お問い合わせ内容: ``INQUIRY_ALIASES``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final

CANONICAL_FIELDS: Final = (
    "last_name",
    "first_name",
    "last_name_kana",
    "first_name_kana",
    "email",
    "phone",
    "mobile",
    "fax",
    "postal_code",
    "prefecture",
    "city",
    "address1",
    "address2",
    "company_name",
    "department",
    "title",
    "acquired_at",
    "acquisition_channel",
    "memo",
    "owner",
    "status",
    "tags",
    "groups",
)

#: Fields a file may give in several columns, each read with the field's own transform: a
#: second column's value fills the field its kind says when that is empty (a mobile number in
#: ``TEL2`` is the mobile) and is kept under its column's label otherwise, never a second value.
SHARED_TARGETS: Final = frozenset({"email", "phone", "mobile", "fax"})

PSEUDO_FIELDS: Final = ("full_name", "full_name_kana", "address")
"""Targets the mapping splits: 氏名 into 姓/名, its kana likewise, 住所 into prefecture/city/address1."""

TARGETS: Final = CANONICAL_FIELDS + PSEUDO_FIELDS

#: The inquiry a row reports (反響): a list of inquiries exported from a portal's admin screen or
#: kept in Excel becomes customers with their inquiries, as the portal's mails do.
INQUIRY_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "inquiry.received_at": (
        "反響日", "反響日時", "反響受付日時", "問合せ日", "問合せ日時", "問い合わせ日", "問い合わせ日時",
        "お問い合わせ日", "お問い合わせ日時", "お問合せ日時", "inquiry date",
    ),
    "inquiry.external_id": (
        "反響ID", "反響番号", "問合せID", "問い合わせID", "問合せ番号", "問い合わせ番号", "お問い合わせ番号",
        "inquiry id",
    ),
    "inquiry.property_name": (
        "物件名", "物件名称", "反響物件", "問い合わせ物件", "お問い合わせ物件", "property", "property name",
    ),
    "inquiry.property_code": ("物件コード", "物件番号", "物件ID", "property code", "property id"),
    "inquiry.own_property_code": ("自社物件コード", "自社物件番号", "自社管理番号"),
    "inquiry.property_url": ("物件URL", "物件ページ", "property url"),
    "inquiry.price": ("賃料", "価格", "販売価格", "物件価格", "price"),
    "inquiry.layout": ("間取り", "layout"),
    "inquiry.message": (
        "お問い合わせ内容", "問い合わせ内容", "問合せ内容", "お問合せ内容", "反響内容", "ご質問", "ご要望",
        "ご質問内容", "ご意見・ご要望", "ご要望欄", "inquiry", "message",
    ),
}  # fmt: skip

_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "full_name": (
        "氏名", "お名前", "名前", "name", "full name", "fullname", "氏名（漢字）", "名前（漢字）",
        "お名前（漢字）", "お客様名", "顧客名", "ご氏名", "姓名", "姓名（漢字）",
        "ご担当者名", "ご担当者", "ご担当者様", "ご担当者氏名", "先方担当者", "先方担当者名",
        "お客様氏名", "顧客氏名", "氏名漢字", "漢字氏名", "フルネーム", "full name (kanji)", "contact name",
        "customer name", "契約者名", "申込者名",
    ),
    "last_name": (
        "姓", "苗字", "名字", "last name", "lastname", "family name", "surname", "姓（漢字）",
        # Web forms' split name fields (Contact Form 7, formrun, Google Forms exports).
        "お名前（姓）", "氏名（姓）", "名前（姓）", "お名前 姓", "ご氏名（姓）",
    ),
    "first_name": (
        "名", "first name", "firstname", "given name", "名（漢字）",
        "お名前（名）", "氏名（名）", "名前（名）", "お名前 名", "ご氏名（名）",
    ),
    "full_name_kana": (
        "フリガナ", "カナ", "ふりがな", "氏名（カナ）", "名前（カナ）", "お名前（カナ）", "氏名カナ",
        "よみがな", "氏名（フリガナ）", "お名前（フリガナ）", "full name kana", "name kana",
        "カナ氏名", "フリガナ氏名", "シメイ", "氏名（よみがな）", "よみ", "読み", "読み仮名", "name (kana)",
        "姓名（カナ）", "姓名（フリガナ）", "セイメイ",
        "furigana", "name (furigana)", "yomi", "yomi name", "phonetic name",
    ),
    "last_name_kana": (
        "セイ", "姓カナ", "姓（カナ）", "姓（フリガナ）", "せい", "last name kana", "last_name_reading",
        "フリガナ（姓）", "カナ（姓）", "セイ（カナ）", "姓（よみ）", "姓（よみがな）", "last name (kana)",
        "お名前（セイ）", "フリガナ（セイ）", "お名前（フリガナ姓）", "ふりがな（せい）",
        # Google Contacts' export (Phonetic …; its older format's … Yomi).
        "phonetic last name", "family name yomi", "last name yomi",
    ),
    "first_name_kana": (
        "メイ", "名カナ", "名（カナ）", "名（フリガナ）", "めい", "first name kana", "first_name_reading",
        "フリガナ（名）", "カナ（名）", "メイ（カナ）", "名（よみ）", "名（よみがな）", "first name (kana)",
        "お名前（メイ）", "フリガナ（メイ）", "お名前（フリガナ名）", "ふりがな（めい）",
        "phonetic first name", "given name yomi", "first name yomi",
    ),
    "email": (
        "メールアドレス", "メール", "e-mail", "email", "mail", "eメール", "ｅメール", "pcメール",
        "email address", "e-mail address", "mail address", "pcメールアドレス", "携帯メール",
        "携帯メールアドレス", "eメールアドレス", "e-mailアドレス", "電子メール", "電子メールアドレス",
        "メールアドレス（PC）", "メールアドレス（携帯）", "email_address", "secondary email",
        "メールアドレス（会社）", "会社メールアドレス", "勤務先メールアドレス", "メールアドレス（自宅）",
        "business email", "work email", "personal email", "home email",
        # A form's confirmation field: the same address again, read as a second column (no second value).
        "メールアドレス（確認用）", "メールアドレス（確認）", "確認用メールアドレス", "メールアドレス再入力",
    ),
    "phone": (
        "電話番号", "お電話番号", "電話", "tel", "ＴＥＬ", "phone", "固定電話", "自宅電話", "自宅電話番号", "tel1",
        "電話番号1", "phone number", "telephone", "電話番号（自宅）", "phone_number",
        "自宅TEL", "TEL（自宅）", "固定電話番号", "電話番号（固定）", "連絡先電話番号", "電話番号（会社）",
        "TEL（会社）", "会社TEL", "会社電話", "会社電話番号", "勤務先TEL", "勤務先電話", "勤務先電話番号",
        "代表電話", "代表電話番号", "代表TEL", "直通電話", "home phone", "work phone", "business phone",
        "office phone", "TEL部門", "部門TEL", "部署TEL", "部署電話", "部署電話番号", "TEL直通", "直通TEL",
        "直通番号", "直通電話番号",
        # A contact column holds the number (or an address, which then is the e-mail: see _phone).
        "連絡先", "ご連絡先", "連絡先TEL", "連絡先電話", "日中の連絡先", "日中のご連絡先", "ご連絡先電話番号",
        # One number for both: the telephone's (a FAX column of its own is the fax).
        "TEL/FAX", "電話/FAX", "電話番号/FAX", "電話・FAX番号", "TEL/FAX番号",
    ),
    "mobile": (
        "携帯", "携帯電話", "携帯番号", "携帯電話番号", "mobile", "cell", "mobile phone", "cell phone",
        "携帯tel", "電話番号（携帯）", "mobile_phone_number",
        "TEL（携帯）", "携帯（TEL）", "携帯電話（番号）", "ケータイ", "スマートフォン", "スマホ", "モバイル",
        "mobile number", "mobile phone number", "cell phone number",
    ),
    "fax": (
        "fax", "ファックス", "ファクス", "fax番号", "ファックス番号", "ファクシミリ", "fax number", "会社FAX",
        "FAX（会社）", "FAX（自宅）", "自宅FAX",
    ),
    "postal_code": (
        "郵便番号", "〒", "郵便", "zip", "postal code", "zipcode", "zip code", "postcode", "郵便番号（自宅）",
        "郵便番号（会社）", "郵便番号（勤務先）", "zip/postal code", "〒番号", "zip_code", "住所（郵便番号）",
        "mailing zip/postal code", "mailing zip", "mailing postal code", "勤務先郵便番号", "会社郵便番号",
        "自宅郵便番号", "address postal code", "address zip",
    ),
    "prefecture": (
        "都道府県", "prefecture", "都道府県名", "state", "state/province", "state/region", "県", "住所（都道府県）",
        "都道府県/地域", "mailing state/province", "mailing state", "勤務先都道府県", "会社都道府県", "自宅都道府県",
        "province", "province code", "address region",
    ),
    "city": (
        "市区町村", "市町村", "city", "市区町村名", "市町村名", "市区郡", "住所（市区郡）", "住所（市区町村）",
        "mailing city", "勤務先市区町村", "会社市区町村", "自宅市区町村", "address city",
        # Rakuten's order export (注文者住所：都市区), and its like.
        "住所（都市区）", "住所（郡市区）", "都市区", "郡市区",
    ),
    "address": (
        "住所", "所在地", "ご住所", "現住所", "address", "住所（自宅）", "住所（会社）", "会社住所", "勤務先住所",
        "会社所在地", "所在地（会社）", "住所（漢字）", "市区町村番地", "市区町村・番地", "住所（市区町村以降）",
        "郵便番号・住所", "〒・住所", "〒住所", "住所（郵便番号含む）", "自宅住所",
    ),
    "address1": (
        "住所1", "番地", "町域・番地", "町名・番地", "丁目・番地", "address1", "住所1（自宅）", "町名番地", "番地等",
        "street", "street address", "address line 1", "address 1", "住所（町名・番地）", "住所（番地）",
        "丁目番地号", "mailing street", "番地・建物名",
        "address street",
        "住所（町以降）", "町以降", "それ以降の住所", "住所（それ以降の住所）", "住所（それ以降）",
    ),
    "address2": (
        "住所2", "建物名", "ビル名", "マンション名", "建物名・部屋番号", "ビル・マンション名", "address2", "建物名等",
        "マンション・ビル名", "address line 2", "address 2", "building", "住所（建物名）", "マンション名・部屋番号",
        "建物名・号室",
        "address extended address",
    ),
    "company_name": (
        "会社名", "勤務先", "企業名", "company", "所属", "法人名", "会社", "company name",
        "lead_company_name", "勤務先名", "会社名（漢字）", "会社名称", "社名", "法人名称", "企業名称", "組織名",
        "account name", "organization", "organisation", "取引先名", "貴社名", "御社名", "団体名", "屋号",
        "ご所属", "所属先", "所属団体", "学校名",
        "organization name", "organisation name", "組織",
    ),
    "department": (
        "部署", "部署名", "所属部署", "department", "部門", "部課", "division",
        # The title written after the department (営業部 部長): read apart when no title column gives it.
        "部署・役職", "部署名・役職", "所属・役職", "所属部署・役職", "部署・役職名", "部署役職",
        "organization department",
    ),
    "title": (
        "役職", "title", "肩書", "肩書き", "役職名", "job title", "職位", "position", "designation",
        "organization title",
    ),
    "acquired_at": (
        "登録日", "取得日", "作成日", "情報獲得日", "名刺交換日", "acquired", "created", "登録日時",
        "作成日時", "created at", "collection_date",
        "created date", "create date", "created time", "登録年月日", "受付日", "受付日時", "申込日", "申込日時",
        "お申込日", "お申し込み日", "申し込み日", "registration date", "signup date", "sign-up date", "date created",
        # A Google Forms export's first column: when the form was sent. Mailchimp's opt-in time.
        "タイムスタンプ", "timestamp", "optin_time",
        # The day a lead was won: a brochure requested, a model house or a shop visited, an event's
        # ticket bought (Peatix's チケット購入日時), an application or entry sent, a first purchase.
        "資料請求日", "来場日", "来店日", "資料請求日時", "来場日時", "来店日時", "チケット購入日", "チケット購入日時",
        "お申込日時", "お申し込み日時", "申し込み日時", "応募日", "応募日時", "エントリー日", "エントリー日時",
        "参加登録日", "参加登録日時", "入会日", "初回購入日", "初回購入日時", "first purchase date",
        # Zoom's registration report (登録時間, Registration Time).
        "登録時間", "registration time",
    ),
    "acquisition_channel": (
        "流入経路", "取得経路", "情報獲得経路", "獲得チャネル", "流入元", "collection_route",
        "獲得経路", "反響元", "媒体", "媒体名", "問合せ経路", "問い合わせ経路", "広告媒体", "集客経路",
        "lead source", "original source", "リードソース", "オリジナルソース", "反響媒体", "流入チャネル",
    ),
    "memo": (
        "メモ", "備考", "memo", "note", "notes", "コメント", "備考欄", "description", "特記事項", "説明", "メモ欄",
        "コメント欄",
    ),
    "owner": (
        "担当者", "担当", "owner", "担当営業", "営業担当", "名刺所有者", "担当者名", "担当営業名", "営業担当者",
        "担当社員", "担当スタッフ", "lead owner", "contact owner", "account owner", "record owner", "所有者",
        "リード所有者", "取引先責任者 所有者", "取引先所有者", "コンタクト担当者", "所有者名",
    ),
    "status": (
        "ステータス", "顧客ステータス", "status", "対応状況", "対応ステータス", "lead status", "リード状況",
        "リードステータス",
    ),
    "tags": ("タグ", "tags", "tag", "ラベル", "labels"),
    "groups": ("グループ", "groups", "group", "顧客グループ", "グループ名"),
}  # fmt: skip

# Fields a file may give in numbered columns (メールアドレス1, TEL2, 備考2): the first is the
# field; a later one claims it only when no other column does (TEL1 beats TEL2 wherever it is).
# Numbered name and address columns are not these: 住所2 is the building line (address2).
_NUMBERED: Final = frozenset({"email", "phone", "mobile", "fax", "memo"})
_NUMBER: Final = re.compile(r"(.*?\D)(\d+)")

# Qualifiers that say nothing about the field: dropped when the whole label is not known.
_NOISE: Final = ("必須", "任意", "半角英数字", "半角英数", "半角数字", "半角", "全角カナ", "全角",
                 "ハイフンなし", "ハイフン無し", "ハイフンあり", "数字のみ", "required", "optional",
                 # A form's question (Google Forms' header is the question): お名前を教えてください.
                 "を教えてください", "を教えて下さい", "をご記入ください", "をご記入下さい", "を記入してください",
                 "を入力してください", "を入力して下さい", "をご入力ください", "をご入力下さい", "をお知らせください",
                 "をお書きください", "フルネーム", "正式名称")  # fmt: skip
_PUNCTUATION: Final = re.compile(
    r"[\s()\[\]{}<>【】「」『』〈〉《》〔〕・･_\-‐―—:;.,、。/\\!?'\"“”‘’#*※~〜|]+"  # after NFKC
)
_HIRAGANA: Final = {code: code + 0x60 for code in range(ord("ぁ"), ord("ゖ") + 1)}


def normalize_label(label: str) -> str:
    """The comparison key of a header label: NFKC, lower case, katakana, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", label).lower().translate(_HIRAGANA)
    return _PUNCTUATION.sub("", text)


def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for target, aliases in [*((t, (t, *_ALIASES.get(t, ()))) for t in TARGETS), *INQUIRY_ALIASES.items()]:
        for alias in aliases:
            key = normalize_label(alias)
            if index.setdefault(key, target) != target:
                raise AssertionError(f"alias {alias!r} claimed by {index[key]} and {target}")
    return index


_INDEX: Final = _index()

#: Columns of an inquiry list that say more of the inquiry, not of the person: in a list with
#: inquiry columns, those no field took are kept with each inquiry by their label
#: (``inquiry.extra:<label>``), as a portal mail's are, instead of as the customer's custom values.
INQUIRY_DETAILS: Final = frozenset(
    normalize_label(label)
    for label in (
        "物件種別", "物件種目", "物件の種類", "種別", "交通", "最寄り駅", "最寄駅", "沿線・駅", "沿線", "駅",
        "所在地", "物件所在地", "査定物件所在地", "面積", "専有面積", "建物面積", "土地面積", "築年数", "築年月",
        "反響種別", "反響区分", "反響内容区分", "お問い合わせ種別", "お問合せ種別", "問合せ種別", "問い合わせ種別",
        "お問い合わせ項目", "お問合せ項目", "問合せ区分", "お問合せ企画", "ご希望の連絡方法", "希望連絡方法",
        "連絡希望の時間帯", "ご希望の連絡時間帯", "ご希望日時", "見学希望日", "見学希望日時", "来場希望日",
        "来場希望日時", "内見希望日", "ご予算", "予算", "希望エリア", "ご希望エリア", "希望条件", "査定理由",
        "売却時期", "売却希望時期",
    )
)  # fmt: skip


def is_inquiry_detail(label: str) -> bool:
    """Whether ``label`` is of a column that says more of an inquiry (``INQUIRY_DETAILS``)."""
    return normalize_label(label) in INQUIRY_DETAILS


_NOISE_KEYS: Final = tuple(normalize_label(word) for word in _NOISE)


def _lookup(label: str) -> tuple[str | None, bool]:
    """The target a label names and whether it is only a fallback claim (a second numbered column)."""
    key = normalize_label(label)
    if key in _INDEX:
        return _INDEX[key], False
    for noise in _NOISE_KEYS:
        key = key.replace(noise, "")
    if key in _INDEX:
        return _INDEX[key], False
    if (numbered := _numbered(key) or _numbered(_without_role(key))) is not None:
        return numbered
    if (google := _GOOGLE_PART.fullmatch(label.strip())) is not None:
        return _google_part(google)
    return _by_parts(label, key), False


def _numbered(key: str) -> tuple[str, bool] | None:
    """The field a numbered label names (``メールアドレス1``, ``TEL2``) and whether only as a fallback;
    ``郵便番号1`` is the postal code (or its first part: ``core.number_parts``), ``郵便番号2`` none."""
    numbered = _NUMBER.fullmatch(key)
    if numbered is None:
        return None
    target, number = _INDEX.get(numbered.group(1)), int(numbered.group(2))
    if target in _NUMBERED:
        return target, number != 1
    return ("postal_code", False) if target == "postal_code" and number == 1 else None


#: Google Contacts' export writes each part of a numbered item apart: ``E-mail 1 - Value``,
#: ``Phone 2 - Value`` (``… - Label`` says home or work), ``Organization 1 - Name``, ``Address 1 - Street``.
_GOOGLE_PART: Final = re.compile(r"(?P<item>[A-Za-z][A-Za-z -]*?)\s+(?P<n>\d+)\s+-\s+(?P<part>[A-Za-z ]+)")


def _google_part(found: re.Match[str]) -> tuple[str | None, bool]:
    part = found.group("part").strip().lower()
    if part in ("label", "type"):
        return None, False
    target, _ = _lookup(found.group("item") if part == "value" else f"{found.group('item')} {part}")
    later = int(found.group("n")) != 1
    if later and target not in _NUMBERED:  # Address 2 - Street: another address, not this one's
        return None, False
    return target, later


_NAME_TARGETS: Final = frozenset({"full_name", "last_name", "first_name"})
#: Marks of a reading, after a name's label or before it (顧客名カナ, 担当者名（フリガナ）, カナ会員名).
#: Eight's 姓（読み） is a reading, not the family name.
_READING_MARKS: Final = tuple(
    normalize_label(mark)
    for mark in ("フリガナ", "ふりがな", "よみがな", "読みがな", "読み仮名", "カナ", "よみ", "ヨミ", "読み")
)
#: Words before a field's label that say whose it is: who a list is of (参加者名, 申込者氏名, 会員姓,
#: ご担当者様名 are the person's names, 申込者メールアドレス, お客様電話番号 the person's address and
#: number), and Shopify's customer export's ``Default Address`` (``Default Address Zip``).
_ROLE_WORDS: Final = (
    "会員", "来場者", "参加者", "申込者", "お申込者", "申し込み者", "お申し込み者", "応募者", "購入者", "注文者",
    "契約者", "顧客", "お客様", "利用者", "相談者", "依頼者", "入居希望者", "見学者", "受講者", "回答者", "ご担当者",
    "ご担当者様", "担当者様", "先方担当者", "名刺交換者", "default address",
    # Yahoo!ショッピング's order export: the orderer's BillLastName, BillZipCode, BillMailAddress.
    "bill",
    # Salesforce's Japanese exports: a contact's 郵送先郵便番号 (Mailing Zip), an account's 請求先住所.
    "郵送先", "請求先",
)  # fmt: skip
_PERSON_ROLES: Final = tuple(sorted(map(normalize_label, _ROLE_WORDS), key=len, reverse=True))  # ご担当者様 first
_NO: Final = normalize_label("の")  # 参加者のお名前


def _by_parts(label: str, key: str) -> str | None:
    """The field a label the aliases do not list names by its parts: a reading's mark after or before
    a name's label (``顧客名カナ``, ``担当者名（フリガナ）``, ``申込者氏名（カナ）``); a role before a field's
    label (``参加者名``, ``会員姓``, ``申込者メールアドレス`` — ``名`` after a role is the whole name);
    alternatives of one field (``会社名・団体名``); a word in brackets after one (``ご所属（会社名）``);
    an ending that says the field (``日中つながる電話番号``). A company's reading (``会社名カナ``) is
    none of them, and neither is someone else's number or address (``電話番号（緊急連絡先）``)."""
    if any(word in key for word in _SOMEONE_ELSES):
        return None
    for mark in _READING_MARKS:
        stem = key[: -len(mark)] if key.endswith(mark) else key[len(mark) :] if key.startswith(mark) else ""
        if stem:
            target = _INDEX.get(stem) or _role_name(stem)
            if target in _NAME_TARGETS:
                return f"{target}_kana"
            if stem in _CONTACT_PERSON:  # the contact person's reading: an owner has none
                return "full_name_kana"
    return _role_name(key) or _alternatives(label) or _bracketed(label) or _by_ending(key)


#: A label with a word in brackets after it (ご所属（会社名）, お名前（フルネーム）, ご住所（都道府県から）).
_BRACKETED: Final = re.compile(r"(.+?)\s*[（(](.+?)[）)]\s*")


def _bracketed(label: str) -> str | None:
    """The field the label before its brackets names, else the one the brackets name (``ご所属
    （会社名）``); None when neither is one."""
    found = _BRACKETED.fullmatch(label)
    if found is None:
        return None
    inside = normalize_label(found.group(2))
    if inside.isdigit() or inside in _READING_MARKS:  # 名前 (2), a renamed repeat; 会社名（カナ）, no field's
        return None
    outside = _lookup(found.group(1))[0]
    if outside == "full_name" and (part := _NAME_PARTS.get(inside)) is not None:
        return part  # お客様名（姓）, お客様名（セイ）
    return outside or _lookup(found.group(2))[0]


#: A part of a name in brackets after a name's label (Airリザーブ's お客様名（姓）, お客様名（メイ）).
_NAME_PARTS: Final = {
    normalize_label(word): target
    for words, target in (
        (("姓", "苗字", "名字"), "last_name"),
        (("名",), "first_name"),
        (("セイ", "フリガナ姓", "カナ姓", "姓カナ", "姓フリガナ"), "last_name_kana"),
        (("メイ", "フリガナ名", "カナ名", "名カナ", "名フリガナ"), "first_name_kana"),
    )
    for word in words
}


#: Between alternative names of one field (``会社名・団体名``, ``会社名／団体名``).
_ALTERNATIVES: Final = re.compile(r"[・･/／]")


def _alternatives(label: str) -> str | None:
    """The field every part of a label of alternatives names (``会社名・団体名``), or None."""
    parts = [key for part in _ALTERNATIVES.split(label) if (key := normalize_label(part))]
    targets = {_INDEX.get(part) for part in parts}
    return targets.pop() if len(parts) > 1 and len(targets) == 1 else None


#: What a label ends with that says the field whatever comes before (日中つながる電話番号,
#: 返信用メールアドレス), unless it is someone else's (緊急連絡先電話番号, 保護者メールアドレス).
_ENDINGS: Final = tuple(
    (normalize_label(ending), target)
    for ending, target in (("メールアドレス", "email"), ("携帯電話番号", "mobile"), ("携帯番号", "mobile"),
                           ("電話番号", "phone"))
)  # fmt: skip
#: An order's recipient (送付先, 配送先 電話番号, お届け先氏名) is someone else as well.
_SOMEONE_ELSES: Final = tuple(
    normalize_label(word)
    for word in ("緊急", "保護者", "紹介者", "営業担当", "担当営業", "送付先", "配送先", "届け先", "発送先", "送り先")
)


def _by_ending(key: str) -> str | None:
    for ending, target in _ENDINGS:
        if key.endswith(ending):
            return target
    return None


def _without_role(key: str) -> str:
    """``key`` after the role word it starts with (``注文者電話番号1``: ``電話番号1``), else empty."""
    for role in _PERSON_ROLES:
        if key.startswith(role):
            return key[len(role) :].removeprefix(_NO)
    return ""


def _role_name(key: str) -> str | None:
    """The field a label names after whose it is (``参加者名``, ``申込者メールアドレス``), or None."""
    rest = _without_role(key)
    if rest in ("名", "様名"):
        return "full_name"
    return _INDEX.get(rest) if rest else None


#: The columns Microsoft Forms' export starts with: who answered, by their Microsoft account
#: (``anonymous`` for anyone who did not sign in), before the form's own questions.
_FORMS_ACCOUNT: Final = tuple(
    tuple(map(normalize_label, labels))
    for labels in (
        ("ID", "開始時刻", "完了時刻", "メール", "名前"),
        ("ID", "Start time", "Completion time", "Email", "Name"),
    )
)


def _form_account_columns(headers: Sequence[str]) -> Sequence[str]:
    """Microsoft Forms' account columns (``メール``, ``名前``) when ``headers`` starts as its export
    does: they claim their fields only after the form's own questions (``お名前``, ``メールアドレス``)."""
    start = tuple(normalize_label(header) for header in headers[:5])
    return headers[3:5] if start in _FORMS_ACCOUNT else ()


_GIVEN_NAME: Final = frozenset({normalize_label("名"), normalize_label("名前")})


def _is_given_name(label: str) -> bool:
    """Whether ``label`` says 名 or 名前, after whose it is and a reading's mark (``注文者名前フリガナ``)."""
    key = normalize_label(label)
    for mark in _READING_MARKS:
        key = key.removesuffix(mark)
    return (_without_role(key) or key) in _GIVEN_NAME


def guess_target(label: str) -> str | None:
    """The target a single header label names, or None when it is not one we know."""
    return _lookup(label)[0]


#: Labels of the person a row is about, who also may be its owner: 担当者 is the customer's contact
#: person in a list without a name column, and the sales owner in one with.
_PERSON_NAME: Final = frozenset({"full_name", "last_name", "first_name"})
_CONTACT_PERSON: Final = frozenset(normalize_label(label) for label in ("担当者", "担当者名"))


def auto_map(headers: Sequence[str]) -> dict[str, str | None]:
    """Each header to the target it names, or None; a target goes to its first column only.

    Fallback labels (``TEL2``) claim their target only after every other header had its turn.

    Headers are expected to be unique (``open_csv`` renames duplicates); for a repeated
    header the first occurrence's answer is kept.
    """
    guesses = {header: _lookup(header) for header in headers}
    account = _form_account_columns(headers)
    for header in account:
        guesses[header] = (guesses[header][0], True)
    if account:  # its 完了時刻 (Completion time): when the answer was sent, as Google Forms' タイムスタンプ
        guesses[headers[2]] = ("acquired_at", True)
    taken: set[str] = set()
    mapping: dict[str, str | None] = dict.fromkeys(guesses)
    for fallback_pass in (False, True):
        for header, (target, fallback) in guesses.items():
            if fallback is fallback_pass and target is not None and target not in taken:
                taken.add(target)
                mapping[header] = target
    for family, given, whole in (("last_name", "first_name", "full_name"),
                                 ("last_name_kana", "first_name_kana", "full_name_kana")):  # fmt: skip
        if family in taken and given not in taken:
            # 注文者名字 and 注文者名前, 姓 and 名前: beside the family name's column, 名前 is the given name.
            for header, target in mapping.items():
                if target == whole and _is_given_name(header):
                    mapping[header] = given
                    break
    if not any(target in _PERSON_NAME for target in mapping.values()):
        # 会社名, 部署名, 担当者名 with no name column (kintone's customer list, a company ledger):
        # the 担当者 is the customer's contact person, not the owner.
        for header, target in mapping.items():
            if target == "owner" and normalize_label(header) in _CONTACT_PERSON:
                mapping[header] = "full_name"
                break
    return mapping
