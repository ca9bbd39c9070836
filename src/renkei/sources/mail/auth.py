"""SPF and DKIM results for a received mail, recorded with its delivery.

Both checks look records up through a ``Resolver``: a callable taking a DNS name and a record
type (``TXT``, ``A``, ``AAAA``, ``MX``, ``PTR``) and returning the answers as text (a TXT record
with its strings joined; an MX as ``"<preference> <exchange>"``), ``[]`` when there is none, or
raising ``DnsTempError`` when DNS cannot answer now. Tests pass a dictionary-backed one; the hub
uses ``dns_resolver`` (dnspython, short timeout). No check ever raises: a DNS failure is a
``temperror`` result.

SPF (pyspf) needs the SMTP session: the peer's IP, its HELO name and the MAIL FROM address.
DKIM (dkimpy) needs only the bytes: every signature is tried, the first that verifies wins.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dkim
import spf

from renkei.sources.mail.raw_headers import header_lines

log = logging.getLogger(__name__)

Resolver = Callable[[str, str], list[str]]

#: Seconds one DNS lookup may take (dnspython's lifetime), and all lookups of one SPF check.
DNS_TIMEOUT = 3.0
SPF_BUDGET = 10.0
MODES = ("off", "record")
SPF_RESULTS = ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror")


class DnsTempError(Exception):
    """DNS could not answer now (timeout, no reachable server, SERVFAIL)."""


def auth_mode() -> str:
    """``RENKEI_MAIL_AUTH``: ``record`` (default) looks SPF and DKIM up; ``off`` never touches DNS.

    A bad value is logged and ``record`` used: it must not make every mail fail to land.
    """
    raw = (os.environ.get("RENKEI_MAIL_AUTH") or "record").strip().lower()
    if raw not in MODES:
        log.warning("RENKEI_MAIL_AUTH=%r: expected one of %s; using record", raw, ", ".join(MODES))
        return "record"
    return raw


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's outcome: the result word, the domain it is about, and why."""

    result: str
    domain: str | None = None
    reason: str | None = None

    def to_meta(self) -> dict[str, Any]:
        return {k: v for k, v in (("result", self.result), ("domain", self.domain), ("reason", self.reason)) if v}


@dataclass(frozen=True, slots=True)
class AuthResults:
    """SPF (None when there was no SMTP session to judge) and DKIM results of one mail."""

    dkim: CheckResult
    spf: CheckResult | None = None

    def to_meta(self) -> dict[str, Any]:
        """The results as stored in a delivery's ``meta["auth"]``."""
        out = {"dkim": self.dkim.to_meta()}
        if self.spf is not None:
            out["spf"] = self.spf.to_meta()
        return out

    def failure(self) -> str | None:
        """Why the mail failed authentication (SPF ``fail`` or DKIM ``fail``), or None."""
        if self.spf is not None and self.spf.result == "fail":
            return f"SPF fail for {self.spf.domain or '(no domain)'}" + (
                f": {self.spf.reason}" if self.spf.reason else ""
            )
        if self.dkim.result == "fail":
            return f"DKIM fail for {self.dkim.domain or '(no domain)'}" + (
                f": {self.dkim.reason}" if self.dkim.reason else ""
            )
        return None


def failure_in_meta(auth: dict[str, Any] | None) -> str | None:
    """The same as ``AuthResults.failure`` for results read back from a delivery's meta."""
    if not auth:
        return None
    spf_meta, dkim_meta = auth.get("spf") or {}, auth.get("dkim") or {}
    results = AuthResults(
        dkim=CheckResult(dkim_meta.get("result", "none"), dkim_meta.get("domain"), dkim_meta.get("reason")),
        spf=CheckResult(spf_meta["result"], spf_meta.get("domain"), spf_meta.get("reason")) if spf_meta else None,
    )
    return results.failure()


# --- SPF -----------------------------------------------------------------------------------------


