"""Invented portal mails: the source of ``tests/cases/portals/**/*.eml``.

Every name, address, phone number and id below is made up. The layouts follow what is publicly
known about each portal (``shared/formats/portal-mail.md``); RE-Guide's is a guess, as no sample is
public. The mails are encoded the way portals send them: ISO-2022-JP 7bit as CP50220 writes it
(so ① ㈱ Ⅲ 髙 survive), plus one quoted-printable, one HTML-only, one forwarded inline through Gmail
and one forwarded as a ``message/rfc822`` attachment.

Run ``python -m tests.unit.portals.fixture_mails`` from the repository root to rewrite the ``.eml``
files; the ``.expected.json`` files next to them are written by hand and never generated.
"""

from __future__ import annotations

import base64
import quopri
from pathlib import Path

from tests.unit.mail.mail_samples import encode_cp50220, encoded_word

CASES = Path(__file__).resolve().parents[2] / "cases" / "portals"

SUUMO_RENTAL = """\
株式会社サンプル不動産　御中

SUUMOをご利用いただき、ありがとうございます。
以下の内容で反響がありました。

━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
■反響情報
━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
反響到着日時 2026/08/12 02:04:10
ID：A1234567890
お問合せ企画：賃貸
会社名：株式会社サンプル不動産　目黒店

問合せ物件
物件種別：賃貸マンション
物件名：サンプルハイツ①　１０３号室
物件コード：100012345678
貴社物件コード：SMP-0042
最寄り駅：ＪＲ山手線／目黒駅　歩７分
所在地：東京都品川区上大崎９丁目
賃料：12.5万円
間取り：1LDK
専有面積：40.12㎡
物件詳細画面：
https://suumo.jp/chintai/jnc_000000000001/

お客様プロフィール
名前（漢字）：山田　太郎
名前（カナ）：ヤマダ　タロウ
メールアドレス：taro.yamada@example.jp
ＴＥＬ：０９０－１２３４－５６７８
お問合せ内容：
髙橋様のご紹介で連絡しました。
内見を希望します（土日可）～よろしくお願いします。
━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
※本メールは送信専用です。
㈱リクルート　Ⅲ
"""

SUUMO_SALE = """\
株式会社サンプル不動産　御中

以下の内容で反響がありました。

反響到着日時：2026/09/03 21:15:42
連番：20260903-000123
お問合せ企画：売買（中古マンション）
物件種別：中古マンション
物件名：サンプルパレス武蔵小杉　７階
物件コード：77001234
貴社物件コード：
所在地：神奈川県川崎市中原区小杉町３丁目
最寄り駅：東急東横線／武蔵小杉駅　徒歩5分
価格：6480万円
間取り：3LDK
専有面積：70.5㎡

氏名（漢字）：佐藤　花子
氏名（カナ）：
メールアドレス：hanako.sato@example.ne.jp
電話番号：080-2345-6789
郵便番号：211-0004
住所：神奈川県川崎市中原区新丸子東１－２－３　サンプルコート２０１
希望連絡方法：メール
お問合せ内容：
資料を送ってください。

住宅ローンの相談もしたいです。
-------------------------------------------
リクルート　住まいカンパニー
"""

SUUMO_TOUR_HTML = """\
<html><head><style>td { padding: 4px }</style></head><body>
<p>株式会社サンプル不動産 ご担当者様</p>
<p>SUUMOから見学予約のお申し込みがありました（即時予約）。</p>
<table>
<tr><th>予約番号</th><td>R-20260815-0042</td></tr>
<tr><th>受付日時</th><td>2026/08/15 09:12</td></tr>
<tr><th>予約状況</th><td>予約確定</td></tr>
<tr><th>案内日時</th><td>2026/08/17(月) 14:00〜</td></tr>
<tr><th>物件名</th><td>サンプルガーデン世田谷&#12288;Ａ号棟</td></tr>
<tr><th>氏名（漢字）</th><td>鈴木&#12288;一郎</td></tr>
<tr><th>氏名（カナ）</th><td>スズキ&#12288;イチロウ</td></tr>
<tr><th>連絡事項</th><td>駐車場はありますか。<br>子供連れで伺います。</td></tr>
<tr><th>電話番号</th><td>070-3456-7890</td></tr>
<tr><th>メールアドレス</th><td>ichiro.suzuki@example.com</td></tr>
</table>
<p>━━━━━━━━━━━━━━━━━━━━</p>
<p>物件の詳細は<a href="https://suumo.jp/ikkodate/example/nc_00000001/">こちら</a></p>
</body></html>
"""

