"""Decoding of Japanese mail: raw RFC 5322 bytes in, a decoded view for portal parsers out."""

from renkei.sources.mail.charsets import decode_text
from renkei.sources.mail.codecs_ja import decode_iso2022jp_cp50220
from renkei.sources.mail.decode import decode_mail
from renkei.sources.mail.model import Attachment, DecodedMail, UndecodableMail

__all__ = [
    "Attachment",
    "DecodedMail",
    "UndecodableMail",
    "decode_iso2022jp_cp50220",
    "decode_mail",
    "decode_text",
]
