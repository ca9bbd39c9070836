"""What the CLI prints is the value as it is: never an emoji for a ``:code:`` inside it."""

from __future__ import annotations

from renkei.cli.main import console, err


def test_a_fingerprint_with_an_emoji_code_in_it_prints_as_it_is() -> None:
    # A certificate fingerprint "…:3d:ab:a5:…" once printed as "…:3d🆎a5:…" (rich's :ab: emoji).
    fingerprint = "60:f9:3d:ab:a5:3e:46:07:cd:a5:ok:"
    for out in (console, err):
        with out.capture() as captured:
            out.print(f"tls_certificate_sha256: {fingerprint}", markup=False, highlight=False, soft_wrap=True)
        assert captured.get() == f"tls_certificate_sha256: {fingerprint}\n"