SUUMO_TOUR_CANCEL = """\
株式会社サンプル不動産　ご担当者様

以下の見学予約がキャンセルされました。

受付日時：2026/08/16 18:30
予約状況：キャンセル
案内日時：2026/08/17(月) 14:00〜
物件名：サンプルガーデン世田谷　Ａ号棟
氏名（漢字）：鈴木　一郎
氏名（カナ）：スズキ　イチロウ
電話番号：070-3456-7890
連絡事項：
都合が悪くなったため、キャンセルします。

─────────────────────
SUUMO 見学予約
"""

SUUMO_SETTINGS = """\
株式会社サンプル不動産　御中

反響詳細情報の送信先として、このメールアドレスが登録されました。
心当たりがない場合は、ＪＤＳ管理者にお問い合わせください。

登録日時：2026/07/01 10:00:00
会社名：株式会社サンプル不動産
"""

SUUMO_MAINTENANCE = """\
株式会社サンプル不動産　御中

いつもＪＤＳをご利用いただきありがとうございます。
下記の日程でシステムメンテナンスを実施します。

実施日時：2026/09/10 01:00 ～ 05:00
影響：反響お知らせメールの送信が遅れることがあります。
"""

SUUMO_NOTICE_ONLY = """\
株式会社サンプル不動産　御中

SUUMOに掲載中の物件へ反響がありました。
反響の詳細はＪＤＳにログインしてご確認ください。
（反響情報の送信設定：通知のみ）

反響到着日時 2026/08/20 11:05:33
ID：A1234567999
物件名：サンプルハイツ①　２０１号室
物件コード：100012345999

※本メールは送信専用です。
"""

SUUMO_CONFIRMATION = """\
株式会社サンプル不動産　御中

反響お知らせメールの送信先メールアドレスの変更を受け付けました。
下記のURLにアクセスし、変更を確定してください。

https://jds.suumo.jp/confirm?token=EXAMPLETOKEN0001

有効期限：2026/07/03 23:59
"""

SUUMO_CHANGED_LAYOUT = """\
株式会社サンプル不動産　御中

以下の内容で反響がありました。

反響到着日時 2026/10/01 10:00:00
ID：A1234568000
物件名：サンプルハイツ①　３０５号室
物件コード：100012346000

【お客様情報】
お客様氏名：高田　次郎
連絡先メール：jiro.takada@example.jp
連絡先番号：090-4567-8901
ご質問内容：駐輪場はありますか。
"""

HOMES_INQUIRY = """\
㈱サンプル不動産　御中

LIFULL HOME'Sをご利用いただきありがとうございます。
お客様から下記の物件について問合せがありました。

━━━━━━━━━━━━━━━━━━━━━━━━━━━━
■問合せ物件
━━━━━━━━━━━━━━━━━━━━━━━━━━━━
物件種別：中古マンション
物件名：髙島ハイツⅢ　①号棟 502
価格：3,980万円
所在地：東京都板橋区高島平２丁目
交通：都営三田線 高島平駅 徒歩4分
面積：65.20㎡
間取：3LDK
物件番号：0123456789abcdef
自社管理番号：TKS-502
━━━━━━━━━━━━━━━━━━━━━━━━━━━━
■お客様情報
━━━━━━━━━━━━━━━━━━━━━━━━━━━━
問合せ番号：H2026081200123
問合せ日時：2026年08月12日 14時30分
名前：田中　美咲
メールアドレス：misaki.tanaka@example.co.jp
電話番号：03-1234-5678
お問合せ内容：
・見学をしたい
・周辺環境について知りたい
駐車場の空き状況も教えてください。
━━━━━━━━━━━━━━━━━━━━━━━━━━━━
"""

