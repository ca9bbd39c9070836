"""The common family names, with their readings: what a name's other spellings are checked against.

Two things a file seldom says are told from them:

- where a reading written without a space (``ヤマダタロウ``) divides, when the row's family name
  in kanji (``山田``, from its own column or split from the full name) is one of these names:
  ``split_reading`` finds the family name's reading at its start;
- which word of a romaji name written in English order (``Taro Yamada``) is the family name:
  ``is_romaji_family_name`` knows the names' romaji in the spellings people use (``Sato``,
  ``Satoh``, ``Satou``, ``Satō``; ``Ohno``, ``Oono``, ``Ōno``; ``Homma``, ``Honma``).

The list: the nationwide rankings' most common family names of two characters or more (with the
old forms of their characters that registers keep: 髙橋, 齋藤, 渡邊), the names of three or four
characters and Okinawa's common names that namedivider divides wrong (``宇佐美``, ``小田切``,
``東海林``, ``比嘉``: ``宇佐`` + ``美太郎``), which also split a kanji name written without a space
(``COMMON_FAMILY_NAMES``), and the common one-character ones. A
name read more than one way has each reading (``河野``: コウノ, カワノ). Romaji that are common
given names as well (``Minami``, ``Izumi``, ``Maki``) are left out of the romaji test.
"""

from __future__ import annotations

import re

__all__ = [
    "COMMON_FAMILY_NAMES",
    "COMMON_GIVEN_NAMES",
    "ONE_CHARACTER_FAMILY_NAMES",
    "fold_macrons",
    "is_romaji_family_name",
    "is_romaji_given_name",
    "readings_of",
    "romaji_reads",
    "spells_family_name",
    "split_reading",
]

