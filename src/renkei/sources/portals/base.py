"""What every portal parser returns, and the small protocol it implements."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from renkei.core.normalize import normalize_label
from renkei.core.records import SourceRecord
from renkei.sources.mail import DecodedMail

__all__ = ["PortalParser", "PortalResult", "Verdict", "sender_is", "subject_key"]

#: ``lead``: a customer to import. ``not_a_lead``: the portal's own notices (settings, maintenance,
#: newsletters, "an inquiry arrived" without details). ``confirmation``: an address-confirmation
#: mail someone must act on. ``unrecognised``: not this parser's mail. ``broken_lead``: a lead whose
#: contact details could not be found (the layout probably changed): quarantine it, never import it.
Verdict = Literal["lead", "not_a_lead", "confirmation", "unrecognised", "broken_lead"]


@dataclass(frozen=True)
class PortalResult:
    """The parser's verdict on one mail; ``record`` only for leads, ``reason`` for the others."""

    verdict: Verdict
    source: str
    record: SourceRecord | None
    reason: str | None = None


class PortalParser(Protocol):
    """One portal: knows its mails (by sender and/or subject) and turns them into results."""

    name: str

    def recognises(self, mail: DecodedMail) -> bool:
        """True when the mail comes from this portal (by sender and/or subject)."""
        ...

    def parse(self, mail: DecodedMail) -> PortalResult:
        """The verdict on the mail; never raises."""
        ...


def sender_is(mail: DecodedMail, addresses: Iterable[str]) -> bool:
    """True when the (unwrapped, original) sender is one of ``addresses`` (case-insensitive)."""
    sender = (mail.from_addr or "").strip().lower()
    return bool(sender) and sender in addresses


_SUBJECT_JUNK = re.compile(r"\s+")


def subject_key(subject: str) -> str:
    """The subject folded for matching: NFKC, case-folded, without spaces and punctuation.

    ``[リクルートＪＤＳ]反響お知らせメール`` and ``［リクルートJDS］反響お知らせメール`` give the same key.
    """
    return normalize_label(_SUBJECT_JUNK.sub("", subject)[:300])