HOMES_NEW_HOUSE = """\
株式会社サンプルホーム　御中

LIFULL HOME'S 新築一戸建てに見学予約が入りました。

見学予約番号：K-20260901-0007
予約受付日時：2026/09/01 08:45:10
物件名：サンプルタウン練馬 全12棟
価格：5,280万円～5,980万円
所在地：東京都練馬区大泉町５丁目
物件番号：9876543210
見学希望日：第1候補 2026/09/05(土) 10:00
　　　　　　第2候補 2026/09/06(日) 13:00

名前：伊藤　健
フリガナ：イトウ　ケン
メールアドレス：ken.ito@example.jp
電話番号：090-5678-1234
ご希望の連絡時間帯：平日18時以降
お問合せ内容：
当日は家族4人で伺います。
"""

HOMES_SELLER = """\
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃　LIFULL HOME'S 不動産査定　査定依頼のお知らせ　┃
┗━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
株式会社サンプル不動産　御中

下記のお客様から査定依頼がありました。
（受信日時：2026/07/30 22:41:05）

┏━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃■査定依頼者情報
┃査定ID（問合せ番号）：S-000123456
┃お名前：渡辺　直子
┃フリガナ：ワタナベ　ナオコ
┃ご住所：〒330-0063 埼玉県さいたま市浦和区高砂１－２－３
┃電話番号：048-123-4567
┃メールアドレス：naoko.watanabe@example.jp
┃
┃■査定物件情報
┃物件種別：一戸建て
┃物件所在地：埼玉県さいたま市浦和区高砂１－２－３
┃土地面積：120㎡
┃建物面積：95㎡
┃築年数：15年
┃売却希望時期：3ヶ月以内
┃ご要望：
┃できるだけ早く査定額を知りたいです。
┗━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
"""

ATHOME_INQUIRY = """\
株式会社サンプル不動産　御中

アットホーム（スマートフォンサイト・アプリ）をご覧のお客様から、
以下の物件についてお問合せがありました。

お問合わせ日時　　：2026年08月18日 19時07分
物件種目　　　　　：賃貸アパート
建物名　　　　　　：サンプルコーポ　２０２
交通　　　　　　　：京王線 調布駅 徒歩10分
所在地　　　　　　：東京都調布市布田４丁目
価格　　　　　　　：7.8万円
間取り　　　　　　：1K
at home 物件番号　：1234567890
貴社物件管理番号　：CHF-202

お名前　　　　　　：小林　翔太
メールアドレス　　：shota.kobayashi@example.jp
郵便番号　　　　　：182-0024
住所　　　　　　　：東京都調布市布田１－１－１
電話番号　　　　　：080-9876-5432
連絡希望の時間帯　：平日夜

＜物件に関するお問合せ内容＞
・実際に見学したい
初期費用の目安を教えてください。
──────────────────────────────
このメールはアットホームから自動送信しています。
"""

ATHOME_NEWSLETTER = """\
会員各位

いつもアットホームをご利用いただきありがとうございます。
今月のおすすめ機能をご紹介します。

■スマートフォン向け新機能
物件写真の掲載枚数が増えました。
詳しくは：https://www.athome.co.jp/example/news/
"""

ATHOME_PHONE = """\
株式会社サンプル不動産　御中

アットホームに掲載中の物件について、お客様からお電話がありました。

着信日時　　　　　：2026年08月19日 10時15分
at home 物件番号　：1234567890
通話時間　　　　　：3分12秒
"""

REGUIDE = """\
株式会社サンプル不動産　ご担当者様

リガイドにて、お客様から物件へのお問い合わせがありました。

【問合せ日時】2026/08/25 16:20
【問合せ番号】RG-0000456
【物件名】サンプルヒルズ多摩センター　３号棟
【物件番号】RG-BK-78901
【価格】4,290万円
【間取り】4LDK

【お名前】加藤　裕子
【フリガナ】カトウ　ユウコ
【メールアドレス】yuko.kato@example.jp
【電話番号】042-123-4567
【住所】東京都多摩市落合１－２－３
【お問い合わせ内容】
現地見学を希望します。
平日の午後が都合がよいです。
"""