# One name a line item: the name, then its readings apart by "/".
_TABLE = """
    佐藤:サトウ 鈴木:スズキ 高橋:タカハシ 田中:タナカ 伊藤:イトウ 渡辺:ワタナベ 山本:ヤマモト
    中村:ナカムラ 小林:コバヤシ 加藤:カトウ 吉田:ヨシダ 山田:ヤマダ 佐々木:ササキ 山口:ヤマグチ
    松本:マツモト 井上:イノウエ 木村:キムラ 斎藤:サイトウ 清水:シミズ 山崎:ヤマザキ/ヤマサキ
    池田:イケダ 橋本:ハシモト 阿部:アベ 石川:イシカワ 山下:ヤマシタ 中島:ナカジマ/ナカシマ
    石井:イシイ 小川:オガワ 前田:マエダ 岡田:オカダ 長谷川:ハセガワ 藤田:フジタ 後藤:ゴトウ
    近藤:コンドウ 村上:ムラカミ 遠藤:エンドウ 青木:アオキ 坂本:サカモト 斉藤:サイトウ 福田:フクダ
    太田:オオタ 西村:ニシムラ 藤井:フジイ 金子:カネコ 岡本:オカモト 藤原:フジワラ 中野:ナカノ
    三浦:ミウラ 原田:ハラダ 中川:ナカガワ 松田:マツダ 竹内:タケウチ 小野:オノ 田村:タムラ
    中山:ナカヤマ 和田:ワダ 石田:イシダ 森田:モリタ 上田:ウエダ 内田:ウチダ 柴田:シバタ
    酒井:サカイ 宮崎:ミヤザキ/ミヤサキ 横山:ヨコヤマ 高木:タカギ 安藤:アンドウ 宮本:ミヤモト
    大野:オオノ 小島:コジマ 谷口:タニグチ 今井:イマイ 工藤:クドウ 高田:タカダ/タカタ 増田:マスダ
    丸山:マルヤマ 杉山:スギヤマ 村田:ムラタ 大塚:オオツカ 新井:アライ 小山:コヤマ/オヤマ
    平野:ヒラノ 藤本:フジモト 河野:コウノ/カワノ 上野:ウエノ 野口:ノグチ 武田:タケダ 松井:マツイ
    千葉:チバ 岩崎:イワサキ 菅原:スガワラ 木下:キノシタ 久保:クボ 佐野:サノ 野村:ノムラ
    松尾:マツオ 市川:イチカワ 菊地:キクチ 杉本:スギモト 古川:フルカワ 大西:オオニシ 島田:シマダ
    水野:ミズノ 桜井:サクライ 高野:タカノ 渡部:ワタナベ/ワタベ 吉川:ヨシカワ/キッカワ
    山内:ヤマウチ 西田:ニシダ 飯田:イイダ 菊池:キクチ 西川:ニシカワ 小松:コマツ 北村:キタムラ
    安田:ヤスダ 五十嵐:イガラシ 川口:カワグチ 平田:ヒラタ 中田:ナカタ/ナカダ 久保田:クボタ
    服部:ハットリ 岩田:イワタ 土屋:ツチヤ 川崎:カワサキ 福島:フクシマ 本田:ホンダ 樋口:ヒグチ
    秋山:アキヤマ 田代:タシロ 荒木:アラキ 宮田:ミヤタ 関口:セキグチ 野田:ノダ 松岡:マツオカ
    永井:ナガイ 中西:ナカニシ 望月:モチヅキ 森本:モリモト 川上:カワカミ 小池:コイケ 田口:タグチ
    大橋:オオハシ 須藤:スドウ 矢野:ヤノ 浅野:アサノ 松下:マツシタ 小澤:オザワ 大久保:オオクボ
    岩本:イワモト 片山:カタヤマ 早川:ハヤカワ 熊谷:クマガイ 吉村:ヨシムラ 内藤:ナイトウ
    中尾:ナカオ 星野:ホシノ 坂口:サカグチ 若林:ワカバヤシ 大川:オオカワ 山中:ヤマナカ 安達:アダチ
    石原:イシハラ 西山:ニシヤマ 平井:ヒライ 大石:オオイシ 松浦:マツウラ 吉岡:ヨシオカ 小田:オダ
    宮下:ミヤシタ 小西:コニシ 富田:トミタ 北川:キタガワ 松村:マツムラ 岡崎:オカザキ
    大谷:オオタニ/オオヤ 山根:ヤマネ 桑原:クワバラ 堀内:ホリウチ 沢田:サワダ 河合:カワイ
    黒田:クロダ 川村:カワムラ 奥村:オクムラ 栗原:クリハラ 宮原:ミヤハラ 本間:ホンマ 小泉:コイズミ
    佐久間:サクマ 小笠原:オガサワラ 大和田:オオワダ 小野寺:オノデラ 長谷部:ハセベ 宇都宮:ウツノミヤ
    長谷:ハセ 大友:オオトモ 成田:ナリタ 今村:イマムラ 中谷:ナカタニ/ナカヤ 竹田:タケダ 上原:ウエハラ
    大森:オオモリ 川田:カワダ 高山:タカヤマ 馬場:ババ 小沢:オザワ 田辺:タナベ 尾崎:オザキ
    永田:ナガタ 長田:ナガタ/オサダ 榎本:エノモト 金井:カナイ 水谷:ミズタニ 浜田:ハマダ 荒井:アライ
    島崎:シマザキ 広瀬:ヒロセ 菅野:カンノ/スガノ 吉野:ヨシノ 大島:オオシマ 篠原:シノハラ 桑田:クワタ
    神田:カンダ 宇野:ウノ 三上:ミカミ 徳永:トクナガ 外山:トヤマ/ソトヤマ 日野:ヒノ 長尾:ナガオ
    大木:オオキ 柳田:ヤナギダ/ヤナギタ 小宮:コミヤ 鷲尾:ワシオ 蛭田:ヒルタ 田邊:タナベ
    山﨑:ヤマザキ/ヤマサキ 宮﨑:ミヤザキ/ミヤサキ 川﨑:カワサキ 尾﨑:オザキ 髙橋:タカハシ 髙木:タカギ
    髙田:タカダ/タカタ 髙野:タカノ 齋藤:サイトウ 齊藤:サイトウ 渡邊:ワタナベ 渡邉:ワタナベ
    濱田:ハマダ 廣瀬:ヒロセ 澤田:サワダ 櫻井:サクライ 淺野:アサノ 嶋田:シマダ
    中嶋:ナカジマ/ナカシマ 長嶋:ナガシマ
    宇佐美:ウサミ 小田切:オダギリ 三田村:ミタムラ 阿久津:アクツ 日下部:クサカベ 曽我部:ソガベ
    東海林:ショウジ/トウカイリン 御手洗:ミタライ 早乙女:サオトメ 五月女:ソウトメ/サオトメ
    十文字:ジュウモンジ 二階堂:ニカイドウ 加賀谷:カガヤ 小宮山:コミヤマ 小久保:コクボ
    大河内:オオコウチ/オオカワチ 小野田:オノダ 小山田:オヤマダ 宇田川:ウダガワ 海老原:エビハラ
    海老沢:エビサワ 海老名:エビナ 安孫子:アビコ 我孫子:アビコ 伊集院:イジュウイン 西園寺:サイオンジ
    八木橋:ヤギハシ 大河原:オオカワラ/オオガワラ 小此木:オコノギ 小野塚:オノヅカ 小松崎:コマツザキ
    木之下:キノシタ 木ノ下:キノシタ 山之内:ヤマノウチ 山ノ内:ヤマノウチ 竹之内:タケノウチ
    堀之内:ホリノウチ 井之上:イノウエ 比留間:ヒルマ 宇津木:ウツギ 瀬戸口:セトグチ 波多野:ハタノ
    羽田野:ハタノ 千代田:チヨダ 矢田部:ヤタベ 下河辺:シモコウベ 大日向:オオヒナタ 小日向:コヒナタ
    日比野:ヒビノ 八重樫:ヤエガシ 一ノ瀬:イチノセ 一之瀬:イチノセ 二ノ宮:ニノミヤ 小田島:オダジマ
    小田原:オダワラ 小松原:コマツバラ 大須賀:オオスガ 北大路:キタオオジ 百目鬼:ドウメキ 九十九:ツクモ
    阿比留:アビル 伊佐治:イサジ 加治木:カジキ 大曽根:オオゾネ 上久保:カミクボ 久保寺:クボデラ
    長宗我部:チョウソカベ 勅使河原:テシガワラ 武者小路:ムシャノコウジ 五百旗頭:イオキベ
    比嘉:ヒガ 具志堅:グシケン 喜屋武:キャン 仲宗根:ナカソネ 与那嶺:ヨナミネ 与那覇:ヨナハ
    仲村渠:ナカンダカリ 屋比久:ヤビク 比屋根:ヒヤネ 阿波根:アハゴン 真栄田:マエダ 真栄城:マエシロ
    東恩納:ヒガシオンナ 小橋川:コバシカワ 知念:チネン 宮里:ミヤザト 安里:アサト 古謝:コジャ
    新垣:アラカキ/シンガキ 玉城:タマキ/タマシロ 金城:キンジョウ/カネシロ 大城:オオシロ
    島袋:シマブクロ 照屋:テルヤ 城間:シロマ 赤嶺:アカミネ
    猪股:イノマタ 醍醐:ダイゴ 一色:イッシキ 六車:ロクシャ 相良:サガラ 伊達:ダテ 由比:ユイ 久世:クゼ
    能登:ノト
    森:モリ 林:ハヤシ 原:ハラ 東:ヒガシ/アズマ 関:セキ 堀:ホリ 辻:ツジ 岡:オカ 西:ニシ 北:キタ
    南:ミナミ 谷:タニ 泉:イズミ 菅:スガ/カン 島:シマ 星:ホシ 浜:ハマ 畑:ハタ 沢:サワ 牧:マキ
    岸:キシ 堤:ツツミ 桂:カツラ 柳:ヤナギ 榊:サカキ 乾:イヌイ 萩:ハギ 楠:クスノキ 巽:タツミ
"""

