"""The first rows of a delivery as a mapping reads them: the quick preview of a large delivery.

A replay's dry run (``deliveries.replay_delivery``) is the exact preview: it undoes the delivery,
applies it again and compares every customer it touches, so it takes as long as the replay and
holds the workspace's customers meanwhile (a million rows: two minutes during which nothing
else of the workspace is processed). ``sample_delivery`` reads and maps only the first rows of
the archived payload, with the integration's mapping or one being edited: no customer is looked
up, nothing is held or written, and it takes a moment whatever the delivery's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from renkei.core.fields import INQUIRY_EXTRA_PREFIX, INQUIRY_TARGETS
from renkei.core.patch import CustomerPatch, FieldError
from renkei.errors import ConfigurationError, RenkeiError
from renkei.pipeline.deliveries import get_delivery, reading_of, source_name
from renkei.pipeline.hub import Hub
from renkei.pipeline.parallel import map_batch
from renkei.pipeline.specs import MappingModel

#: Rows a sample reads unless asked for another number, and the most it reads.
SAMPLE_ROWS = 100
MAX_SAMPLE_ROWS = 1_000

#: The inquiry attributes a row can carry (``inquiry.ATTRIBUTE`` targets), in the order a sample lists them.
_INQUIRY_ATTRIBUTES = tuple(target.removeprefix("inquiry.") for target in INQUIRY_TARGETS)


@dataclass(frozen=True, slots=True)
class SampleRow:
    """One row as the mapping reads it: its values by target, or the errors that reject it (a row
    that goes in without values left out of it has both)."""

    line: int | None
    locator: str
    #: (target, value): canonical fields, ``custom:NAME``, ``tags``, ``groups``, ``external_id``, ``inquiry.ATTRIBUTE``.
    values: list[tuple[str, str]]
    errors: list[FieldError]

    @property
    def rejected(self) -> bool:
        """Whether the row is an error (not one that goes in without the values left out of it, nor a
        line passed over as no row)."""
        return any(not (error.left_out or error.passed_over) for error in self.errors)


@dataclass(slots=True)
class Sample:
    """The first rows of a delivery, mapped; ``rows_in_delivery`` is what its last processing counted."""

    delivery_id: int
    rows_in_delivery: int
    labels: dict[str, str | None] = field(default_factory=dict)
    encoding: str | None = None
    rows: list[SampleRow] = field(default_factory=list)
    #: Set when the payload holds no records to map (a mail that is not a lead, an unreadable file).
    verdict: str | None = None
    reason: str | None = None

    @property
    def errors(self) -> int:
        """How many of the sampled rows the mapping rejects."""
        return sum(1 for row in self.rows if row.rejected)

    def as_data(self) -> dict[str, Any]:
        """The sample as JSON-ready data (the API's and the CLI's ``--json``)."""
        return {
            "delivery_id": self.delivery_id,
            "rows_in_delivery": self.rows_in_delivery,
            "encoding": self.encoding,
            "verdict": self.verdict,
            "reason": self.reason,
            "labels": self.labels,
            "rows": [
                {
                    "line": row.line,
                    "locator": row.locator,
                    "values": dict(row.values),
                    "errors": [{"column": e.column, "value": e.value, "reason": e.reason} for e in row.errors],
                }
                for row in self.rows
            ],
        }


def sample_delivery(
    hub: Hub, delivery_id: int, *, rows: int = SAMPLE_ROWS, mapping: MappingModel | None = None
) -> Sample:
    """The first ``rows`` rows of a delivery's archived payload, mapped with the integration's
    mapping or with ``mapping`` (one not stored yet). Reads the archive only."""
    if not 1 <= rows <= MAX_SAMPLE_ROWS:
        raise ConfigurationError(f"a sample is 1 to {MAX_SAMPLE_ROWS:,} rows, not {rows}")
    delivery = get_delivery(hub, delivery_id)
    integration, path = reading_of(hub, delivery, mapping)
    sample = Sample(delivery_id, delivery.counts.rows)
    try:
        extraction = integration.kind.extract(path, integration.settings, delivery.file_name)
    except RenkeiError as error:  # what processing it would record: the delivery failed, and why
        sample.verdict, sample.reason = "failed", str(error)
        return sample
    try:
        sample.encoding = extraction.encoding
        if extraction.verdict is not None:
            sample.verdict, sample.reason = extraction.verdict, extraction.reason
            return sample
        compiled = integration.compile_mapping(extraction.labels)
        sample.labels = compiled.targets()
        records = (record for batch in extraction.batches for record in batch)
        name = source_name(integration, path, delivery.file_name)
        for line, locator, patch, errors in map_batch(list(islice(records, rows)), compiled, name):
            sample.rows.append(SampleRow(line, locator, patch_values(patch) if patch else [], errors))
    except ConfigurationError:  # the mapping itself is wrong: said as such, not as the payload's failure
        raise
    except RenkeiError as error:
        sample.verdict, sample.reason, sample.rows = "failed", str(error), []
    finally:
        if extraction.close is not None:
            extraction.close()
    return sample


def patch_values(patch: CustomerPatch) -> list[tuple[str, str]]:
    """What a patch would bring, as (target, value) pairs in the order the mapping editor names them."""
    values = list(patch.fields.items())
    values.extend((f"custom:{name}", value) for name, value in patch.custom.items())
    if patch.tags:
        values.append(("tags", ", ".join(patch.tags)))
    if patch.groups:
        values.append(("groups", ", ".join(patch.groups)))
    if patch.external_id:
        values.append(("external_id", patch.external_id))
    facts = patch.inquiry
    for attribute in _INQUIRY_ATTRIBUTES:
        fact = getattr(facts, attribute) if facts is not None else None
        value = (fact.isoformat() if isinstance(fact, datetime) else fact) or patch.inquiry_values.get(attribute)
        if value:
            values.append((f"inquiry.{attribute}", str(value)))
    values.extend((INQUIRY_EXTRA_PREFIX + label, value) for label, value in patch.inquiry_extra().items())
    return values