IEUL = """\
株式会社サンプル不動産　ご担当者様

イエウールより不動産査定のご依頼がありました。

■依頼者情報
依頼日時　　: 2026-05-15 12:06:34
氏名　　　　: 中村　由美
フリガナ　　: ナカムラ　ユミ
郵便番号　　: 460-0008
住所　　　　: 愛知県名古屋市中区栄３丁目
電話番号　　: 052-123-4567
Email　　　 : yumi.nakamura@example.jp

■物件情報
物件種別　　: 土地
物件住所　　: 愛知県名古屋市中区栄３丁目
土地面積　　: 150㎡
売却希望時期: 1年以内
備考　　　　:
相続した土地です。
現地は更地です。
"""

HOME4U = """\
株式会社サンプル不動産 ご担当者様

HOME4Uより査定依頼がありました。

■査定ナンバー : 4U-2026-000789
■査定依頼日時 : 2026/06/01 09:30
■お名前 : 小川　大輔
■フリガナ : オガワ　ダイスケ
■ご住所
〒530-0001
大阪府大阪市北区梅田１－１－１　サンプルタワー３０１
■電話番号 : 06-1234-5678
■E-mail : daisuke.ogawa@example.jp

■物件の種類 : マンション
■物件の所在地 : 大阪府大阪市北区梅田１－１－１
■専有面積 : 72㎡
■ご要望 :
訪問査定を希望します。
"""

YAHOO = """\
株式会社サンプル不動産　御中

Yahoo!不動産から売却査定の依頼がありました。

問い合わせID：YF-20260702-0011
依頼日時：2026年7月2日 8時05分
氏名（漢字）：松本　誠
氏名（カナ）：マツモト　マコト
郵便番号：812-0011
現住所：福岡県福岡市博多区博多駅前２－２－２
Ｅメール：makoto.matsumoto@example.jp
電話番号：092-123-4567
物件種別：マンション
"""

UNRELATED = """\
いつもご利用ありがとうございます。
週末限定セールのお知らせです。

期間：2026/08/29～2026/08/30
会場：サンプル百貨店 本館
"""


def _headers(sender: str, subject: str, date: str, message_id: str, content: str) -> str:
    return (
        f"Return-Path: <{sender}>\r\n"
        f"Message-ID: <{message_id}>\r\n"
        f"Date: {date}\r\n"
        f"From: {sender}\r\n"
        "To: info@sample-fudosan.example.jp\r\n"
        f"Subject: {encoded_word(subject)}\r\n"
        "MIME-Version: 1.0\r\n"
        f"{content}\r\n"
    )


def iso2022(sender: str, subject: str, date: str, body: str, message_id: str) -> bytes:
    """ISO-2022-JP, 7bit, CRLF: how the portals send."""
    content = "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n"
    head = _headers(sender, subject, date, message_id, content).encode("ascii")
    return head + encode_cp50220(body).replace(b"\n", b"\r\n")


def iso2022_qp(sender: str, subject: str, date: str, body: str, message_id: str) -> bytes:
    """ISO-2022-JP quoted-printable, as Outlook/Exchange relays it."""
    content = "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: quoted-printable\r\n"
    head = _headers(sender, subject, date, message_id, content).encode("ascii")
    encoded = quopri.encodestring(encode_cp50220(body).replace(b"\n", b"\r\n"))
    return head + encoded


def html_only(sender: str, subject: str, date: str, html: str, message_id: str) -> bytes:
    """An HTML-only mail, UTF-8 base64."""
    content = "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n"
    head = _headers(sender, subject, date, message_id, content).encode("ascii")
    return head + base64.encodebytes(html.encode("utf-8")).replace(b"\n", b"\r\n")