#: Readings of each name in ``_TABLE``.
_READINGS: dict[str, tuple[str, ...]] = {
    name: tuple(readings.split("/")) for name, _, readings in (item.partition(":") for item in _TABLE.split())
}

#: The common family names of two characters or more: a kanji name that starts with one is
#: split after it (``name.split_full_name``).
COMMON_FAMILY_NAMES: frozenset[str] = frozenset(name for name in _READINGS if len(name) > 1)
#: The common one-character family names: a kanji name that starts with one and goes on with a
#: common given name is split after it (namedivider made ``林花子`` into ``林花`` + ``子``).
ONE_CHARACTER_FAMILY_NAMES: frozenset[str] = frozenset(name for name in _READINGS if len(name) == 1)

#: Common given names in kanji, of every generation (明治's 惣一郎 to 令和's 陽葵): what follows a
#: one-character family name is told from what follows a longer one by them.
_KANJI_GIVEN_NAMES = """
    太郎 次郎 三郎 四郎 五郎 一郎 二郎 健 誠 学 修 勇 茂 博 明 清 実 豊 進 勝 隆 浩 剛 聡 翔 蓮 湊 陽
    悠 樹 大樹 大輝 大翔 陽翔 悠真 悠人 陽向 湊斗 蒼 碧 颯 蒼空 結翔 律 朝陽 大和 拓海 海斗 海翔 陸
    陸斗 優斗 翔太 翔平 健太 健一 健二 健介 大輔 大介 雄一 雄太 亮 亮太 涼 涼太 拓也 拓哉 直樹 直人
    和也 和彦 和夫 達也 哲也 浩二 浩一 浩之 博之 弘 裕 裕太 裕介 祐介 雄介 圭 圭介 康介 浩介 俊介
    駿 隼 隼人 颯太 蒼太 奏太 悠斗 悠太 陽太 優太 慎太郎 慎也 誠一 正 正人 正樹 正和 正男 秀樹 英樹
    英二 真一 真人 智 智也 智之 孝 孝之 隆之 敏 俊 俊彦 武 武志 毅 司 淳 純 篤 徹 透 稔 昇 登 勉 守
    聖 翼 光 晃 輝 一輝 和樹 春樹 勇気 勇人 優 優一 光太郎 龍之介 惣一郎 慎之介 凛太郎 幸太郎 健太郎
    花子 幸子 和子 洋子 恵子 京子 久美子 美智子 智子 裕子 由美子 真由美 直美 明美 恵美 美香 香織
    沙織 詩織 麻衣 舞 愛 彩 綾 優子 陽子 晴美 由紀 由香 由佳 美穂 美紀 美樹 美咲 美羽 美桜 結衣 結愛
    結菜 陽菜 日菜子 葵 凛 紬 芽依 莉子 杏 杏奈 桜 七海 菜々子 奈々 彩花 彩乃 千尋 千夏 千秋 真央
    真理子 麻美 亜希子 亜美 瞳 恵 愛子 加奈子 佳子 静香 典子 紀子 礼子 玲子 涼子 順子 節子 信子 友美
    朋美 里美 聡子 理恵 理沙 里奈 梨花 柚希 柚葉 心春 心愛 咲良 琴音 楓 愛莉 陽葵 芽衣 莉央 優奈 優花
    彩香 遥 春香 舞子 望 希 希美 美和 美奈子 友里 有紀 由美 久子 文子 敏子 悦子 和美 正子 昭子 弘子
    純子 美代子
"""
COMMON_GIVEN_NAMES: frozenset[str] = frozenset(_KANJI_GIVEN_NAMES.split())

