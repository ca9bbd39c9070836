"""ISO-2022-JP read as CP50220, charset labels, and the fallback for wrong or unknown labels."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.mail.mail_samples import encode_cp50220

from renkei.sources.mail import decode_iso2022jp_cp50220
from renkei.sources.mail.charsets import codec_for, decode_text

WINDOWS_CHARS = "①⑳㈱㈲Ⅲⅹ髙﨑～－∥￢№㎡"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"\x1b$B$9$_$^$;$s!#\x1b(B", "すみません。", id="jis0208-esc-B"),
        pytest.param(b"\x1b$@$3$s\x1b(J abc", "こん abc", id="jis1978-esc-at-and-jis-roman"),
        pytest.param(b"\x1b(I123\x1b(B", "ｱｲｳ", id="halfwidth-kana-esc-I"),
        pytest.param(b"a\x0e123\x0fb", "aｱｲｳb", id="halfwidth-kana-SO-SI"),
        pytest.param(b'\x1b$B$"\x1b(B\xb1\xb2', "あｱｲ", id="halfwidth-kana-8bit"),
        pytest.param(b"\x1b$B-!-j-7\x1b(B", "①㈱Ⅲ", id="nec-row13"),
        pytest.param(b"\x1b$B|b\x1b(B", "髙", id="nec-selected-ibm-extension"),
        pytest.param(b'\x1b$B$"\r\n$"\x1b(B', "あ\r\nあ", id="line-break-inside-double-byte-run"),
        pytest.param(b'\x1b$B$"\r\n-!\x1b(B', "あ\r\n①", id="line-break-inside-run-with-nec-char"),
        pytest.param(b'\x1b$B!A!B!]!q!r"L\x1b(B', "～∥－￠￡￢", id="cells-where-cp932-differs"),
        pytest.param(b"\x1b$B!A-!\x1b(B", "～①", id="cp932-cells-with-nec-char"),
        pytest.param(b"plain ascii\r\n", "plain ascii\r\n", id="ascii-only"),
    ],
)
def test_cp50220_decodes(data: bytes, expected: str) -> None:
    assert decode_iso2022jp_cp50220(data) == expected


def test_python_iso2022_codec_rejects_what_cp50220_reads() -> None:
    data = encode_cp50220(WINDOWS_CHARS)
    with pytest.raises(UnicodeDecodeError):
        data.decode("iso2022_jp")
    assert decode_iso2022jp_cp50220(data) == WINDOWS_CHARS


@given(
    st.text(alphabet=st.characters(codec="cp932", exclude_categories=("Cs", "Cc", "Co"), exclude_characters="¢£¬‖−〜"))
)
def test_cp50220_round_trips_every_cp932_text(text: str) -> None:
    # cp932 maps some characters to one code (e.g. NEC and IBM duplicates); compare after cp932.
    canonical = text.encode("cp932").decode("cp932")
    assert decode_iso2022jp_cp50220(encode_cp50220(canonical)) == canonical


def test_cp50220_strict_rejects_bytes_outside_jis() -> None:
    with pytest.raises(UnicodeDecodeError):
        decode_iso2022jp_cp50220(b"\x1b$B\x82\xa0\x1b(B")
    assert "\ufffd" in decode_iso2022jp_cp50220(b"\x1b$B\x82\xa0\x1b(B", "replace")


@pytest.mark.parametrize(
    "label",
    [
        "iso-2022-jp", "ISO-2022-JP", "iso-2022-jp-1", "iso-2022-jp-2", "iso-2022-jp-3",
        "iso-2022-jp-ext", "csISO2022JP", "cp50220", "CP50221", "cp50222", '"iso-2022-jp"',
    ],
)  # fmt: skip
def test_iso2022jp_labels_use_cp50220(label: str) -> None:
    assert decode_text(encode_cp50220("㈱サンプル①"), label) == ("㈱サンプル①", None)


@pytest.mark.parametrize(
    "label", ["shift_jis", "Shift_JIS", "sjis", "x-sjis", "shift-jis", "windows-31j", "MS932", "cp932"]
)
def test_shift_jis_labels_read_as_cp932(label: str) -> None:
    assert codec_for(label) is not None
    assert decode_text("①～髙".encode("cp932"), label) == ("①～髙", None)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        pytest.param("山田①", "euc_jis_2004", id="nec-row13-needs-euc-jis-2004"),
        pytest.param("山田太郎", "euc_jp", id="plain-jis0208"),
    ],
)
def test_euc_jp_keeps_what_either_codec_reads(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding), "euc-jp") == (text, None)


INQUIRY = "お問合せ"


@pytest.mark.parametrize(
    ("data", "label", "expected", "warning"),
    [
        pytest.param(INQUIRY.encode("cp932"), "x-unknown", INQUIRY,
                     "charset x-unknown treated as cp932", id="unknown-label-cp932"),
        pytest.param(INQUIRY.encode(), "x-unknown", INQUIRY,
                     "charset x-unknown treated as utf-8", id="unknown-label-utf8"),
        pytest.param(INQUIRY.encode(), "shift_jis", INQUIRY,
                     "charset shift_jis holds UTF-8; read as utf-8", id="wrong-label-sjis-for-utf8"),
        pytest.param(INQUIRY.encode("cp932"), "utf-8", INQUIRY,
                     "charset utf-8 did not decode; read as cp932", id="wrong-label-utf8-for-sjis"),
        pytest.param(INQUIRY.encode("cp932"), "us-ascii", INQUIRY,
                     "charset us-ascii did not decode; read as cp932", id="8bit-in-us-ascii"),
        pytest.param(encode_cp50220(INQUIRY), "us-ascii", INQUIRY,
                     "charset us-ascii holds ISO-2022-JP escapes; read as cp50220", id="jis-in-us-ascii"),
        pytest.param(INQUIRY.encode("cp932"), "iso-2022-jp", INQUIRY,
                     "charset iso-2022-jp did not decode; read as cp932", id="sjis-labelled-iso2022jp"),
        pytest.param("お問い合わせ内容".encode("euc_jp"), None, "お問い合わせ内容",
                     "no charset declared; read as euc-jp", id="no-label-euc-jp"),
        pytest.param(b"plain", None, "plain", None, id="no-label-ascii"),
        pytest.param(INQUIRY.encode("cp932"), "zlib", INQUIRY,
                     "charset zlib treated as cp932", id="codec-that-is-not-a-charset"),
    ],
)  # fmt: skip
def test_wrong_or_unknown_labels_fall_back_with_a_warning(
    data: bytes, label: str | None, expected: str, warning: str | None
) -> None:
    assert decode_text(data, label) == (expected, warning)


def test_undecodable_bytes_get_replacement_characters_and_a_warning() -> None:
    text, warning = decode_text(b"\x1b$B\xff\xfe\x1b(B\x80\x81\xff", "iso-2022-jp")
    assert warning is not None
    assert isinstance(text, str)