def gmail_forward(original_from: str, subject: str, body: str) -> bytes:
    """A person forwards the original inline from Gmail (UTF-8 base64, text and HTML)."""
    text = (
        "佐藤さん、こちらの反響の対応をお願いします。\n\n"
        "---------- Forwarded message ---------\n"
        f"From: リクルート <{original_from}>\n"
        "Date: 2026年8月12日(水) 2:04\n"
        f"Subject: {subject}\n"
        "To: <info@sample-fudosan.example.jp>\n\n\n"
        f"{body}"
    )
    html = '<div dir="ltr">' + text.replace("\n", "<br>\n") + "</div>"
    boundary = "000000000000forwardboundary01"
    parts = []
    for kind, payload in (("plain", text), ("html", html)):
        encoded = base64.encodebytes(payload.encode("utf-8")).decode("ascii").replace("\n", "\r\n")
        parts.append(
            f'--{boundary}\r\nContent-Type: text/{kind}; charset="UTF-8"\r\n'
            f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}"
        )
    head = (
        "Message-ID: <CAEXAMPLEforward0001@mail.gmail.com>\r\n"
        "Date: Wed, 12 Aug 2026 09:30:00 +0900\r\n"
        "From: Hanako Manager <manager@sample-fudosan.example.jp>\r\n"
        "To: sales@sample-fudosan.example.jp\r\n"
        f"Subject: {encoded_word('Fwd: ' + subject, 'UTF-8')}\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
    )
    return (head + "".join(parts) + f"--{boundary}--\r\n").encode("ascii")


def rfc822_forward(original: bytes, subject: str) -> bytes:
    """A person forwards the original as a message/rfc822 attachment (Thunderbird, Outlook)."""
    boundary = "------------attachedforward02"
    note = encode_cp50220("転送します。対応をお願いします。\n").replace(b"\n", b"\r\n")
    head = (
        "Message-ID: <attached-forward-0002@sample-fudosan.example.jp>\r\n"
        "Date: Tue, 18 Aug 2026 20:00:00 +0900\r\n"
        "From: Ichiro Tenpo <tenpo@sample-fudosan.example.jp>\r\n"
        "To: sales@sample-fudosan.example.jp\r\n"
        f"Subject: {encoded_word('Fwd: ' + subject)}\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\n"
        "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
    ).encode("ascii")
    attached = (
        f"\r\n--{boundary}\r\n"
        'Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename="original.eml"\r\n\r\n'
    ).encode("ascii")
    return head + note + attached + original + f"\r\n--{boundary}--\r\n".encode("ascii")


JDS = "system@jds.suumo.jp"
JDS_SUBJECT = "[リクルートＪＤＳ]反響お知らせメール"
TOUR = "reserve-info@kr-hometour.suumo.jp"
ATHOME = "mailtofax@athome.jp"
ATHOME_SUBJECT = "アットホーム（スマートフォンサイト・アプリ）からのお知らせ"
HOMES_INQUIRY_SUBJECT = "【LIFULL HOME'S】お客様からの問合せ（髙島ハイツⅢ ①号棟・㈱サンプル不動産）"


