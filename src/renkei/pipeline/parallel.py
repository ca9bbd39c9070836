"""Reading and mapping on a second core while this process matches, merges and writes.

Mapping is pure, so a large file's records are read and mapped in a forked child process and
handed over in batches through a bounded queue; the parent keeps the one transaction. The
child never touches the store, and exits without running finalisers (multiprocessing's
forked children end with ``os._exit``), so the parent's database connections are left alone.
Batches cross compactly (``pack``): both sides' share of an import's CPU time went mostly to
pickling patches one object at a time.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import queue
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from renkei.core.keyfilter import KeyFilter
from renkei.core.mapping import CompiledMapping, map_record
from renkei.core.matching import MatchKey, key_value
from renkei.core.patch import CustomerPatch, FieldError
from renkei.core.records import SourceRecord
from renkei.errors import FatalError
from renkei.sources.registry import Extraction

#: One mapped record: (line, locator, patch, errors); ``patch`` is None when errors say why.
Mapped = tuple[int | None, str, CustomerPatch | None, list[FieldError]]
#: A mapped batch, with the key values of its records that may find a customer (``screen``;
#: None: every value may).
Screened = tuple[list[Mapped], set[str] | None]

#: Files at least this large are read and mapped in a child process (RENKEI_PARALLEL_BYTES).
PARALLEL_BYTES = int(os.environ.get("RENKEI_PARALLEL_BYTES", str(8 << 20)))


def _die_with(parent: int) -> None:
    """Have the kernel kill this child when the parent dies (Linux), so no orphan holds its pipes."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the queue timeouts below still stop the child
        pass
    if os.getppid() != parent:
        os._exit(1)


def map_batch(batch: list[Any], mapping: CompiledMapping, source_name: str) -> list[Mapped]:
    """Map every record of a batch; parser problems become errors of their line (a line passed
    over, a note)."""
    out: list[Mapped] = []
    for item in batch:
        if not isinstance(item, SourceRecord):
            line = getattr(item, "line", None)
            locator = f"{source_name} row {line}" if line else source_name
            problem = FieldError(
                getattr(item, "column", None),
                getattr(item, "value", None),
                str(item.reason),
                passed_over=getattr(item, "passed_over", False),
            )
            out.append((line, locator, None, [problem]))
            continue
        patch, errors = map_record(item, mapping)
        whole = not errors or all(error.left_out for error in errors)
        out.append((item.line, item.locator, patch if whole else None, errors))
    return out


def screen(batch: list[Mapped], seen: KeyFilter | None, match_keys: Sequence[MatchKey]) -> set[str] | None:
    """The key values of ``batch``'s records (their match keys and external ids) that ``seen`` does
    not rule out, before it remembers them all: the only ones worth looking up (None without a
    filter). Done where the batch is mapped, so that a large file's is done on the reading core."""
    if seen is None:
        return None
    values: list[str] = []
    for _, _, patch, _ in batch:
        if patch is not None:
            values.extend(value for kind in match_keys if (value := key_value(patch, kind)))
            if patch.external_id:
                values.append(patch.external_id)
    maybe = seen.maybe(values)
    seen.add_all(values)
    return maybe


#: A mapped batch as it crosses from the child: in ``marshal`` form, the lines, the locators and
#: for each record the fields of its plain patch (one with nothing but fields) or None; then
#: every other record whole, by index (pickled with the queue's other items).
_Packed = tuple[bytes, dict[int, Mapped]]


def _is_plain(patch: CustomerPatch) -> bool:
    return not (patch.custom or patch.tags or patch.groups or patch.inquiry_values) and (
        patch.external_id is None and patch.inquiry is None
    )


def pack(batch: list[Mapped]) -> _Packed:
    """``batch`` for the queue: plain patches travel as their fields, a dict each.

    Pickling a patch costs a call per record on either side, more than its fields' own
    pickling, and ``marshal`` writes plain lists, dicts and strings faster than ``pickle``
    (both processes run the same interpreter, as marshal requires). Nearly every record of a
    file is plain. The postal area is not sent: ``finish`` has already put what it says into
    the fields.
    """
    lines: list[int | None] = []
    locators: list[str] = []
    fields: list[dict[str, str] | None] = []
    others: dict[int, Mapped] = {}
    for index, item in enumerate(batch):
        line, locator, patch, errors = item
        lines.append(line)
        locators.append(locator)
        if patch is not None and not errors and _is_plain(patch):
            fields.append(patch.fields)
        else:
            fields.append(None)
            others[index] = item
    try:
        return marshal.dumps((lines, locators, fields)), others
    except ValueError:  # a value marshal cannot write (a str subclass): the whole batch is pickled
        return marshal.dumps(([], [], [])), dict(enumerate(batch))


def unpack(packed: _Packed) -> list[Mapped]:
    """The batch ``pack`` was given (plain patches without their postal area)."""
    plain, others = packed
    lines, locators, fields = marshal.loads(plain)  # written by our own forked child
    if not lines:
        return [others[index] for index in range(len(others))]
    return [
        (line, locator, CustomerPatch(values), []) if values is not None else others[index]
        for index, (line, locator, values) in enumerate(zip(lines, locators, fields, strict=True))
    ]


def mapped_batches(
    open_extraction: Callable[[], Extraction],
    mapping: CompiledMapping,
    source_name: str,
    parallel: bool,
    seen: KeyFilter | None = None,
    match_keys: Sequence[MatchKey] = (),
) -> Iterator[Screened]:
    """Mapped batches of a payload, in order, mapped (and screened by ``seen``) here or in a child
    process: the child takes ``seen`` with it, and this process's copy is not used again."""
    if not parallel or "fork" not in multiprocessing.get_all_start_methods():
        for batch in open_extraction().batches:
            mapped = map_batch(batch, mapping, source_name)
            yield mapped, screen(mapped, seen, match_keys)
        return
    context = multiprocessing.get_context("fork")
    handover: Any = context.Queue(maxsize=4)

    parent = os.getpid()

    def hand_over(item: tuple[str, Any]) -> None:
        # A parent that died (a crash, a kill) never reads again: stop instead of waiting forever.
        while True:
            try:
                handover.put(item, timeout=1.0)
                return
            except queue.Full:
                if os.getppid() != parent:
                    os._exit(1)

    def produce() -> None:
        _die_with(parent)
        try:
            for batch in open_extraction().batches:
                mapped = map_batch(batch, mapping, source_name)
                hand_over(("batch", (pack(mapped), screen(mapped, seen, match_keys))))
            hand_over(("end", None))
        except BaseException as error:  # handed to the parent, which raises it
            hand_over(("error", f"{type(error).__name__}: {error}"))

    child = context.Process(target=produce, name="renkei-map", daemon=True)
    child.start()
    try:
        while True:
            try:
                kind, payload = handover.get(timeout=1.0)
            except queue.Empty:
                if not child.is_alive():
                    raise FatalError("the reading process stopped without finishing the file") from None
                continue
            if kind == "end":
                return
            if kind == "error":
                raise FatalError(f"{source_name}: {payload}")
            packed, maybe = payload
            yield unpack(packed), maybe
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        handover.close()