# The long vowel after an o-row kana is written ウ, オ or ー (サトウ, サトー; オオタ, オータ).
_O_ROW = "オコソトノホモヨロゴゾドボポョ"
_LONG_O = re.compile(f"(?<=[{_O_ROW}])[ウオ]")


_JI_ZU = str.maketrans("ヂヅ", "ジズ")


def _spellings(reading: str) -> list[str]:
    """A reading and how else people spell it: ``ー`` for a long o (サトウ → サトー), ジ/ズ for
    ヂ/ヅ (モチヅキ → モチズキ)."""
    spellings = [reading]
    for spelling in (_LONG_O.sub("ー", reading), reading.translate(_JI_ZU)):
        if spelling not in spellings:
            spellings.append(spelling)
    return spellings


_SPELLINGS: dict[str, tuple[str, ...]] = {
    name: tuple(spelling for reading in readings for spelling in _spellings(reading))
    for name, readings in _READINGS.items()
}
# Kana that never start a given name's reading: what follows a family name's reading must not be one.
_NO_START = frozenset("ァィゥェォャュョヮッーン")


def readings_of(family_name: str) -> tuple[str, ...]:
    """The readings (katakana) of a common family name; empty for any other."""
    return _READINGS.get(family_name, ())


def split_reading(reading: str, family_name: str) -> tuple[str, str] | None:
    """``(family, given)`` of a katakana reading written without a space whose start is the
    reading of ``family_name`` (``ヤマダタロウ`` with ``山田`` → ``('ヤマダ', 'タロウ')``); None
    when ``family_name`` is not a common one or the reading does not start with its reading."""
    for spelling in _SPELLINGS.get(family_name, ()):
        if reading.startswith(spelling) and len(reading) > len(spelling):
            given = reading[len(spelling) :]
            if given[0] not in _NO_START:
                return spelling, given
    return None


