"""Header auto-mapping on header rows as real exports write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkei.core.headers import (
    _ALIASES,
    CANONICAL_FIELDS,
    INQUIRY_ALIASES,
    PSEUDO_FIELDS,
    TARGETS,
    auto_map,
    guess_target,
    normalize_label,
)

SANSAN = {
    "会社名": "company_name",
    "部署": "department",
    "役職": "title",
    "姓": "last_name",
    "名": "first_name",
    "姓カナ": "last_name_kana",
    "名カナ": "first_name_kana",
    "TEL1": "phone",
    "TEL2": None,  # a second fixed line: not guessed into mobile
    "携帯": "mobile",
    "Fax": "fax",
    "e-mail": "email",
    "URL": None,
    "タグ": "tags",
    "メモ": "memo",
    "郵便番号": "postal_code",
    "都道府県": "prefecture",
    "市区町村": "city",
    "町域・番地": "address1",
    "ビル名": "address2",
    "名刺交換日": "acquired_at",
    "名刺ID": None,
    "名刺所有者": "owner",
}

SATORI = {
    "姓": "last_name",
    "名": "first_name",
    "セイ": "last_name_kana",
    "メイ": "first_name_kana",
    "メールアドレス": "email",
    "電話番号": "phone",
    "携帯電話番号": "mobile",
    "会社名": "company_name",
    "部署": "department",
    "役職": "title",
    "住所": "address",
    "情報獲得経路": "acquisition_channel",
    "情報獲得日": "acquired_at",
    "メモ": "memo",
    "配信許可": None,
    "タグ": "tags",
}

SATORI_KEYS = {
    "last_name": "last_name",
    "first_name": "first_name",
    "last_name_reading": "last_name_kana",
    "first_name_reading": "first_name_kana",
    "email": "email",
    "phone_number": "phone",
    "mobile_phone_number": "mobile",
    "lead_company_name": "company_name",
    "collection_route": "acquisition_channel",
    "collection_date": "acquired_at",
    "memo": "memo",
    "delivery_permission": None,
}

DIGIMA = {
    "顧客ステータス": "status",
    "担当者": "owner",
    "姓": "last_name",
    "名": "first_name",
    "セイ": "last_name_kana",
    "メイ": "first_name_kana",
    "メールアドレス": "email",
    "電話番号（自宅）": "phone",
    "電話番号（携帯）": "mobile",
    "郵便番号（自宅）": "postal_code",
    "住所1（自宅）": "address1",
    "顧客グループ": "groups",
    "反響物件": "inquiry.property_name",
}

WEB_FORM = {
    "お名前（漢字）": "full_name",
    "お名前（カナ）": "full_name_kana",
    "メールアドレス※必須": "email",
    "電話番号（半角数字・ハイフンなし）": "phone",
    "〒": "postal_code",
    "ご住所": "address",
    "建物名・部屋番号": "address2",
    "お問い合わせ内容": "inquiry.message",
}

ENGLISH = {
    "Full Name": "full_name",
    "First Name": "first_name",
    "Last Name": "last_name",
    "Email Address": "email",
    "Phone": "phone",
    "Mobile": "mobile",
    "Zip Code": "postal_code",
    "Address": "address",
    "Company": "company_name",
    "Department": "department",
    "Title": "title",
    "Created": "acquired_at",
    "Owner": "owner",
    "Status": "status",
    "Tags": "tags",
    "Notes": "memo",
    "Website": None,
}

SALESFORCE_LEADS = {
    "First Name": "first_name",
    "Last Name": "last_name",
    "Company": "company_name",
    "Title": "title",
    "Email": "email",
    "Phone": "phone",
    "Mobile": "mobile",
    "Street": "address1",
    "City": "city",
    "State/Province": "prefecture",
    "Zip/Postal Code": "postal_code",
    "Country": None,
    "Lead Source": "acquisition_channel",
    "Lead Status": "status",
    "Lead Owner": "owner",
    "Description": "memo",
    "Created Date": "acquired_at",
}

HUBSPOT_CONTACTS = {
    "Record ID": None,
    "First Name": "first_name",
    "Last Name": "last_name",
    "Email": "email",
    "Phone Number": "phone",
    "Mobile Phone Number": "mobile",
    "Company Name": "company_name",
    "Job Title": "title",
    "Street Address": "address1",
    "City": "city",
    "State/Region": "prefecture",
    "Postal Code": "postal_code",
    "Country/Region": None,
    "Create Date": "acquired_at",
    "Contact owner": "owner",
    "Original Source": "acquisition_channel",
}

ZOHO_LEADS = {
    "Lead Owner": "owner",
    "First Name": "first_name",
    "Last Name": "last_name",
    "Company": "company_name",
    "Email": "email",
    "Phone": "phone",
    "Mobile": "mobile",
    "Fax": "fax",
    "Street": "address1",
    "City": "city",
    "State": "prefecture",
    "Zip Code": "postal_code",
    "Lead Source": "acquisition_channel",
    "Created Time": "acquired_at",
}

# Salesforce's contacts: the address is the mailing address.
SALESFORCE_CONTACTS = {
    "First Name": "first_name",
    "Last Name": "last_name",
    "Account Name": "company_name",
    "Email": "email",
    "Mailing Street": "address1",
    "Mailing City": "city",
    "Mailing State/Province": "prefecture",
    "Mailing Zip/Postal Code": "postal_code",
    "Mailing Country": None,
    "Contact Owner": "owner",
}

ZOHO_CONTACTS = {
    "Contact Owner": "owner",
    "First Name": "first_name",
    "Last Name": "last_name",
    "Email": "email",
    "Secondary Email": None,  # a second e-mail column (compile_mapping reads it so)
    "Designation": "title",
    "Department": "department",
}

# A Google Forms response sheet, and a Mailchimp audience export.
GOOGLE_FORMS = {
    "タイムスタンプ": "acquired_at",
    "お名前": "full_name",
    "ふりがな": "full_name_kana",
    "メールアドレス": "email",
    "電話番号": "phone",
    "ご住所": "address",
}
MAILCHIMP = {
    "Email Address": "email",
    "First Name": "first_name",
    "Last Name": "last_name",
    "MEMBER_RATING": None,
    "OPTIN_TIME": "acquired_at",
    "TAGS": "tags",
}

# A house builder's brochure requests, and a company's contact list kept in Excel.
BROCHURE_REQUESTS = {
    "資料請求日": "acquired_at",
    "お名前": "full_name",
    "ふりがな": "full_name_kana",
    "自宅郵便番号": "postal_code",
    "自宅住所": "address",
    "マンション名・部屋番号": "address2",
    "反響媒体": "acquisition_channel",
    "ご質問内容": "inquiry.message",
    "コメント欄": "memo",
}
B2B_CONTACTS = {
    "会社名": "company_name",
    "勤務先郵便番号": "postal_code",
    "勤務先都道府県": "prefecture",
    "勤務先市区町村": "city",
    "番地・建物名": "address1",
    "氏名": "full_name",
    "会社メールアドレス": "email",
    "リードステータス": "status",
    "流入チャネル": "acquisition_channel",
}

# Salesforce's leads and contacts exported with Japanese labels.
SALESFORCE_JA = {
    "姓": "last_name",
    "名": "first_name",
    "会社名": "company_name",
    "メール": "email",
    "住所(郵便番号)": "postal_code",
    "住所(都道府県)": "prefecture",
    "住所(市区郡)": "city",
    "住所(町名・番地)": "address1",
    "リードソース": "acquisition_channel",
    "リード状況": "status",
    "リード所有者": "owner",
    "説明": "memo",
    "作成日": "acquired_at",
    "取引先名": None,  # the company took 会社名
}

# HubSpot's contacts with Japanese labels, and a kintone app's export.
HUBSPOT_JA = {
    "名": "first_name",
    "姓": "last_name",
    "Eメール": "email",
    "携帯電話番号": "mobile",
    "都道府県/地域": "prefecture",
    "番地": "address1",
    "コンタクト担当者": "owner",
    "オリジナルソース": "acquisition_channel",
}
KINTONE = {
    "レコード番号": None,
    "顧客名": "full_name",
    "郵便番号（数字のみ）": "postal_code",
    "電話番号（数字のみ）": "phone",
    "住所": "address",
    "担当者名": "owner",
    "作成日時": "acquired_at",
    "更新日時": None,
}

# kintone's company list: the contact person's name and its reading (担当者名 is the person here).
KINTONE_CONTACTS = {
    "レコード番号": None,
    "会社名": "company_name",
    "担当者名": "full_name",
    "担当者名（カナ）": "full_name_kana",
    "メールアドレス": "email",
    "携帯番号": "mobile",
}

# An event's attendee list and a membership ledger: the role before each label.
ATTENDEES = {
    "受付番号": None,
    "参加者名": "full_name",
    "参加者名（フリガナ）": "full_name_kana",
    "参加者メールアドレス": "email",
    "会員番号": None,
    "会社名カナ": None,  # a company's reading: no field for it
}

# Shopify's customer export: its default address.
SHOPIFY = {
    "Customer ID": None,
    "First Name": "first_name",
    "Last Name": "last_name",
    "Email": "email",
    "Default Address Company": "company_name",
    "Default Address Address1": "address1",
    "Default Address Address2": "address2",
    "Default Address City": "city",
    "Default Address Province Code": "prefecture",
    "Default Address Country Code": None,
    "Default Address Zip": "postal_code",
    "Default Address Phone": "phone",
    "Phone": None,  # read as a second phone column (compile_mapping)
    "Note": "memo",
    "Tags": "tags",
}

# Google Contacts' export ("Google CSV"): numbered parts, phonetic names.
GOOGLE_CONTACTS = {
    "First Name": "first_name",
    "Middle Name": None,
    "Last Name": "last_name",
    "Phonetic First Name": "first_name_kana",
    "Phonetic Last Name": "last_name_kana",
    "Organization Name": "company_name",
    "Organization Title": "title",
    "Organization Department": "department",
    "Notes": "memo",
    "Labels": "tags",
    "E-mail 1 - Label": None,
    "E-mail 1 - Value": "email",
    "E-mail 2 - Value": None,  # read as a second e-mail column (compile_mapping)
    "Phone 1 - Label": None,
    "Phone 1 - Value": "phone",
    "Address 1 - Formatted": None,  # the parts below say it
    "Address 1 - Street": "address1",
    "Address 1 - City": "city",
    "Address 1 - Region": "prefecture",
    "Address 1 - Postal Code": "postal_code",
    "Address 1 - Country": None,
    "Address 1 - Extended Address": "address2",
    "Address 2 - Street": None,  # another address
}

# Its older format.
GOOGLE_CONTACTS_OLD = {
    "Name": "full_name",
    "Given Name": "first_name",
    "Family Name": "last_name",
    "Given Name Yomi": "first_name_kana",
    "Family Name Yomi": "last_name_kana",
    "E-mail 1 - Type": None,
    "E-mail 1 - Value": "email",
    "Organization 1 - Name": "company_name",
    "Organization 1 - Title": "title",
}

# Rakuten's order export (RMS): the orderer's parts numbered in full width, 名字 and 名前; the
# recipient's (送付先) are someone else's. The postal code and phone number come in parts
# (core.number_parts joins them): their first column is the field.
RAKUTEN_ORDERS = {
    "受注番号": None,
    "注文日時": None,
    "注文者郵便番号１": "postal_code",
    "注文者郵便番号２": None,
    "注文者住所：都道府県": "prefecture",
    "注文者住所：都市区": "city",
    "注文者住所：町以降": "address1",
    "注文者名字": "last_name",
    "注文者名前": "first_name",
    "注文者名字フリガナ": "last_name_kana",
    "注文者名前フリガナ": "first_name_kana",
    "注文者電話番号１": "phone",
    "注文者電話番号２": None,  # read as second phone columns, or as the first one's parts
    "注文者電話番号３": None,
    "メールアドレス": "email",
    "注文者性別": None,
    "送付先郵便番号１": None,
    "送付先住所：都道府県": None,
    "送付先名字": None,
    "送付先名前": None,
    "送付先電話番号１": None,
}

# Yahoo!ショッピング's order export: the orderer is Bill…, the recipient Ship….
YAHOO_ORDERS = {
    "OrderId": None,
    "BillFirstName": "first_name",
    "BillFirstNameKana": "first_name_kana",
    "BillLastName": "last_name",
    "BillLastNameKana": "last_name_kana",
    "BillZipCode": "postal_code",
    "BillPrefecture": "prefecture",
    "BillCity": "city",
    "BillAddress1": "address1",
    "BillAddress2": "address2",
    "BillPhoneNumber": "phone",
    "BillEmgPhoneNumber": None,
    "BillMailAddress": "email",
    "ShipFirstName": None,
    "ShipZipCode": None,
    "ShipPhoneNumber": None,
}

# BASE's order export: the delivery address (配送先) is someone else's.
BASE_ORDERS = {
    "注文ID": None,
    "氏名(姓)": "last_name",
    "氏名(名)": "first_name",
    "郵便番号": "postal_code",
    "都道府県": "prefecture",
    "住所": "address",
    "住所2": "address2",
    "電話番号": "phone",
    "メールアドレス": "email",
    "配送先 氏名(姓)": None,
    "配送先 郵便番号": None,
    "配送先 住所": None,
    "配送先 電話番号": None,
    "お届け先氏名": None,
}

# EC-CUBE 2's customer export: postal code in two columns, phone and fax in three.
EC_CUBE = {
    "顧客ID": None,
    "お名前(姓)": "last_name",
    "お名前(名)": "first_name",
    "お名前(フリガナ・姓)": "last_name_kana",
    "お名前(フリガナ・名)": "first_name_kana",
    "郵便番号1": "postal_code",
    "郵便番号2": None,
    "都道府県": "prefecture",
    "住所1": "address1",
    "住所2": "address2",
    "メールアドレス": "email",
    "電話番号1": "phone",
    "電話番号2": None,
    "電話番号3": None,
    "FAX1": "fax",
    "FAX2": None,
    "FAX3": None,
}

# Zoom's webinar registration report, in Japanese.
ZOOM_REGISTRANTS = {
    "名": "first_name",
    "姓": "last_name",
    "メール": "email",
    "市区町村": "city",
    "国/地域": None,
    "電話": "phone",
    "組織": "company_name",
    "役職": "title",
    "登録時間": "acquired_at",
    "承認ステータス": None,
}

# Microsoft Forms' export: its account columns (anonymous for anyone not signed in) give way to
# the form's own questions.
MICROSOFT_FORMS = {
    "ID": None,
    "開始時刻": None,
    "完了時刻": "acquired_at",  # when the answer was sent
    "メール": None,  # read as a second e-mail column (compile_mapping)
    "名前": None,
    "お名前": "full_name",
    "会社名": "company_name",
    "メールアドレス": "email",
    "電話番号": "phone",
}

# Airリザーブ's customer list: the name's parts in brackets after its label.
AIR_RESERVE = {
    "お客様番号": None,
    "お客様名（姓）": "last_name",
    "お客様名（名）": "first_name",
    "お客様名（セイ）": "last_name_kana",
    "お客様名（メイ）": "first_name_kana",
    "電話番号": "phone",
    "メールアドレス": "email",
    "予約日時": None,
}

# Wix's contacts export.
WIX_CONTACTS = {
    "First Name": "first_name",
    "Last Name": "last_name",
    "Email 1": "email",
    "Phone 1": "phone",
    "Address 1 - Street": "address1",
    "Address 1 - City": "city",
    "Address 1 - Zip": "postal_code",
    "Address 1 - Region": "prefecture",
    "Company": "company_name",
    "Position": "title",
    "Labels": "tags",
}

# Eight's business-card export: its readings were taken for the family and given names.
EIGHT_CARDS = {
    "会社名": "company_name",
    "部署名": "department",
    "役職": "title",
    "姓": "last_name",
    "名": "first_name",
    "姓（読み）": "last_name_kana",
    "名（読み）": "first_name_kana",
    "e-mail": "email",
    "郵便番号": "postal_code",
    "住所": "address",
    "TEL会社": "phone",
    "携帯電話": "mobile",
    "名刺交換日": "acquired_at",
}

# Salesforce's contacts with Japanese labels: the contact's own address is its 郵送先 (Mailing).
SALESFORCE_JA_CONTACTS = {
    "姓": "last_name",
    "名": "first_name",
    "取引先名": "company_name",
    "携帯電話": "mobile",
    "メール": "email",
    "郵送先 郵便番号": "postal_code",
    "郵送先 都道府県": "prefecture",
    "郵送先 市区郡": "city",
    "郵送先 町名・番地": "address1",
    "取引先責任者 所有者": "owner",
}

# A customer ledger kept in Excel: every label here was auto-mapped to nothing before.
EXCEL_LEDGER = {
    "顧客ID": None,
    "お客様氏名": "full_name",
    "フリガナ（姓）": "last_name_kana",
    "フリガナ（名）": "first_name_kana",
    "〒番号": "postal_code",
    "都道府県名": "prefecture",
    "市区町村番地": "address",
    "部屋番号": None,
    "自宅TEL": "phone",
    "会社TEL": None,  # the home phone took the field; the second number is kept as a custom value
    "TEL（携帯）": "mobile",
    "メールアドレス1": "email",
    "メールアドレス2": None,
    "会社名（漢字）": "company_name",
    "会社名カナ": None,
    "反響日": "inquiry.received_at",
    "媒体": "acquisition_channel",
    "担当者名": "owner",
    "対応状況": "status",
    "備考1": "memo",
    "備考2": None,
}

EXCEL_WIDTHS = {
    "氏名": "full_name",
    "ﾌﾘｶﾞﾅ": "full_name_kana",
    "ＴＥＬ": "phone",
    "ｅメール": "email",
    "ＦＡＸ": "fax",
    "郵便番号": "postal_code",
}


@pytest.mark.parametrize(
    "expected",
    [
        SANSAN,
        SATORI,
        SATORI_KEYS,
        DIGIMA,
        WEB_FORM,
        ENGLISH,
        SALESFORCE_LEADS,
        HUBSPOT_CONTACTS,
        ZOHO_LEADS,
        SALESFORCE_CONTACTS,
        ZOHO_CONTACTS,
        GOOGLE_FORMS,
        MAILCHIMP,
        BROCHURE_REQUESTS,
        B2B_CONTACTS,
        SALESFORCE_JA,
        HUBSPOT_JA,
        KINTONE,
        KINTONE_CONTACTS,
        ATTENDEES,
        SHOPIFY,
        GOOGLE_CONTACTS,
        GOOGLE_CONTACTS_OLD,
        RAKUTEN_ORDERS,
        YAHOO_ORDERS,
        BASE_ORDERS,
        EC_CUBE,
        ZOOM_REGISTRANTS,
        MICROSOFT_FORMS,
        AIR_RESERVE,
        WIX_CONTACTS,
        EIGHT_CARDS,
        SALESFORCE_JA_CONTACTS,
        EXCEL_LEDGER,
        EXCEL_WIDTHS,
    ],
    ids=[
        "sansan",
        "satori",
        "satori-keys",
        "digima",
        "web-form",
        "english",
        "salesforce",
        "hubspot",
        "zoho",
        "salesforce-contacts",
        "zoho-contacts",
        "google-forms",
        "mailchimp",
        "brochure-requests",
        "b2b-contacts",
        "salesforce-ja",
        "hubspot-ja",
        "kintone",
        "kintone-contacts",
        "attendees",
        "shopify",
        "google-contacts",
        "google-contacts-old",
        "rakuten-orders",
        "yahoo-orders",
        "base-orders",
        "ec-cube",
        "zoom-registrants",
        "microsoft-forms",
        "air-reserve",
        "wix-contacts",
        "eight-cards",
        "salesforce-ja-contacts",
        "excel-ledger",
        "excel-widths",
    ],
)
def test_real_header_rows(expected: dict[str, str | None]) -> None:
    assert auto_map(list(expected)) == expected


@pytest.mark.parametrize(
    ("label", "target"),
    [
        ("氏名", "full_name"),
        ("お客様名", "full_name"),
        ("顧客名", "full_name"),
        ("名前（漢字）", "full_name"),
        ("name", "full_name"),
        ("苗字", "last_name"),
        ("family name", "last_name"),
        ("given name", "first_name"),
        ("ふりがな", "full_name_kana"),
        ("よみがな", "full_name_kana"),
        ("氏名（読み）", "full_name_kana"),
        ("読み仮名", "full_name_kana"),
        ("会社名（読み）", None),
        ("請求先郵便番号", "postal_code"),
        ("氏名カナ", "full_name_kana"),
        ("氏名(ｶﾅ)", "full_name_kana"),
        ("姓(カナ)", "last_name_kana"),
        ("せい", "last_name_kana"),
        ("名カナ", "first_name_kana"),
        ("E-Mail", "email"),
        ("Ｅ－ｍａｉｌ", "email"),
        ("PCメール", "email"),
        ("携帯メール", "email"),  # a mail address, not a phone
        ("mail", "email"),
        ("固定電話", "phone"),
        ("電話番号1", "phone"),
        ("TEL2", "phone"),  # alone, a second phone column is the phone
        ("携帯電話", "mobile"),
        ("cell", "mobile"),
        ("ファクス", "fax"),
        ("郵便", "postal_code"),
        ("postal code", "postal_code"),
        ("市町村", "city"),
        ("所在地", "address"),
        ("現住所", "address"),
        ("住所1", "address1"),
        ("番地", "address1"),
        ("住所2", "address2"),
        ("マンション名", "address2"),
        ("勤務先", "company_name"),
        ("所属", "company_name"),
        ("法人名", "company_name"),
        ("所属部署", "department"),
        ("肩書", "title"),
        ("登録日", "acquired_at"),
        ("取得日", "acquired_at"),
        ("作成日", "acquired_at"),
        ("acquired", "acquired_at"),
        ("流入経路", "acquisition_channel"),
        ("取得経路", "acquisition_channel"),
        ("獲得チャネル", "acquisition_channel"),
        ("備考", "memo"),
        ("コメント", "memo"),
        ("note", "memo"),
        ("担当", "owner"),
        ("グループ", "groups"),
        ("tag", "tags"),
        ("【メールアドレス】", "email"),
        ("  電話番号 ", "phone"),
        ("連絡先", "phone"),
        ("ご連絡先", "phone"),
        ("TEL/FAX", "phone"),
        ("TEL・FAX", "phone"),
        ("電話／ＦＡＸ", "phone"),
        ("緊急連絡先", None),
        ("顧客名カナ", "full_name_kana"),
        ("お客様名（フリガナ）", "full_name_kana"),
        ("名前フリガナ", "full_name_kana"),
        ("担当者フリガナ", "full_name_kana"),
        ("会員名", "full_name"),
        ("来場者名", "full_name"),
        ("申込者氏名（カナ）", "full_name_kana"),
        ("ご担当者様名", "full_name"),
        ("会員姓", "last_name"),
        ("申込者電話番号", "phone"),
        ("お客様ご住所", "address"),
        ("会員ランク", None),
        ("申込者", None),
        ("会社名（カナ）", None),
        # Google Forms' headers are its questions.
        ("お名前を教えてください", "full_name"),
        ("メールアドレスを入力してください", "email"),
        ("お名前（フルネーム）", "full_name"),
        ("ご所属（会社名）", "company_name"),
        ("ご住所（都道府県から）", "address"),
        ("会社名・団体名", "company_name"),
        ("日中つながる電話番号", "phone"),
        ("返信用メールアドレス", "email"),
        ("参加者のお名前", "full_name"),
        ("ご担当者様氏名", "full_name"),
        ("緊急連絡先電話番号", None),  # someone else's
        ("保護者メールアドレス", None),
        ("電話番号（緊急連絡先）", None),
        ("Business Email", "email"),
        ("Name (Furigana)", "full_name_kana"),
        ("Registration Date", "acquired_at"),
        ("postal_code", "postal_code"),
        ("company_name", "company_name"),
        ("URL", None),
        ("", None),
        ("※", None),
        ("必須", None),
    ],
)
def test_single_labels(label: str, target: str | None) -> None:
    assert guess_target(label) == target


def test_first_header_wins_a_target() -> None:
    mapping = auto_map(["氏名", "お名前", "姓", "苗字", "メール", "メールアドレス"])
    assert mapping == {
        "氏名": "full_name",
        "お名前": None,
        "姓": "last_name",
        "苗字": None,
        "メール": "email",
        "メールアドレス": None,
    }


def test_second_phone_column_is_a_fallback_and_mobile_is_only_by_label() -> None:
    assert auto_map(["電話番号", "電話番号2"]) == {"電話番号": "phone", "電話番号2": None}
    assert auto_map(["TEL2", "TEL1", "携帯番号"]) == {"TEL2": None, "TEL1": "phone", "携帯番号": "mobile"}
    assert auto_map(["TEL2", "携帯"]) == {"TEL2": "phone", "携帯": "mobile"}


def test_numbered_columns_are_the_field_then_its_fallback() -> None:
    assert auto_map(["メールアドレス2", "メールアドレス1", "備考2"]) == {
        "メールアドレス2": None,
        "メールアドレス1": "email",
        "備考2": "memo",  # the only memo column
    }
    assert auto_map(["E-mail 2", "FAX 3"]) == {"E-mail 2": "email", "FAX 3": "fax"}
    # Numbered name and address columns are not: 住所3 is not the address, 名前 (2) a renamed duplicate.
    assert auto_map(["住所3", "名前 (2)", "住所2"]) == {"住所3": None, "名前 (2)": None, "住所2": "address2"}


def test_name_and_its_parts_may_both_be_mapped() -> None:
    assert auto_map(["氏名", "姓", "名", "住所", "都道府県"]) == {
        "氏名": "full_name",
        "姓": "last_name",
        "名": "first_name",
        "住所": "address",
        "都道府県": "prefecture",
    }


def test_deduplicated_csv_headers_are_unknown() -> None:
    assert auto_map(["名前", "名前 (2)"]) == {"名前": "full_name", "名前 (2)": None}


def test_canonical_fields_are_the_documented_ones() -> None:
    assert CANONICAL_FIELDS[:4] == ("last_name", "first_name", "last_name_kana", "first_name_kana")
    assert len(CANONICAL_FIELDS) == 23 and len(set(CANONICAL_FIELDS)) == 23
    assert PSEUDO_FIELDS == ("full_name", "full_name_kana", "address")


# A list of inquiries as a portal's admin screen exports it.
INQUIRY_LIST = {
    "反響ID": "inquiry.external_id",
    "反響日時": "inquiry.received_at",
    "お名前": "full_name",
    "フリガナ": "full_name_kana",
    "メールアドレス": "email",
    "電話番号": "phone",
    "物件名": "inquiry.property_name",
    "物件番号": "inquiry.property_code",
    "自社管理番号": "inquiry.own_property_code",
    "物件URL": "inquiry.property_url",
    "賃料": "inquiry.price",
    "間取り": "inquiry.layout",
    "お問い合わせ内容": "inquiry.message",
    "管理番号": None,  # a customer ledger's own number as much as a property's: not guessed
}


def test_an_inquiry_list() -> None:
    assert auto_map(list(INQUIRY_LIST)) == INQUIRY_LIST


@pytest.mark.parametrize("target", list(INQUIRY_ALIASES))
def test_every_inquiry_alias_maps_to_its_target(target: str) -> None:
    for alias in INQUIRY_ALIASES[target]:
        assert guess_target(alias) == target, alias


@pytest.mark.parametrize("target", TARGETS)
def test_every_alias_maps_to_its_target(target: str) -> None:
    for alias in (target, *_ALIASES.get(target, ())):
        assert guess_target(alias) == target, alias


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("氏名（カナ）", "氏名カナ"),
        ("ｅ－ｍａｉｌ", "email"),
        ("ふりがな", "フリガナ"),
        ("Last_Name", "lastname"),
    ],
)
def test_normalize_label(label: str, key: str) -> None:
    assert normalize_label(label) == key


@given(st.lists(st.sampled_from([*SANSAN, *SATORI, *ENGLISH, *WEB_FORM, "x", "名前 (2)"]), max_size=30))
def test_no_target_is_given_twice(headers: list[str]) -> None:
    mapping = auto_map(headers)
    targets = [t for t in mapping.values() if t is not None]
    assert len(targets) == len(set(targets))
    assert set(targets) <= {*TARGETS, *INQUIRY_ALIASES}
    assert list(mapping) == list(dict.fromkeys(headers))


def test_a_contact_person_column_is_the_name_in_a_list_without_one_and_the_owner_in_one_with():
    # kintone's customer list, a company ledger: 会社名, 部署名, 担当者名 and no name column.
    assert auto_map(["会社名", "部署名", "担当者名", "メールアドレス"])["担当者名"] == "full_name"
    assert auto_map(["会社名", "担当者", "電話番号"])["担当者"] == "full_name"
    # With a name column, 担当者 is the sales owner, as before.
    assert auto_map(["氏名", "担当者名"]) == {"氏名": "full_name", "担当者名": "owner"}
    assert auto_map(["姓", "名", "担当者"])["担当者"] == "owner"
    # Only 担当者 says both: 営業担当 is the owner whatever else the file has.
    assert auto_map(["会社名", "営業担当"])["営業担当"] == "owner"
    # ご担当者 (a web form's honorific) is always the customer's own.
    assert auto_map(["会社名", "ご担当者名", "担当者"]) == {
        "会社名": "company_name",
        "ご担当者名": "full_name",
        "担当者": "owner",
    }


def test_web_forms_split_name_fields_and_seimei_are_names():
    assert auto_map(["お名前(姓)", "お名前(名)", "お名前(セイ)", "お名前(メイ)"]) == {
        "お名前(姓)": "last_name",
        "お名前(名)": "first_name",
        "お名前(セイ)": "last_name_kana",
        "お名前(メイ)": "first_name_kana",
    }
    assert auto_map(["姓名", "姓名（カナ）"]) == {"姓名": "full_name", "姓名（カナ）": "full_name_kana"}
    assert auto_map(["氏名（姓）", "氏名（名）", "ふりがな（せい）", "ふりがな（めい）"]) == {
        "氏名（姓）": "last_name",
        "氏名（名）": "first_name",
        "ふりがな（せい）": "last_name_kana",
        "ふりがな（めい）": "first_name_kana",
    }


@pytest.mark.parametrize(
    ("label", "target"),
    [
        ("貴社名", "company_name"),
        ("御社名", "company_name"),
        ("団体名", "company_name"),
        ("屋号", "company_name"),
        ("お電話番号", "phone"),
        ("メールアドレス（確認用）", "email"),
        ("申込日", "acquired_at"),
        ("お申し込み日", "acquired_at"),
        ("メモ欄", "memo"),
    ],
)
def test_web_form_labels(label: str, target: str) -> None:
    assert guess_target(label) == target


def test_microsoft_forms_account_columns_are_the_person_when_the_form_asks_nothing_else():
    assert auto_map(["ID", "開始時刻", "完了時刻", "メール", "名前", "ご質問"]) == {
        "ID": None,
        "開始時刻": None,
        "完了時刻": "acquired_at",
        "メール": "email",
        "名前": "full_name",
        "ご質問": "inquiry.message",
    }


def test_a_microsoft_forms_completion_time_is_when_the_person_was_won_unless_the_form_asks():
    english = auto_map(["ID", "Start time", "Completion time", "Email", "Name", "Question"])
    assert (english["Completion time"], english["Start time"]) == ("acquired_at", None)
    # A date the form itself asks for (登録日) is the one taken.
    asked = auto_map(["ID", "開始時刻", "完了時刻", "メール", "名前", "登録日"])
    assert (asked["完了時刻"], asked["登録日"]) == (None, "acquired_at")
    # Outside a Forms export, 完了時刻 says nothing of the person.
    assert auto_map(["氏名", "完了時刻"])["完了時刻"] is None


# Peatix's attendee list: the ticket's purchase is when the person was won.
PEATIX = {
    "注文ID": None,
    "チケット購入日時": "acquired_at",
    "チケット名": None,
    "氏名": "full_name",
    "ニックネーム": None,
    "メールアドレス": "email",
    "電話番号": "phone",
    "会社名": "company_name",
    "部署名": "department",
    "役職": "title",
    "参加ステータス": None,
}


def test_peatix_attendees() -> None:
    assert auto_map(list(PEATIX)) == PEATIX


@pytest.mark.parametrize("label", ["応募日時", "エントリー日", "初回購入日", "入会日", "来場日時", "お申し込み日時"])
def test_the_day_a_person_applied_entered_or_first_bought_is_when_they_were_won(label: str) -> None:
    assert guess_target(label) == "acquired_at"


@pytest.mark.parametrize("label", ["購入日", "注文日時", "予約日時", "最終購入日"])
def test_a_purchase_order_or_reservation_of_any_time_is_not(label: str) -> None:
    assert guess_target(label) is None