def mails() -> dict[str, bytes]:
    """Every fixture mail by its path under ``tests/cases/portals``."""
    athome = iso2022(ATHOME, ATHOME_SUBJECT, "Tue, 18 Aug 2026 19:07:30 +0900", ATHOME_INQUIRY, "a1@athome.jp")
    return {
        "suumo/rental.eml": iso2022(JDS, JDS_SUBJECT, "Wed, 12 Aug 2026 02:04:10 +0900", SUUMO_RENTAL, "s1@jds"),
        "suumo/rental_forwarded_gmail.eml": gmail_forward(JDS, JDS_SUBJECT, SUUMO_RENTAL),
        "suumo/sale_quoted_printable.eml": iso2022_qp(
            "jds_system@jds.jutakujoho.jp", "［リクルートJDS］反響お知らせメール", "Thu, 3 Sep 2026 21:15:45 +0900",
            SUUMO_SALE, "s2@jds",
        ),
        "suumo/tour_booking_html.eml": html_only(
            TOUR, "【SUUMO】見学予約のお申し込みがありました（即時予約）", "Sat, 15 Aug 2026 09:12:30 +0900",
            SUUMO_TOUR_HTML, "t1@kr-hometour",
        ),
        "suumo/tour_cancellation.eml": iso2022(
            TOUR, "【SUUMO】見学予約がキャンセルされました", "Sun, 16 Aug 2026 18:30:05 +0900", SUUMO_TOUR_CANCEL,
            "t2@kr-hometour",
        ),
        "suumo/settings_notice.eml": iso2022(
            JDS, "[リクルートＪＤＳ]反響詳細情報送信先メールアドレスの確認", "Wed, 1 Jul 2026 10:00:00 +0900",
            SUUMO_SETTINGS, "s3@jds",
        ),
        "suumo/maintenance_notice.eml": iso2022(
            JDS, "[リクルートＪＤＳ]システムメンテナンスのお知らせ", "Mon, 31 Aug 2026 12:00:00 +0900",
            SUUMO_MAINTENANCE, "s4@jds",
        ),
        "suumo/notice_only.eml": iso2022(
            JDS, JDS_SUBJECT, "Thu, 20 Aug 2026 11:05:35 +0900", SUUMO_NOTICE_ONLY, "s5@jds"
        ),
        "suumo/address_confirmation.eml": iso2022(
            JDS, "[リクルートJDS]メールアドレス変更確認メール", "Thu, 2 Jul 2026 09:00:00 +0900",
            SUUMO_CONFIRMATION, "s6@jds",
        ),
        "suumo/changed_layout.eml": iso2022(
            JDS, JDS_SUBJECT, "Thu, 1 Oct 2026 10:00:02 +0900", SUUMO_CHANGED_LAYOUT, "s7@jds"
        ),
        "homes/inquiry.eml": iso2022(
            "support@homes.co.jp", HOMES_INQUIRY_SUBJECT, "Wed, 12 Aug 2026 14:30:20 +0900", HOMES_INQUIRY, "h1@homes"
        ),
        "homes/new_house_booking.eml": iso2022(
            "support-k@homes.co.jp", "【LIFULL HOME'S新築一戸建て見学予約】見学予約がありました",
            "Tue, 1 Sep 2026 08:45:12 +0900", HOMES_NEW_HOUSE, "h2@homes",
        ),
        "homes/seller_box.eml": iso2022(
            "support@homes.co.jp", "【LIFULL HOME'S】＜実名＞査定依頼がありました", "Thu, 30 Jul 2026 22:41:07 +0900",
            HOMES_SELLER, "h3@homes",
        ),
        "athome/inquiry.eml": athome,
        "athome/inquiry_forwarded_attachment.eml": rfc822_forward(athome, ATHOME_SUBJECT),
        "athome/newsletter.eml": iso2022(
            ATHOME, "【アットホーム】会員様へのお知らせ（メールマガジン 2026年9月号）", "Tue, 1 Sep 2026 10:00:00 +0900",
            ATHOME_NEWSLETTER, "a2@athome.jp",
        ),
        "athome/phone_notice.eml": iso2022(
            ATHOME, "アットホームからのお知らせ（お電話がありました）", "Wed, 19 Aug 2026 10:20:00 +0900", ATHOME_PHONE,
            "a3@athome.jp",
        ),
        "reguide/inquiry.eml": iso2022(
            "info@re-guide.jp", "【リガイド】物件へのお問い合わせがありました", "Tue, 25 Aug 2026 16:20:40 +0900", REGUIDE,
            "r1@re-guide.jp",
        ),
        "ieul/seller.eml": iso2022(
            "info@ieul.jp", "【イエウール】不動産査定依頼のお知らせ", "Fri, 15 May 2026 12:06:40 +0900", IEUL, "i1@ieul.jp"
        ),
        "home4u/seller.eml": iso2022(
            "info@home4u.jp", "[HOME4U] 査定依頼 -- 大阪府 大阪市北区", "Mon, 1 Jun 2026 09:30:10 +0900", HOME4U,
            "f1@home4u.jp",
        ),
        "yahoo-fudosan/seller.eml": iso2022(
            "realestate-master@mail.yahoo.co.jp", "【Yahoo!不動産】売却査定依頼のお知らせ", "Thu, 2 Jul 2026 08:05:30 +0900",
            YAHOO, "y1@yahoo",
        ),
        "unrelated/sale_newsletter.eml": iso2022(
            "news@shop.example.com", "週末限定セールのお知らせ", "Fri, 28 Aug 2026 12:00:00 +0900", UNRELATED, "u1@shop"
        ),
    }  # fmt: skip


def main() -> None:
    for name, data in mails().items():
        path = CASES / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path.relative_to(CASES.parents[1])} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
