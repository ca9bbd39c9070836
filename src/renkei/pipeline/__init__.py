"""Service functions every entry point calls."""

# Report mails react to every delivery's result; loaded with the package so that no entry point
# can process a delivery without them.
from renkei.pipeline import notify  # noqa: F401
