"""SPF and DKIM results from DNS answers given by the test: no network, every result word reachable."""

from __future__ import annotations

import base64
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from tests.helpers import free_port

from renkei.sources.mail.auth import (
    AuthResults,
    CheckResult,
    DnsTempError,
    auth_mode,
    authenticate,
    check_dkim,
    check_spf,
    dns_resolver,
    failure_in_meta,
)

RENTAL = (Path(__file__).resolve().parents[2] / "cases" / "portals" / "suumo" / "rental.eml").read_bytes()
SENDER = "system@jds.suumo.jp"


class FakeDns:
    """A resolver answering from a dictionary; names in ``down`` time out."""

    def __init__(self, records: dict[tuple[str, str], list[str]], down: frozenset[str] = frozenset()) -> None:
        self.records = records
        self.down = down
        self.asked: list[tuple[str, str]] = []

    def __call__(self, name: str, rdtype: str) -> list[str]:
        self.asked.append((name, rdtype))
        if name in self.down:
            raise DnsTempError("timed out")
        return list(self.records.get((name, rdtype), []))


def signing_key() -> tuple[bytes, str]:
    """A fresh RSA key: (private PEM, the DKIM TXT record publishing it)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, "v=DKIM1; k=rsa; p=" + base64.b64encode(public).decode()


def signed(raw: bytes, private: bytes, domain: str = "jds.suumo.jp", selector: str = "s1") -> bytes:
    return (
        dkim.sign(raw, selector.encode(), domain.encode(), private, include_headers=[b"from", b"subject", b"date"])
        + raw
    )


@pytest.fixture(scope="module")
def key() -> tuple[bytes, str]:
    return signing_key()


SPF_ZONE = {
    ("jds.suumo.jp", "TXT"): ["v=spf1 ip4:198.51.100.0/24 include:_spf.mailer.example -all"],
    ("_spf.mailer.example", "TXT"): ["v=spf1 mx:mailer.example ~all"],
    ("mailer.example", "MX"): ["10 mx1.mailer.example."],
    ("mx1.mailer.example", "A"): ["192.0.2.25"],
    ("soft.example", "TXT"): ["v=spf1 ip4:198.51.100.1 ~all"],
    ("neutral.example", "TXT"): ["v=spf1 ?all"],
    ("broken.example", "TXT"): ["v=spf1 ip4:198.51.100.1 frobnicate -all"],
    ("other.example", "TXT"): ["some verification token"],
}


@pytest.mark.parametrize(
    ("ip", "mail_from", "expected"),
    [
        pytest.param("198.51.100.7", SENDER, "pass", id="pass-ip4"),
        pytest.param("192.0.2.25", SENDER, "pass", id="pass-through-include-and-mx"),
        pytest.param("203.0.113.9", SENDER, "fail", id="fail"),
        pytest.param("203.0.113.9", "a@soft.example", "softfail", id="softfail"),
        pytest.param("203.0.113.9", "a@neutral.example", "neutral", id="neutral"),
        pytest.param("203.0.113.9", "a@other.example", "none", id="none-no-spf-record"),
        pytest.param("203.0.113.9", "a@nowhere.example", "none", id="none-no-domain"),
        pytest.param("203.0.113.9", "a@down.example", "temperror", id="temperror"),
        pytest.param("203.0.113.9", "a@broken.example", "permerror", id="permerror"),
    ],
)
def test_spf_results_from_the_given_dns_answers(ip, mail_from, expected):
    result = check_spf(ip, "mx.sender.example", mail_from, FakeDns(SPF_ZONE, frozenset({"down.example"})))
    assert result.result == expected, result.reason
    assert result.domain == mail_from.rpartition("@")[2]


def test_spf_without_mail_from_checks_the_helo_name():
    result = check_spf("198.51.100.7", "jds.suumo.jp", "", FakeDns(SPF_ZONE))
    assert (result.result, result.domain) == ("pass", "jds.suumo.jp")


def test_a_resolver_that_raises_something_unexpected_gives_temperror_not_an_exception():
    def broken(name: str, rdtype: str) -> list[str]:
        raise DnsTempError("SERVFAIL")

    assert check_spf("203.0.113.9", "h", SENDER, broken).result == "temperror"
    assert check_spf("not an ip", "h", SENDER, FakeDns(SPF_ZONE)).result in ("temperror", "permerror")


def test_dkim_pass_names_the_signing_domain(key):
    private, record = key
    dns = FakeDns({("s1._domainkey.jds.suumo.jp", "TXT"): [record]})
    result = check_dkim(signed(RENTAL, private), dns)
    assert (result.result, result.domain) == ("pass", "jds.suumo.jp")


def test_dkim_fails_when_the_body_was_changed(key):
    private, record = key
    tampered = signed(RENTAL, private).replace(b"\r\n\r\n", b"\r\n\r\nX", 1)
    result = check_dkim(tampered, FakeDns({("s1._domainkey.jds.suumo.jp", "TXT"): [record]}))
    assert (result.result, result.domain) == ("fail", "jds.suumo.jp")
    assert "body hash" in (result.reason or "")


def test_dkim_fails_when_the_key_is_not_published(key):
    private, _ = key
    result = check_dkim(signed(RENTAL, private), FakeDns({}))
    assert (result.result, result.domain) == ("fail", "jds.suumo.jp")


def test_dkim_of_an_unsigned_mail_is_none_without_any_lookup():
    dns = FakeDns({})
    assert check_dkim(RENTAL, dns).result == "none"
    assert dns.asked == []


def test_dkim_when_dns_is_down_is_temperror_not_fail(key):
    private, _ = key
    result = check_dkim(signed(RENTAL, private), FakeDns({}, frozenset({"s1._domainkey.jds.suumo.jp"})))
    assert (result.result, result.domain) == ("temperror", "jds.suumo.jp")


def test_any_valid_signature_passes_even_after_a_broken_one(key):
    private, record = key
    other_private, _ = signing_key()
    twice = signed(signed(RENTAL, private), other_private, domain="forwarder.example", selector="f1")
    dns = FakeDns({("s1._domainkey.jds.suumo.jp", "TXT"): [record], ("f1._domainkey.forwarder.example", "TXT"): []})
    result = check_dkim(twice, dns)
    assert (result.result, result.domain) == ("pass", "jds.suumo.jp")


def test_spf_is_not_judged_for_a_relay_on_a_local_or_private_address():
    dns = FakeDns(SPF_ZONE)
    for peer in ("127.0.0.1", "10.0.0.5", "192.168.1.20", "::1"):
        results = authenticate(RENTAL, dns, peer_ip=peer, helo="relay", mail_from=SENDER)
        assert results.spf is not None and results.spf.result == "none"
        assert "not checked" in (results.spf.reason or "")
    assert dns.asked == []


def test_without_an_smtp_session_only_dkim_is_recorded():
    results = authenticate(RENTAL, FakeDns({}))
    assert results.spf is None
    assert results.to_meta() == {"dkim": {"result": "none", "reason": "no DKIM-Signature"}}


@pytest.mark.parametrize(
    ("spf", "dkim_result", "failure"),
    [
        pytest.param("fail", "none", "SPF fail for jds.suumo.jp", id="spf-fail"),
        pytest.param("pass", "fail", "DKIM fail for jds.suumo.jp", id="dkim-fail"),
        pytest.param("softfail", "temperror", None, id="softfail-is-not-a-failure"),
        pytest.param("temperror", "none", None, id="temperror-is-not-a-failure"),
    ],
)
def test_only_a_fail_result_is_an_authentication_failure(spf, dkim_result, failure):
    results = AuthResults(CheckResult(dkim_result, "jds.suumo.jp"), CheckResult(spf, "jds.suumo.jp"))
    said = results.failure()
    assert (said.split(":")[0] if said else None) == failure
    assert failure_in_meta(results.to_meta()) == said


def test_the_mode_switch_defaults_to_record_and_a_bad_value_is_not_fatal(monkeypatch):
    monkeypatch.delenv("RENKEI_MAIL_AUTH", raising=False)
    assert auth_mode() == "record"
    monkeypatch.setenv("RENKEI_MAIL_AUTH", "OFF")
    assert auth_mode() == "off"
    monkeypatch.setenv("RENKEI_MAIL_AUTH", "sometimes")
    assert auth_mode() == "record"


def test_the_real_resolver_turns_an_unreachable_server_into_temperror():
    # A loopback port nothing listens on: the lookup fails at once or times out, never raises.
    resolver = dns_resolver(timeout=0.5, nameservers=["127.0.0.1"], port=free_port())
    with pytest.raises(DnsTempError):
        resolver("jds.suumo.jp", "TXT")
    assert check_spf("203.0.113.9", "h", SENDER, resolver).result == "temperror"
