"""Portal inquiry mails (反響メール): one pure parser per portal, all behind one small protocol.

``parse_portal_mail(mail, kind)`` gives a :class:`PortalResult` for a decoded mail: a ``lead`` with a
:class:`~renkei.core.records.SourceRecord`, or ``not_a_lead`` / ``confirmation`` / ``unrecognised`` /
``broken_lead`` with a reason. Parsers never raise on what a mail contains.
"""

from renkei.sources.portals.base import PortalParser, PortalResult, Verdict
from renkei.sources.portals.mail_labels import PRESETS, LabelRules, MailLabelsParser
from renkei.sources.portals.registry import PARSERS, detect, parse_portal_mail, register

__all__ = [
    "PARSERS",
    "PRESETS",
    "LabelRules",
    "MailLabelsParser",
    "PortalParser",
    "PortalResult",
    "Verdict",
    "detect",
    "parse_portal_mail",
    "register",
]
