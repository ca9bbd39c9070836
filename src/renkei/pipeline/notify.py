"""Report mails: each delivery's result, told to the integration's notify addresses.

Runs inside the delivery's transaction (``deliveries.AFTER_DELIVERY``): the mails are queued
as outbox rows that commit or roll back with the result itself, and are sent later by
``renkei.channels.outbox``.

- failed or partly failed (row errors): one mail to ``notify.errors`` with the reason, the
  counts, the first row errors and every row error as a CSV attachment;
- clean: the counts to ``notify.success``, if any;
- ``FAILING_AFTER`` failed deliveries in a row: the integration becomes ``failing`` (連携失敗)
  and its error addresses get one mail saying so, and no per-delivery error mail while it
  stays failing; the next delivery without errors makes it ``active`` again, with one mail.

- a mail that failed for want of its ZIP's password, or a protected workbook it carried (PPAP):
  the error mail waits ``PASSWORD_WAIT`` in the outbox, as the sender's next mail most likely
  tells the password; when it does and the file opens (``pipeline.unlock``), the waiting mail is withdrawn
  (``withdraw_reports``) and the files' own reports go instead. It counts toward ``failing``
  only once it is still failed when the next delivery fails.

- quarantined (sender not allowed, unreadable mail, failed SPF/DKIM): one notice to
  ``notify.errors`` with the reason; it counts neither way.

Duplicates, not-a-lead and ignored deliveries count neither way.

Pull integrations' checks (``on_check``) count the same way: ``FAILING_AFTER`` failed checks in a
row (server down, login refused, wrong host key) make an active integration ``failing`` with one
mail to ``notify.errors``; the next check that works makes it ``active`` again, with one mail,
unless its deliveries are what is failing.

Mail integrations also learn here that the portal's forwarding works (``on_mail_confirmation``):
the portal's address-confirmation mail, or the first lead, sets ``integrations.confirmed_at`` in
the delivery's transaction, and a confirmation mail brings one notice (連携が完了しました) to every
notification address.
"""

from __future__ import annotations

import csv
import io
import logging
import os
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, bindparam, desc, func, select

from renkei.core.reasons import say_reason
from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline.customers import minute, person_name, safe_cell
from renkei.pipeline.deliveries import Delivery, ProcessResult
from renkei.pipeline.hub import Hub, utcnow
from renkei.pipeline.integrations import Integration
from renkei.sources.mail_kind import MAIL_KINDS
from renkei.sources.ppap import waits_for_password
from renkei.store.schema import checks, customers, deliveries, inquiries, integrations, outbox, row_errors

log = logging.getLogger(__name__)

#: Failed deliveries in a row after which an integration is ``failing`` (``RENKEI_FAILING_AFTER``).
FAILING_AFTER = 3
#: Row errors listed in the mail body; the attachment has all of them.
ERRORS_IN_BODY = 20
#: How many of a delivery's inquiries a success report names (a portal mail brings one).
INQUIRIES_IN_BODY = 10
#: Row errors in the attachment at most (a relay takes some MB); `renkei deliveries show` has all.
ERRORS_IN_CSV = 50_000
#: How long the error mail of a mail whose ZIP wants a password waits for the password mail.
PASSWORD_WAIT = timedelta(minutes=15)
#: The report's CSV columns; the reason comes in Japanese, then in English, as the mail's two parts do.
CSV_HEADER = ["行 (line)", "列 (column)", "値 (value)", "理由", "reason", "顧客ID (customer)"]
#: States that say how a delivery went; the rest (duplicate, not-a-lead, ignored, …) say nothing.
COUNTED = ("processed", "failed", "replaced", "undone")
#: Channels whose payloads are whole mails.
MAIL_CHANNELS = ("smtp", "imap")


def failing_after() -> int:
    """``RENKEI_FAILING_AFTER``, by default ``FAILING_AFTER``.

    A bad value is logged and the default used: it must not make every delivery fail.
    """
    raw = os.environ.get("RENKEI_FAILING_AFTER")
    if not raw:
        return FAILING_AFTER
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        log.warning(
            "RENKEI_FAILING_AFTER=%r: expected a number of deliveries (1 or more); using %s", raw, FAILING_AFTER
        )
        return FAILING_AFTER
    return value


