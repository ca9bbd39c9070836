"""The registry of portal parsers, and the one entry point the mail source calls."""

from __future__ import annotations

from renkei.sources.mail import DecodedMail
from renkei.sources.portals.athome import AthomeParser
from renkei.sources.portals.base import PortalParser, PortalResult
from renkei.sources.portals.homes import HomesParser
from renkei.sources.portals.mail_labels import PRESETS, LabelRules, MailLabelsParser
from renkei.sources.portals.suumo import SuumoParser

__all__ = ["PARSERS", "detect", "parse_portal_mail", "register"]

#: Every parser by name: the dedicated portals, then one per ``mail-labels`` preset.
PARSERS: dict[str, PortalParser] = {}


def register(parser: PortalParser) -> PortalParser:
    """Make ``parser`` available by its name (a later registration of the same name replaces it)."""
    PARSERS[parser.name] = parser
    return parser


for _parser in (SuumoParser(), HomesParser(), AthomeParser()):
    register(_parser)
for _rules in PRESETS.values():
    register(MailLabelsParser(_rules))


def parse_portal_mail(mail: DecodedMail, kind: str, preset: str | LabelRules | None = None) -> PortalResult:
    """The verdict of the parser for integration ``kind`` on ``mail``; never raises on mail content.

    ``kind`` is a parser name (``'suumo'``, ``'homes'``, ``'athome'``, or a preset name such as
    ``'ieul'``), or ``'mail-labels'`` with ``preset`` (a preset name or the user's own
    :class:`LabelRules`). A mail the parser does not recognise is ``unrecognised``, with a reason.
    Raises ``KeyError`` for an unknown kind or preset: that is a configuration error.
    """
    if kind == "mail-labels":
        if preset is None:
            raise KeyError("integration kind 'mail-labels' needs a preset or label rules")
        if isinstance(preset, LabelRules):
            parser: PortalParser = MailLabelsParser(preset)
        elif preset in PRESETS:
            parser = PARSERS[preset]
        else:
            raise KeyError(f"unknown mail-labels preset {preset!r}; known presets: {', '.join(sorted(PRESETS))}")
    elif kind in PARSERS:
        parser = PARSERS[kind]
    else:
        raise KeyError(f"unknown portal kind {kind!r}; known kinds: {', '.join(sorted(PARSERS))}, mail-labels")
    if not parser.recognises(mail):
        return PortalResult(
            "unrecognised", parser.name, None,
            f"no {parser.name} mail: sender {mail.from_addr or '(none)'} and subject 「{mail.subject[:80]}」 are not "
            "that portal's",
        )  # fmt: skip
    return parser.parse(mail)


def detect(mail: DecodedMail) -> PortalResult:
    """The verdict of the first registered parser that recognises ``mail``, else ``unrecognised``
    (a preset that takes any mail, the web form's, is no portal to tell by the mail)."""
    for parser in PARSERS.values():
        if isinstance(parser, MailLabelsParser) and parser.rules.any_sender:
            continue
        if parser.recognises(mail):
            return parser.parse(mail)
    return PortalResult(
        "unrecognised", "unknown", None,
        f"no portal parser recognises this mail (sender {mail.from_addr or '(none)'}, subject 「{mail.subject[:80]}」)",
    )  # fmt: skip