# Katakana to Hepburn romaji, for the names' readings only: two kana (a small ャ, ュ, ョ) first.
_ROMAJI_PAIRS = {
    "キャ": "kya", "キュ": "kyu", "キョ": "kyo", "シャ": "sha", "シュ": "shu", "ショ": "sho",
    "チャ": "cha", "チュ": "chu", "チョ": "cho", "ジャ": "ja", "ジュ": "ju", "ジョ": "jo",
    "リャ": "rya", "リュ": "ryu", "リョ": "ryo", "ニャ": "nya", "ニュ": "nyu", "ニョ": "nyo",
    "ヒャ": "hya", "ヒュ": "hyu", "ヒョ": "hyo", "ミャ": "mya", "ミュ": "myu", "ミョ": "myo",
    "ギャ": "gya", "ギュ": "gyu", "ギョ": "gyo", "ビャ": "bya", "ビュ": "byu", "ビョ": "byo",
    "ピャ": "pya", "ピュ": "pyu", "ピョ": "pyo", "ヂャ": "ja", "ヂュ": "ju", "ヂョ": "jo",
    "シェ": "she", "ジェ": "je", "チェ": "che", "ファ": "fa", "フィ": "fi", "フェ": "fe", "フォ": "fo",
    "ティ": "ti", "ディ": "di", "ウィ": "wi", "ウェ": "we", "ウォ": "wo",
}  # fmt: skip
_KANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
    "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ"
)
_SYLLABLES = """
    a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho
    ma mi mu me mo ya yu yo ra ri ru re ro wa o n ga gi gu ge go za ji zu ze zo da ji zu de do
    ba bi bu be bo pa pi pu pe po
"""
_ROMAJI = dict(zip(_KANA, _SYLLABLES.split(), strict=True))


def _romaji(reading: str) -> str:
    """``reading`` in Hepburn romaji (``ハットリ`` → ``hattori``, ``サトー`` → ``satoo``); KeyError
    for kana it has no spelling for (``ヴ``, a small ``ァ`` alone)."""
    out: list[str] = []
    double = False
    at = 0
    while at < len(reading):
        kana = reading[at]
        if kana == "ッ":
            double, at = True, at + 1
            continue
        if kana == "ー":  # the vowel before it again
            if out:
                out.append(out[-1][-1])
            at += 1
            continue
        pair = reading[at : at + 2]
        if pair in _ROMAJI_PAIRS:
            syllable, at = _ROMAJI_PAIRS[pair], at + 2
        else:
            syllable, at = _ROMAJI[kana], at + 1
        if double:
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
            double = False
        out.append(syllable)
    return "".join(out)


_MACRON_VOWELS = str.maketrans("āâīîūûēêōôĀÂĪÎŪÛĒÊŌÔ", "aaiiuueeooAAIIUUEEOO")
_MARKS = str.maketrans("", "", "-'’")
_OH_BEFORE_CONSONANT = re.compile(r"oh(?![aiueoy]|$)|oh$")
_M_BEFORE_LIP = re.compile(r"m(?=[bmp])")


def fold_macrons(word: str) -> str:
    """Long vowels' macrons and circumflexes dropped (``Satō`` → ``Sato``)."""
    return word.translate(_MACRON_VOWELS)


# Kunrei and Nihon-shiki spellings (``Syota``, ``Tuyosi``, ``Hukuda``), as Hepburn writes them.
_KUNREI = re.compile(r"(?<![sc])hu|sy(?=[aueo])|ty(?=[aueo])|[zj]y(?=[aueo])|si|ti|tu|zi|di|du")
_HEPBURN = {"hu": "fu", "sy": "sh", "ty": "ch", "zy": "j", "jy": "j", "si": "shi", "ti": "chi", "tu": "tsu"}
_HEPBURN |= {"zi": "ji", "di": "ji", "du": "zu"}


def _romaji_key(word: str) -> str:
    """A romaji word with its long vowels, ``m``/``n`` and Kunrei syllables written one way
    (``Satoh``, ``Satou``, ``Satō`` → ``sato``; ``Ohno``, ``Oono`` → ``ono``; ``Homma`` → ``honma``;
    ``Syota`` → ``shota``)."""
    key = "".join(fold_macrons(word).lower().translate(_MARKS).split())
    key = _KUNREI.sub(lambda found: _HEPBURN[found.group()], key)
    key = _M_BEFORE_LIP.sub("n", _OH_BEFORE_CONSONANT.sub("o", key))
    return key.replace("oo", "o").replace("ou", "o").replace("uu", "u")