def public_url() -> str | None:
    """``RENKEI_PUBLIC_URL``, where people open the hub's web UI (``https://renkei.example.co.jp``),
    for report mails to link to; None when unset. A value that is no http(s) URL is logged and
    left out: it must not keep a report from being sent."""
    raw = os.environ.get("RENKEI_PUBLIC_URL", "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in raw):
        if raw not in _WARNED:  # once: a report asks for it at every line that could link
            _WARNED.add(raw)
            log.warning("RENKEI_PUBLIC_URL=%r: expected the hub's http(s) address; report mails carry no links", raw)
        return None
    return raw.rstrip("/")


#: The bad ``RENKEI_PUBLIC_URL`` values already logged.
_WARNED: set[str] = set()


def on_delivery(
    conn: Connection, hub: Hub, integration: Integration, delivery: Delivery, result: ProcessResult
) -> None:
    """Queue the report mails for one delivery's result and track consecutive failures."""
    what = delivery.file_name or ("mail" if delivery.channel in MAIL_CHANNELS else f"delivery {delivery.id}")
    if result.state == "quarantined":
        _queue(conn, hub, integration, delivery, integration.spec.notify.errors,
               *_quarantine_mail(integration, delivery, result, what))  # fmt: skip
        return
    if result.state not in ("processed", "failed"):
        return
    status, _ = _current_status(conn, integration.id)
    notify = integration.spec.notify
    if result.state == "failed":
        if status == "failing":
            return
        if _by_mail(delivery) and waits_for_password(result.reason):  # PPAP: the password is on its way
            _queue_error_report(conn, hub, integration, delivery, result, what, held=True)
            return
        if status == "active" and _failures_in_a_row(conn, integration.id, failing_after()) >= failing_after():
            reason = f"{failing_after()} deliveries in a row failed; the last: {result.reason or 'failed'}"
            _set_status(conn, integration.id, "failing", reason)
            _queue(conn, hub, integration, delivery, notify.errors, *_failing_mail(integration, delivery, result, what))
            return
        _queue_error_report(conn, hub, integration, delivery, result, what)
        return
    if status == "failing":
        if result.counts.errors:
            return
        _set_status(conn, integration.id, "active", None)
        _queue(conn, hub, integration, delivery, notify.errors, *_recovered_mail(integration, delivery, result, what))
    elif result.counts.errors or result.counts.left_out:
        _queue_error_report(conn, hub, integration, delivery, result, what)
        return
    if notify.success:
        mail = _success_mail(integration, delivery, result, what, _brought(conn, delivery.id))
        _queue(conn, hub, integration, delivery, notify.success, *mail)


def _brought(conn: Connection, delivery_id: int) -> tuple[list[Any], int]:
    """The first ``INQUIRIES_IN_BODY`` inquiries a delivery brought, with their customers' names, and
    how many it brought in all."""
    rows = conn.execute(
        select(
            inquiries.c.customer_id,
            inquiries.c.source,
            inquiries.c.received_at,
            inquiries.c.property_name,
            inquiries.c.message,
            customers.c.last_name,
            customers.c.first_name,
        )
        .join(customers, customers.c.id == inquiries.c.customer_id)
        .where(inquiries.c.delivery_id == delivery_id)
        .order_by(inquiries.c.id)
        .limit(INQUIRIES_IN_BODY)
    ).all()
    total = len(rows)
    if total == INQUIRIES_IN_BODY:
        total = conn.execute(select(func.count()).where(inquiries.c.delivery_id == delivery_id)).scalar_one()
    return list(rows), int(total)


def on_mail_confirmation(
    conn: Connection, hub: Hub, integration: Integration, delivery: Delivery, result: ProcessResult
) -> None:
    """A mail integration's confirmation mail or first lead: forwarding is confirmed (and told, for the former)."""
    if integration.spec.kind not in MAIL_KINDS or delivery.file_name is not None:
        return
    confirmation = result.meta.get("verdict") == "confirmation"
    if not confirmation and result.state != "processed":
        return
    if integration.confirmed_at is None:
        conn.execute(
            integrations.update()
            .where(integrations.c.id == integration.id, integrations.c.confirmed_at.is_(None))
            .values(confirmed_at=utcnow())
        )
    if confirmation:
        notify = integration.spec.notify
        recipients = list(dict.fromkeys([*notify.errors, *notify.success]))
        _queue(conn, hub, integration, delivery, recipients, *_confirmed_mail(integration, delivery, result))


#: The reason a failing integration carries when its checks, not its deliveries, failed.
CHECKS_FAILED = "checks in a row failed"


def on_check(conn: Connection, hub: Hub, integration: Integration, failed: bool, message: str | None) -> None:
    """Track a pull integration's checks, inside the transaction that records the check's end."""
    status, reason = _current_status(conn, integration.id)
    n = failing_after()
    errors = integration.spec.notify.errors
    if failed:
        if status == "active" and _checks_failed_in_a_row(conn, integration.id, n) >= n:
            _set_status(conn, integration.id, "failing", f"{n} {CHECKS_FAILED}; the last: {message or 'failed'}")
            _queue(conn, hub, integration, None, errors, *_check_failing_mail(integration, n, message))
        return
    if status == "failing" and CHECKS_FAILED in (reason or "") and not _failures_in_a_row(conn, integration.id, 1):
        _set_status(conn, integration.id, "active", None)
        _queue(conn, hub, integration, None, errors, *_check_recovered_mail(integration, message))


def _checks_failed_in_a_row(conn: Connection, integration_id: int, limit: int) -> int:
    """How many of the integration's latest finished checks failed, up to ``limit``."""
    return _leading_failures(
        conn.execute(
            select(checks.c.state)
            .where(checks.c.integration_id == integration_id, checks.c.state.in_(("ok", "failed")))
            .order_by(desc(checks.c.id))
            .limit(limit)
        ).scalars()
    )


def _leading_failures(states: Any) -> int:
    """How many of ``states`` (newest first) are ``failed`` before the first that is not."""
    count = 0
    for state in states:
        if state != "failed":
            break
        count += 1
    return count


def _check_failing_mail(integration: Integration, n: int, message: str | None) -> tuple[str, str]:
    subject = f"[Renkei] 連携失敗: {integration.name}"
    ja = [
        f"連携: {integration.name} ({integration.spec.kind})",
        f"理由: {message or '失敗'}",
        "",
        f"サーバーの確認が {n} 回続けて失敗したため、この連携を「連携失敗」にしました。",
        "ファイルは取得されていません。接続先・ユーザー・パスワード・ホスト鍵を確認してください。",
        "確認が成功すると「連携中」に戻り、お知らせします。",
    ]
    en = [
        f"Integration: {integration.name} ({integration.spec.kind})",
        f"Reason: {message or 'failed'}",
        "",
        f"{n} checks of the server in a row failed, so this integration is now marked failing.",
        "No files were fetched. Check the host, user, password and host key.",
        "When a check works again the integration becomes active again and you will be told.",
    ]
    return subject, _join(ja, en)


def _check_recovered_mail(integration: Integration, message: str | None) -> tuple[str, str]:
    subject = f"[Renkei] 連携復旧: {integration.name}"
    kind = f"連携: {integration.name} ({integration.spec.kind})"
    ja = [kind, "", "サーバーの確認が成功し、「連携中」に戻りました。"]
    en = [f"Integration: {integration.name} ({integration.spec.kind})", "", "A check of the server worked again."]
    if message:
        ja.append(f"結果: {message}")
        en.append(f"Result: {message}")
    return subject, _join(ja, en)


_STATUS = select(integrations.c.status, integrations.c.status_reason).where(
    integrations.c.id == bindparam("integration_id")
)
# Two deliveries of one integration finishing at once must not both declare it failing. FOR NO KEY
# UPDATE: a delivery landing for the integration meanwhile (its foreign key's KEY SHARE) need not wait.
_STATUS_LOCKED = _STATUS.with_for_update(key_share=True)


def _current_status(conn: Connection, integration_id: int) -> tuple[str, str | None]:
    # Statements built once: this runs for every delivery, and building one costs more than running it.
    query = _STATUS_LOCKED if conn.dialect.name == "postgresql" else _STATUS
    row = conn.execute(query, {"integration_id": integration_id}).one()
    return str(row.status), row.status_reason


def _failures_in_a_row(conn: Connection, integration_id: int, limit: int) -> int:
    """How many of the integration's latest counted deliveries (this one included) failed, up to ``limit``."""
    return _leading_failures(
        conn.execute(
            select(deliveries.c.state)
            .where(deliveries.c.integration_id == integration_id, deliveries.c.state.in_(COUNTED))
            .order_by(desc(deliveries.c.id))
            .limit(limit)
        ).scalars()
    )


def _set_status(conn: Connection, integration_id: int, status: str, reason: str | None) -> None:
    conn.execute(
        integrations.update()
        .where(integrations.c.id == integration_id)
        .values(status=status, status_reason=reason, updated_at=utcnow())
    )


def _queue(
    conn: Connection,
    hub: Hub,
    integration: Integration,
    delivery: Delivery | None,
    recipients: list[str],
    subject: str,
    body: str,
    attachments: list[dict[str, str]] | None = None,
    held: bool = False,
) -> None:
    if not recipients:
        return
    now = utcnow()
    due = now + PASSWORD_WAIT if held else now
    conn.execute(
        outbox.insert().values(
            workspace_id=hub.workspace_id,
            integration_id=integration.id,
            delivery_id=delivery.id if delivery is not None else None,
            kind="report",
            recipients=list(recipients),
            subject=_one_line(subject),
            body=body,
            attachments=attachments or [],
            state="queued",
            attempts=0,
            next_attempt_at=due,
            created_at=now,
        )
    )


def _by_mail(delivery: Delivery) -> bool:
    """Whether a delivery is a mail or a file a mail carried (whose password another mail may tell)."""
    return delivery.file_name is None or delivery.channel == "mail"


def withdraw_reports(conn: Connection, delivery_id: int) -> int:
    """Withdraw the report mails of a delivery that are still waiting to be sent (a mail whose ZIP
    its password mail opened); how many."""
    return conn.execute(
        outbox.update()
        .where(outbox.c.delivery_id == delivery_id, outbox.c.state == "queued")
        .values(state="withdrawn", last_error="withdrawn: the delivery went through after all")
    ).rowcount


def _queue_error_report(
    conn: Connection,
    hub: Hub,
    integration: Integration,
    delivery: Delivery,
    result: ProcessResult,
    what: str,
    held: bool = False,
) -> None:
    if not integration.spec.notify.errors:
        return
    errors = [
        dict(r._mapping)
        for r in conn.execute(
            select(row_errors)
            .where(row_errors.c.delivery_id == delivery.id)
            .order_by(row_errors.c.id)
            .limit(ERRORS_IN_CSV)
        )
    ]
    subject, body = _error_mail(integration, delivery, result, what, errors, held)
    attachments = (
        [
            {
                "filename": f"renkei-errors-{delivery.id}.csv",
                "content_type": "text/csv",
                "text": errors_csv(errors),
            }
        ]
        if errors
        else []
    )
    _queue(conn, hub, integration, delivery, integration.spec.notify.errors, subject, body, attachments, held)


def errors_csv(errors: list[dict[str, Any]]) -> str:
    """Row errors as CSV text (UTF-8 with BOM when encoded, for Excel): line, column, value, the
    reason in Japanese and in English, and for a value left out of a row that went in, the customer
    the row went to."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for error in errors:
        line = error.get("line")
        writer.writerow(
            [
                line if line is not None else safe_cell(error.get("locator")),
                safe_cell(error.get("column_name")),
                safe_cell(error.get("value")),
                safe_cell(say_reason(error.get("reason"), "ja")),
                safe_cell(error.get("reason")),
                error.get("customer_id") or "",
            ]
        )
    return out.getvalue()


def _one_line(text: str) -> str:
    """A header value: no control characters (no header injection through a name)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _counts(result: ProcessResult) -> tuple[str, str]:
    c = result.counts
    ja = f"新規 {c.created} 件 / 更新 {c.updated} 件 / 変更なし {c.unchanged} 件 / エラー {c.errors} 件"
    en = f"created {c.created}, updated {c.updated}, unchanged {c.unchanged}, errors {c.errors}"
    if c.left_out:
        ja += f" / 除いて取り込んだ値 {c.left_out} 件"
        en += f", values left out {c.left_out}"
    return ja, en


def _head(integration: Integration, delivery: Delivery, what: str) -> tuple[list[str], list[str]]:
    when = _stamp(delivery.received_at)
    ja = [f"連携: {integration.name} ({integration.spec.kind})", f"配信: #{delivery.id} {what}", f"受信日時: {when}"]
    en = [f"Integration: {integration.name} ({integration.spec.kind})", f"Delivery: #{delivery.id} {what}"]
    en.append(f"Received: {when}")
    if (base := public_url()) is not None:  # where to open it
        ja.append(f"詳細: {base}/deliveries/{delivery.id}")
        en.append(f"Details: {base}/deliveries/{delivery.id}")
    return ja, en


def _counted(delivery: Delivery, result: ProcessResult) -> tuple[list[str], list[str]]:
    """The counts of a delivery's result, and where to open the customers it created or changed."""
    counts_ja, counts_en = _counts(result)
    ja, en = [f"件数: {counts_ja}"], [f"Counts: {counts_en}"]
    if (base := public_url()) is not None and (result.counts.created or result.counts.updated):
        ja.append(f"顧客: {base}/customers?delivery={delivery.id}")
        en.append(f"Customers: {base}/customers?delivery={delivery.id}")
    return ja, en


def _stamp(value: Any) -> str:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else str(value or "")


def _error_mail(
    integration: Integration,
    delivery: Delivery,
    result: ProcessResult,
    what: str,
    errors: list[dict[str, Any]],
    held: bool = False,
) -> tuple[str, str]:
    subject = f"[Renkei] 連携エラー: {integration.name} ({what})"
    ja, en = _head(integration, delivery, what)
    counted_ja, counted_en = _counted(delivery, result)
    state_ja = "失敗" if result.state == "failed" else "一部エラー"
    ja += [f"結果: {state_ja}", *counted_ja]
    en += [f"Result: {'failed' if result.state == 'failed' else 'processed with row errors'}", *counted_en]
    if result.reason:
        ja.append(f"理由: {say_reason(result.reason, 'ja')}")
        en.append(f"Reason: {result.reason}")
    if held:
        minutes = int(PASSWORD_WAIT.total_seconds() // 60)
        ja.append(f"受信から {minutes} 分、パスワードのメールを待ちましたが、開けるものは届きませんでした。")
        en.append(f"No password mail that opens it came in the {minutes} minutes after it arrived.")
    shown = errors[:ERRORS_IN_BODY]
    listed = [_error_line(e, "ja") for e in shown]
    total = max(len(errors), result.counts.errors + result.counts.left_out)
    if len(errors) < total:
        more_ja = f"添付の CSV は最初の {len(errors)} 件。全件は renkei deliveries show {delivery.id}"
        more_en = f"the attached CSV has the first {len(errors)}; renkei deliveries show {delivery.id} has all"
    else:
        more_ja, more_en = "全件は添付の CSV", "all of them in the attached CSV"
    if errors:
        ja += ["", f"行エラー (最初の {len(listed)} 件 / 全 {total} 件。{more_ja}):", *listed]
        en += ["", f"Row errors (first {len(listed)} of {total}; {more_en}):", *[_error_line(e, "en") for e in shown]]
    return subject, _join(ja, en)


def _error_line(error: dict[str, Any], locale: str) -> str:
    """One row error for the mail's ``locale`` part: where, column, value and the reason in that language."""
    line = error.get("line")
    if line is not None:
        where = f"{line}行目" if locale == "ja" else f"row {line}"
    else:
        where = str(error.get("locator") or "")
    column = f" [{error['column_name']}]" if error.get("column_name") else ""
    value = f" {error['value']!r}" if error.get("value") is not None else ""
    customer = ""
    if cid := error.get("customer_id"):  # left out of a row that went in: whose, and where to open them
        page = f" {base}/customers/{cid}" if (base := public_url()) is not None else ""
        customer = f" (顧客 #{cid}{page})" if locale == "ja" else f" (customer #{cid}{page})"
    return f"  - {where}{column}{value}: {say_reason(error.get('reason'), locale)}{customer}"


def _failing_mail(integration: Integration, delivery: Delivery, result: ProcessResult, what: str) -> tuple[str, str]:
    n = failing_after()
    subject = f"[Renkei] 連携失敗: {integration.name}"
    ja, en = _head(integration, delivery, what)
    ja += [
        f"理由: {say_reason(result.reason, 'ja') or '失敗'}",
        "",
        f"{n} 回続けて配信の処理に失敗したため、この連携を「連携失敗」にしました。",
        "エラーのない配信が処理されるまで、配信ごとのエラーメールは送りません。",
    ]
    en += [
        f"Reason: {result.reason or 'failed'}",
        "",
        f"{n} deliveries in a row failed, so this integration is now marked failing.",
        "No per-delivery error mail is sent until a delivery is processed without errors.",
    ]
    return subject, _join(ja, en)


def _recovered_mail(integration: Integration, delivery: Delivery, result: ProcessResult, what: str) -> tuple[str, str]:
    subject = f"[Renkei] 連携復旧: {integration.name}"
    ja, en = _head(integration, delivery, what)
    counted_ja, counted_en = _counted(delivery, result)
    ja += [*counted_ja, "", "配信がエラーなく処理されたため、この連携を「連携中」に戻しました。"]
    en += [*counted_en, "", "A delivery was processed without errors: the integration is active again."]
    return subject, _join(ja, en)


def _success_mail(
    integration: Integration,
    delivery: Delivery,
    result: ProcessResult,
    what: str,
    brought: tuple[list[Any], int] = ([], 0),
) -> tuple[str, str]:
    subject = f"[Renkei] 連携完了: {integration.name} ({what})"
    ja, en = _head(integration, delivery, what)
    counted_ja, counted_en = _counted(delivery, result)
    ja += counted_ja
    en += counted_en
    listed, total = brought
    if listed:  # the leads to call back: who asked, about what
        more_ja = f" / 全 {total} 件" if total > len(listed) else ""
        more_en = f" of {total}" if total > len(listed) else ""
        ja += ["", f"反響 ({len(listed)} 件{more_ja}):", *(_inquiry_line(row, "ja") for row in listed)]
        en += ["", f"Inquiries ({len(listed)}{more_en}):", *(_inquiry_line(row, "en") for row in listed)]
    return subject, _join(ja, en)


def _inquiry_line(row: Any, locale: str) -> str:
    """One inquiry a delivery brought: who, from where, about what, when, and the message's first line."""
    name = person_name(row.last_name, row.first_name)
    who = (f"{name} 様" if name else "") if locale == "ja" else name
    customer = f"顧客 #{row.customer_id}" if locale == "ja" else f"customer #{row.customer_id}"
    if (base := public_url()) is not None:
        customer += f" {base}/customers/{row.customer_id}"
    message = (row.message or "").strip().splitlines()
    parts = [row.source, row.property_name, minute(row.received_at)]
    parts.append(message[0][:60] if message else None)
    head = f"{who} ({customer})" if who else f"({customer})"
    return f"  - {head}: " + " · ".join(part for part in parts if part)


def _quarantine_mail(integration: Integration, delivery: Delivery, result: ProcessResult, what: str) -> tuple[str, str]:
    subject = f"[Renkei] 隔離: {integration.name} ({what})"
    ja, en = _head(integration, delivery, what)
    ja += [
        f"理由: {say_reason(result.reason, 'ja') or '隔離'}",
        "",
        "この配信は処理せずに隔離しました。顧客データは変更されていません。",
        f"内容は renkei deliveries show {delivery.id} で確認できます。",
    ]
    en += [
        f"Reason: {result.reason or 'quarantined'}",
        "",
        "This delivery was quarantined instead of processed; no customer was changed.",
        f"See renkei deliveries show {delivery.id}.",
    ]
    return subject, _join(ja, en)


def _confirmed_mail(integration: Integration, delivery: Delivery, result: ProcessResult) -> tuple[str, str]:
    subject = f"[Renkei] 連携が完了しました: {integration.name}"
    ja, en = _head(integration, delivery, "mail")
    ja += [
        "",
        f"ポータルからの確認メールを受信しました。連携「{integration.name}」へのメール転送は確認済みです。",
        "これ以降、反響メールは自動で取り込まれます。",
    ]
    en += [
        "",
        f"The portal's address-confirmation mail arrived: forwarding to {integration.name!r} is confirmed.",
        "Inquiry mails are imported from now on.",
    ]
    url = result.meta.get("confirm_url")
    if url:
        ja += [
            "",
            "確認メールには次のURLがありました。ポータルの案内どおり確定が必要な場合は開いてください:",
            f"  {url}",
        ]
        en += ["", "The confirmation mail carried this link; open it if the portal asks you to confirm:", f"  {url}"]
    return subject, _join(ja, en)


def _join(ja: list[str], en: list[str]) -> str:
    return "\n".join([*ja, "", "-" * 40, "", *en]) + "\n"


for _hook in (on_delivery, on_mail_confirmation):
    if not any(
        getattr(hook, "__qualname__", "") == _hook.__qualname__ and hook.__module__ == __name__
        for hook in delivery_service.AFTER_DELIVERY
    ):
        delivery_service.AFTER_DELIVERY.append(_hook)