class _Query(spf.query):  # type: ignore[misc]
    """pyspf's query with every DNS lookup going through our resolver (CNAMEs are the resolver's job)."""

    def __init__(self, resolver: Resolver, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._resolver = resolver
        self._deadline = time.monotonic() + SPF_BUDGET

    def dns(self, name: str, qtype: str, cnames: Any = None, ignore_void: bool = False) -> list[Any]:
        name = str(name).rstrip(".").lower()
        if not name or not all(0 < len(label) < 64 for label in name.split(".")):
            return []
        cached = self.cache.get((name, qtype))
        if cached:
            return list(cached)
        if time.monotonic() > self._deadline:
            raise spf.TempError("DNS: the SPF check took too long")
        try:
            answers = self._resolver(name, qtype)
        except DnsTempError as error:
            raise spf.TempError(f"DNS {name} {qtype}: {error}") from None
        result = [_spf_value(qtype, answer) for answer in answers]
        if result:
            self.cache[(name, qtype)] = result
        elif not ignore_void:
            self.void_lookups += 1
            if self.void_lookups > spf.MAX_VOID_LOOKUPS:
                raise spf.PermError(f"Void lookup limit of {spf.MAX_VOID_LOOKUPS} exceeded")
        return list(result)


def _spf_value(qtype: str, answer: str) -> Any:
    """A resolver answer in the shape pyspf's own lookups return."""
    if qtype in ("TXT", "SPF"):
        return (answer.encode("utf-8", "surrogateescape"),)
    if qtype == "MX":
        preference, _, exchange = answer.partition(" ")
        return (int(preference or 0), exchange.strip().rstrip("."))
    if qtype == "PTR":
        return answer.rstrip(".")
    return answer


def check_spf(ip: str, helo: str | None, mail_from: str | None, resolver: Resolver) -> CheckResult:
    """The SPF result for a mail from ``ip`` saying HELO ``helo`` and MAIL FROM ``mail_from``."""
    sender = (mail_from or "").strip().strip("<>")
    helo = (helo or "").strip()
    domain = sender.rpartition("@")[2].lower() if "@" in sender else helo.lower() or None
    try:
        query = _Query(resolver, i=ip, s=sender, h=helo, querytime=0)
        result, _code, explanation = query.check()
    except Exception as error:  # pyspf raises plain exceptions on odd input: never fail the landing
        log.info("SPF check of %s from %s could not run: %s", domain, ip, error)
        return CheckResult("temperror", domain, f"the check could not run: {error}")
    result = str(result).lower()
    if result not in SPF_RESULTS:
        result = "permerror"
    return CheckResult(result, domain, f"{explanation} (peer {ip})" if explanation else f"peer {ip}")


# --- DKIM ----------------------------------------------------------------------------------------


def check_dkim(raw: bytes, resolver: Resolver) -> CheckResult:
    """The DKIM result of a raw mail: ``pass`` (a signature verifies), ``fail``, ``none`` or ``temperror``."""
    temp: list[str] = []

    def dnsfunc(name: Any, timeout: float = DNS_TIMEOUT) -> bytes | None:
        text = name.decode("ascii", "replace") if isinstance(name, bytes) else str(name)
        try:
            answers = resolver(text.rstrip("."), "TXT")
        except DnsTempError as error:
            temp.append(f"{text.rstrip('.')}: {error}")
            raise dkim.DnsTimeoutError(str(error)) from None
        return answers[0].encode("utf-8", "surrogateescape") if answers else None

    fields = header_lines(raw)
    if fields is not None and not any(field.name == b"dkim-signature" for field in fields):
        # What dkimpy would say, without it reading the whole mail: most mails carry no signature.
        return CheckResult("none", None, "no DKIM-Signature")
    try:
        verifier = dkim.DKIM(raw, logger=_QUIET, timeout=DNS_TIMEOUT)
        count = sum(1 for name, _ in verifier.headers if name.lower() == b"dkim-signature")
    except Exception as error:
        return CheckResult("none", None, f"the mail cannot be read for DKIM: {error}")
    if not count:
        return CheckResult("none", None, "no DKIM-Signature")
    first_domain: str | None = None
    first_reason = "the signature does not verify"
    for index in range(count):
        try:
            ok = verifier.verify(idx=index, dnsfunc=dnsfunc)
        except dkim.DKIMException as error:
            ok, reason = False, str(error) or type(error).__name__
        except Exception as error:  # dkimpy lets some malformed input through as plain exceptions
            ok, reason = False, f"malformed signature: {error}"
        else:
            reason = "the signature does not verify"
        domain = _text(getattr(verifier, "domain", None))
        if ok:
            return CheckResult("pass", domain, f"selector {_text(getattr(verifier, 'selector', None))}")
        if first_domain is None:
            first_domain, first_reason = domain, reason
    if temp:
        return CheckResult("temperror", first_domain, f"DNS could not answer: {temp[0]}")
    return CheckResult("fail", first_domain, first_reason)


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    return str(value) if value is not None else None


class _Quiet:
    """dkimpy logs every failed signature at ERROR; the result says it already."""

    def debug(self, *args: Any, **kwargs: Any) -> None:
        pass

    info = warning = error = exception = debug


_QUIET = _Quiet()


# --- together ------------------------------------------------------------------------------------


def local_peer(ip: str) -> bool:
    """Whether ``ip`` is loopback or private: a relay in front of the inbox, not the sending server."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_private or address.is_link_local


def authenticate(
    raw: bytes,
    resolver: Resolver,
    *,
    peer_ip: str | None = None,
    helo: str | None = None,
    mail_from: str | None = None,
) -> AuthResults:
    """DKIM always; SPF when the mail came over SMTP from ``peer_ip`` (None: no SMTP session)."""
    dkim_result = check_dkim(raw, resolver)
    if peer_ip is None:
        return AuthResults(dkim_result)
    if local_peer(peer_ip):
        sender = (mail_from or "").rpartition("@")[2].lower() or None
        note = f"peer {peer_ip} is a local or private address (a relay in front of the inbox): not checked"
        return AuthResults(dkim_result, CheckResult("none", sender, note))
    return AuthResults(dkim_result, check_spf(peer_ip, helo, mail_from, resolver))


def dns_resolver(timeout: float = DNS_TIMEOUT, nameservers: list[str] | None = None, port: int = 53) -> Resolver:
    """A resolver on the system's DNS servers (or ``nameservers``), each lookup bounded by ``timeout`` seconds."""
    import dns.exception
    import dns.resolver

    try:
        resolver: Any = dns.resolver.Resolver(configure=nameservers is None)
    except dns.resolver.NoResolverConfiguration:
        resolver = None
    else:
        if nameservers is not None:
            resolver.nameservers = list(nameservers)
            resolver.port = port
        resolver.lifetime = timeout
        resolver.timeout = timeout

    def resolve(name: str, rdtype: str) -> list[str]:
        if resolver is None:
            raise DnsTempError("no DNS server is configured")
        try:
            answer = resolver.resolve(name, rdtype, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.LifetimeTimeout) as error:
            raise DnsTempError(type(error).__name__) from None
        except dns.exception.DNSException as error:
            raise DnsTempError(str(error) or type(error).__name__) from None
        except OSError as error:
            raise DnsTempError(str(error)) from None
        out: list[str] = []
        for rdata in answer:
            if rdtype in ("TXT", "SPF"):
                out.append(b"".join(rdata.strings).decode("utf-8", "surrogateescape"))
            elif rdtype == "MX":
                out.append(f"{rdata.preference} {rdata.exchange.to_text(omit_final_dot=True)}")
            elif rdtype in ("PTR", "CNAME"):
                out.append(rdata.target.to_text(omit_final_dot=True))
            else:
                out.append(rdata.to_text())
        return out

    return resolve