#: A word as Japanese is written in romaji: syllables (a consonant or two, then a vowel), ``n``,
#: and a doubled consonant before one (``Hattori``, ``Kitchi``). ``John`` and ``Smith`` are not.
_JAPANESE_ROMAJI = re.compile(
    r"(?:(?:kk|gg|ss|zz|tt|tc|dd|bb|pp|ff|hh|jj|rr)?(?:sh|ch|ts|[kgnhbpmr]y|[kgsztdnhbpmyrwfjv])?[aiueo]|n)+"
)


def romaji_reads(word: str, reading: str) -> bool | None:
    """Whether a name written in romaji (``Taro``, ``Satoh``, ``Shin'ichi``) is this katakana
    reading (``タロウ``, ``サトウ``, ``シンイチ``), however its long vowels are written; None when that
    cannot be told: the word is not written as Japanese is romanised (``John``, whose reading
    ジョン is spelled ``jon``), or the reading holds kana with no one spelling (``ヴ``)."""
    key = _romaji_key(word)
    if _JAPANESE_ROMAJI.fullmatch(key) is None:
        return None
    try:
        return _romaji_key(_romaji(reading)) == key
    except KeyError:
        return None


def spells_family_name(word: str, family_name: str) -> bool | None:
    """Whether a family name written in romaji (``Yamada``, ``Satoh``) or katakana (``サトー``) is
    this common family name in kanji (``佐藤``) by one of its readings; None when ``family_name`` is
    not a common one. A word that is no reading of it (``Smith``, ``スズキ`` for ``佐藤``) is not it."""
    keys = _FAMILY_KEYS.get(family_name)
    if keys is None:
        return None
    if not word.isascii():
        try:
            word = _romaji(word)
        except KeyError:  # kana none of the names' readings holds
            return False
    return _romaji_key(word) in keys


#: Each common family name's readings in romaji, as ``_romaji_key`` writes them.
_FAMILY_KEYS: dict[str, frozenset[str]] = {
    name: frozenset(_romaji_key(_romaji(reading)) for reading in readings) for name, readings in _READINGS.items()
}


#: Also common given names: a word that is one of them says nothing about the order.
_ALSO_GIVEN_NAMES = frozenset(
    {
        "minami",
        "izumi",
        "maki",
        "kan",
        "azuma",
        "hoshi",
        "yui",
        "daigo",
        "tamaki",
        "shoji",
        "date",
        "katsura",
        "tatsumi",
    }
)
_ROMAJI_KEYS: frozenset[str] = frozenset(
    key for keys in _FAMILY_KEYS.values() for key in keys if key not in _ALSO_GIVEN_NAMES
)


# Common given names in romaji (Japanese, and English ones for the foreign names of a list): the
# first of two words that is one, beside a second that is none, writes the name in English order.
_GIVEN_NAMES = """
    taro ichiro jiro saburo kenji kenta kenichi hiroshi takashi makoto akira satoshi takeshi tsuyoshi
    yuki hanako yoko keiko akiko tomoko naoko kazuko sachiko michiko yumi ayumi mayumi kaori yuko emi
    megumi ai mai yui haruka sakura shota ren sho daiki yuta takumi tsubasa hiroto haruto sota yuto
    kaito riku koki naoki tetsuya kazuya shinji yusuke daisuke kosuke ryosuke shunsuke keisuke masato
    masashi hideki hiroki kazuki yoshiki tomoya takuya tatsuya nobuyuki hiroyuki takayuki toshiyuki
    masayuki kazuhiro masahiro toshihiro yasuhiro akihiro tomohiro noriko junko hiroko kyoko reiko
    masako etsuko miho miki yuka erika rie saori misaki nanami asuka aya ayaka chihiro kana mika nana
    rina saki shiori yuna hina aoi mio koharu jun ken shin kei ryo yu go
    john michael david james robert william richard thomas charles christopher daniel matthew mark
    paul steven andrew kevin brian george peter mary patricia jennifer linda elizabeth susan jessica
    sarah karen nancy lisa emily anna emma olivia sophie laura julia maria
"""
_GIVEN_KEYS: frozenset[str] = frozenset(_romaji_key(word) for word in _GIVEN_NAMES.split())


def is_romaji_given_name(word: str) -> bool:
    """True when ``word`` is a common given name in romaji (``Kenji``, ``Yūko``) or English (``John``)."""
    return _romaji_key(word) in _GIVEN_KEYS


def is_romaji_family_name(word: str) -> bool:
    """True when ``word`` is a common family name in romaji, however its long vowels are written."""
    key = _romaji_key(word)
    return key.isascii() and key in _ROMAJI_KEYS
