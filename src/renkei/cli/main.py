"""The ``renkei`` command: thin commands that parse, call a service function and present it."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import yaml
from rich.console import Console
from rich.table import Table

from renkei import gc_tuning
from renkei.cli import present
from renkei.errors import RenkeiError
from renkei.pipeline import customers as customer_service
from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from renkei.pipeline import mail as mail_service
from renkei.pipeline.hub import DEFAULT_WORKSPACE, Hub
from renkei.pipeline.sample import MAX_SAMPLE_ROWS, SAMPLE_ROWS, sample_delivery

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Renkei: leads and customer data, in one store.")
integrations_app = typer.Typer(no_args_is_help=True, help="Add, list and change integrations.")
customers_app = typer.Typer(no_args_is_help=True, help="Export and inspect customers.")
deliveries_app = typer.Typer(no_args_is_help=True, help="List, inspect, undo and replay deliveries.")
app.add_typer(integrations_app, name="integrations")
app.add_typer(customers_app, name="customers")
app.add_typer(deliveries_app, name="deliveries")
inquiries_app = typer.Typer(no_args_is_help=True, help="Every customer's inquiries (反響), the last to arrive first.")
app.add_typer(inquiries_app, name="inquiries")
outbox_app = typer.Typer(no_args_is_help=True, help="Report mails waiting to be sent, sent or given up.")
app.add_typer(outbox_app, name="outbox")
relay_app = typer.Typer(no_args_is_help=True, help="The SMTP relay report mails are sent through.")
app.add_typer(relay_app, name="relay")


def _console(stream: Any, **options: Any) -> Console:
    """A console for ``stream``. Into a pipe or a file, tables are as wide as what they hold:
    rich's 80 columns there cut every cell short (``proce…``), which no terminal would widen.
    No emoji codes are read: a value such as a fingerprint "…:ab:…" is never one."""
    width = None if stream.isatty() else 100_000
    return Console(emoji=False, width=width, **options)


console = _console(sys.stdout)
err = _console(sys.stderr, stderr=True)
F = TypeVar("F", bound=Callable[..., Any])
_opened: list[Hub] = []


def open_hub(workspace: str) -> Hub:
    """Open the store for one command; ``handled`` closes it when the command ends."""
    hub = Hub.open(workspace)
    _opened.append(hub)
    gc_tuning.tune()  # the store and what the command needs are loaded: freeze them (see gc_tuning)
    return hub


Workspace = Annotated[str, typer.Option("--workspace", "-w", envvar="RENKEI_WORKSPACE", help="Workspace to act in.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def handled(func: F) -> F:
    """Print ``Error: …`` and exit 1 on a Renkei error, without a traceback unless RENKEI_DEBUG is set."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BrokenPipeError:
            # The reader went away (`renkei customers export | head`): stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except (RenkeiError, OSError, yaml.YAMLError) as error:
            if os.environ.get("RENKEI_DEBUG"):
                raise
            err.print(f"Error: {error}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        finally:
            while _opened:
                _opened.pop().close()

    return wrapper  # type: ignore[return-value]


def _set_value(raw: str) -> Any:
    """A ``--set`` value: YAML, or where YAML will not take it (``[@partner.example.jp]``), plain text."""
    if not raw:
        return ""
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        text = raw.strip()
        if text.startswith("[") and text.endswith("]"):
            return [item.strip().strip("'\"") for item in text[1:-1].split(",") if item.strip()]
        return raw


def _parse_sets(pairs: list[str]) -> dict[str, Any]:
    from renkei.errors import ConfigurationError

    data: dict[str, Any] = {}
    top = {"settings", "mapping", "policies", "defaults", "notify", "status"}
    for pair in pairs:
        if "=" not in pair:
            raise ConfigurationError(f"--set {pair!r}: expected KEY=VALUE")
        key, raw = pair.split("=", 1)
        value = _set_value(raw)
        path = key.strip().split(".")
        if path[0] not in top:
            path = ["settings", *path]
        if path == ["status"]:
            data["status"] = value
            continue
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return data


@integrations_app.command("add")
@handled
def integrations_add(
    kind: str,
    name: str,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="KEY=VALUE (settings.*, defaults.*, policies.*, …)")
    ] = None,
    workspace: Workspace = DEFAULT_WORKSPACE,
    as_json: AsJson = False,
) -> None:
    """Add an integration of KIND called NAME."""
    hub = open_hub(workspace)
    data = {"kind": kind, "name": name, **_parse_sets(set_ or [])}
    integration = integration_service.add_integration(hub, data)
    if integration.shown_once:
        _show_drop_box(integration, integration.shown_once, as_json)
        return
    present.integration_added(console, integration, as_json)


@integrations_app.command("update")
@handled
def integrations_update(
    name: str,
    set_: Annotated[
        list[str], typer.Option("--set", help="KEY=VALUE (settings.* merged key by key; defaults.*, notify.*, …)")
    ],
    workspace: Workspace = DEFAULT_WORKSPACE,
    as_json: AsJson = False,
) -> None:
    """Change some settings of the integration NAME; what --set does not name stays as it is."""
    hub = open_hub(workspace)
    changes = _parse_sets(set_)
    current = integration_service.integration_by_name(hub, name)
    stored = current.spec.model_dump(mode="json")
    for section in ("defaults", "policies", "notify", "mapping"):  # replaced whole: keep what is not named
        if section in changes:
            changes[section] = {**stored[section], **changes[section]}
    integration = integration_service.update_integration(hub, current.id, changes)
    present.integration_updated(console, integration, sorted(_set_keys(set_)), as_json)


def _set_keys(pairs: list[str]) -> set[str]:
    return {pair.split("=", 1)[0].strip() for pair in pairs}


def _show_drop_box(integration: Any, shown: dict[str, str], as_json: bool) -> None:
    """Where a drop box's partner connects, with the password that is shown this once only."""
    from renkei.channels.ftp import connection_info

    info = {"id": integration.id, "name": integration.name, **connection_info(_opened[-1]), **shown}
    if as_json:
        console.print_json(json.dumps(info, ensure_ascii=False))
        return
    console.print(f"Drop box {integration.name!r} (id {integration.id}):", markup=False)
    labels = {
        "host": "host",
        "ftp_port": "FTP port (explicit TLS)",
        "sftp_port": "SFTP port",
        "username": "user",
        "password": "password",
        "ftps_certificate_sha256": "FTPS certificate SHA-256",
        "sftp_host_key": "SFTP host key",
    }
    for key, label in labels.items():
        if key in info:
            console.print(f"  {label + ':':26} {info[key]}", markup=False, highlight=False, soft_wrap=True)
    if "password" in shown:
        console.print(
            "The password is shown only now; `renkei integrations reset-password` makes a new one.",
            markup=False,
            soft_wrap=True,
        )


@integrations_app.command("reset-password")
@handled
def integrations_reset_password(name: str, workspace: Workspace = DEFAULT_WORKSPACE, as_json: AsJson = False) -> None:
    """Give a drop box (ftp-drop) a new password, shown once; the old one stops working at once."""
    from renkei.pipeline.dropbox import reset_password

    integration, password = reset_password(open_hub(workspace), name)
    _show_drop_box(integration, {"username": integration.settings.username, "password": password}, as_json)


@integrations_app.command("rotate-inbox")
@handled
def integrations_rotate_inbox(name: str, workspace: Workspace = DEFAULT_WORKSPACE) -> None:
    """Give a mail integration a new inbox address; the old one stops working at once."""
    address = mail_service.rotate_inbox_secret(open_hub(workspace), name)
    console.print(f"{name}: new inbox address {address}", markup=False, highlight=False)


@integrations_app.command("list")
@handled
def integrations_list(workspace: Workspace = DEFAULT_WORKSPACE, as_json: AsJson = False) -> None:
    """List the workspace's integrations."""
    hub = open_hub(workspace)
    present.integrations(console, hub, integration_service.list_integrations(hub), as_json)


@integrations_app.command("kinds")
@handled
def integrations_kinds() -> None:
    """List the kinds of integration this hub knows."""
    from renkei.sources.registry import kinds

    for kind in kinds():
        console.print(f"{kind.name}\t{kind.description}", markup=False, highlight=False)


@integrations_app.command("start")
@handled
def integrations_start(name: str, workspace: Workspace = DEFAULT_WORKSPACE) -> None:
    """Start (or resume) an integration."""
    integration_service.set_status(open_hub(workspace), name, "active")
    console.print(f"{name}: active", markup=False)


@integrations_app.command("stop")
@handled
def integrations_stop(name: str, workspace: Workspace = DEFAULT_WORKSPACE) -> None:
    """Stop an integration: what arrives is kept but not processed."""
    integration_service.set_status(open_hub(workspace), name, "stopped")
    console.print(f"{name}: stopped", markup=False)


@app.command("apply")
@handled
def apply(file: Path, workspace: Workspace = DEFAULT_WORKSPACE) -> None:
    """Create or update integrations from a declarative YAML file (idempotent)."""
    document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    if not isinstance(document, dict):
        from renkei.errors import ConfigurationError

        raise ConfigurationError(f"{file}: expected a mapping with an 'integrations' list")
    shown: dict[str, dict[str, str]] = {}
    hub = open_hub(workspace)
    for name, outcome in integration_service.apply_file(hub, document, shown):
        console.print(f"{outcome:9} {name}", markup=False, highlight=False)
    for name, once in shown.items():
        _show_drop_box(integration_service.integration_by_name(hub, name), once, False)


@app.command("run")
@handled
def run_check_now(name: str, workspace: Workspace = DEFAULT_WORKSPACE, as_json: AsJson = False) -> None:
    """Check a pull integration now: an SFTP/FTP folder (sftp-pull, ftp-pull) or a mail kind's IMAP mailbox."""
    from renkei.pipeline.pull import run_check

    hub = open_hub(workspace)
    integration = integration_service.integration_by_name(hub, name)
    if getattr(integration.settings, "imap", None) is not None:
        from renkei.pipeline.imap_pull import poll_once

        present.poll(console, name, poll_once(hub, integration), as_json)
        return
    result = run_check(hub, integration)
    present.check(console, name, result, as_json)
    if result.state != "ok":
        if as_json:
            raise typer.Exit(1)
        raise RenkeiError("\n".join(result.problems))


@integrations_app.command("host-key")
@handled
def integrations_host_key(
    host: str,
    port: Annotated[int, typer.Option(help="The server's port (default 22, or 21 with --ftps).")] = 0,
    ftps: Annotated[bool, typer.Option("--ftps", help="Show an FTPS server's certificate SHA-256 instead.")] = False,
) -> None:
    """Show an SFTP server's host key (or an FTPS server's certificate) to put in host_key; nothing is sent."""
    from renkei.sources.remote import ftps_certificate, server_host_key

    if ftps:
        fingerprint = ftps_certificate(host, port or 21)
        console.print(f"tls_certificate_sha256: {fingerprint}", markup=False, highlight=False, soft_wrap=True)
        return
    line, fingerprint = server_host_key(host, port or 22)
    console.print(f"host_key: {line}", markup=False, highlight=False, soft_wrap=True)
    console.print(f"fingerprint: {fingerprint}", markup=False, highlight=False, soft_wrap=True)
    console.print(
        "Check the fingerprint with the server's owner before trusting it; either line may be used as host_key.",
        markup=False,
        soft_wrap=True,
    )


@app.command("import")
@handled
def import_(
    paths: Annotated[list[Path], typer.Argument(help="CSV/TSV files to import.")],
    integration: Annotated[str | None, typer.Option("--integration", "-i", help="Integration to import into.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change, row by row; write nothing.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Process content that was already imported.")] = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
    as_json: AsJson = False,
) -> None:
    """Import files. Without --integration, files are auto-mapped into the manual-import integration."""
    hub = open_hub(workspace)
    target = (
        integration_service.integration_by_name(hub, integration)
        if integration
        else integration_service.manual_import_integration(hub)
    )
    failed = False
    results = []
    for path in paths:
        if not path.is_file():
            raise RenkeiError(f"{path}: no such file")
        if not target.kind.accepts_files:
            if dry_run:
                raise RenkeiError("--dry-run is for files; replay a mail delivery with --dry-run instead")
            result = mail_service.import_mail(hub, target, path.read_bytes())
        elif dry_run:
            result = delivery_service.dry_run_file(hub, target, path)
        else:
            result = delivery_service.import_file(hub, target, path, force=force)
        failed = failed or result.state == "failed"
        results.append((path, result))
        # A ZIP file's files, each a delivery of its own: listed under the archive's path.
        results.extend((path / name, child) for name, child in result.child_results)
        failed = failed or any(child.state == "failed" for _, child in result.child_results)
    present.import_results(console, hub, target, results, as_json)
    if failed:
        raise typer.Exit(1)


@customers_app.command("export")
@handled
def customers_export(
    format_: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: standard output).")
    ] = None,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Export every customer with inquiries, tags, groups, owner, status and custom fields."""
    if format_ not in ("jsonl", "csv"):
        raise RenkeiError(f"--format {format_!r}: use jsonl or csv")
    hub = open_hub(workspace)
    writer = customer_service.export_jsonl if format_ == "jsonl" else customer_service.export_csv
    if output is None:
        writer(hub, sys.stdout)
        return
    encoding = "utf-8-sig" if format_ == "csv" else "utf-8"
    with output.open("w", encoding=encoding, newline="") as out:
        count = writer(hub, out)
    err.print(f"{count} customers written to {output}", markup=False, highlight=False)


@customers_app.command("list")
@handled
def customers_list(
    query: Annotated[
        str | None,
        typer.Option(
            "--query", "-q", help="Words to find in names, kana, e-mail, phones, company, the properties asked about."
        ),
    ] = None,
    tag: Annotated[str | None, typer.Option("--tag")] = None,
    group: Annotated[str | None, typer.Option("--group")] = None,
    left_out: Annotated[bool, typer.Option("--left-out", help="Only customers with values left out to check.")] = False,
    delivery: Annotated[
        int | None, typer.Option("--delivery", help="Only the customers this delivery created or changed.")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only the customers of this owner (担当者).")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only the customers of this status.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Customers per page (1 to 200).")] = 50,
    cursor: Annotated[str | None, typer.Option("--cursor", help="The next page's cursor, as printed.")] = None,
    workspace: Workspace = DEFAULT_WORKSPACE,
    as_json: AsJson = False,
) -> None:
    """List customers, newest first: a page of them, and how to ask for the next."""
    from renkei.pipeline.browse import page_customers

    page = page_customers(
        open_hub(workspace),
        query=query,
        tag=tag,
        group=group,
        left_out=left_out,
        delivery=delivery,
        owner=owner,
        status=status,
        cursor=cursor,
        limit=limit,
    )
    present.customer_page(console, page.items, page.next_cursor, as_json)


@inquiries_app.command("list")
@handled
def inquiries_list(
    integration: Annotated[str | None, typer.Option("--integration", "-i", help="Only those it brought.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only those from one source (SUUMO, …).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Inquiries per page (1 to 200).")] = 50,
    cursor: Annotated[str | None, typer.Option("--cursor", help="The next page's cursor, as printed.")] = None,
    workspace: Workspace = DEFAULT_WORKSPACE,
    as_json: AsJson = False,
) -> None:
    """List inquiries, the last to arrive first, each with its customer."""
    from renkei.pipeline.browse import page_inquiries

    hub = open_hub(workspace)
    target = integration_service.integration_by_name(hub, integration).id if integration else None
    page = page_inquiries(hub, integration_id=target, source=source, cursor=cursor, limit=limit)
    present.inquiry_page(console, page.items, page.next_cursor, as_json)


@inquiries_app.command("count")
@handled
def inquiries_count(
    days: Annotated[int, typer.Option("--days", help="The last so many days, by each inquiry's time.")] = 30,
    workspace: Workspace = DEFAULT_WORKSPACE,
    as_json: AsJson = False,
) -> None:
    """Count the inquiries of the last days by source (SUUMO, LIFULL HOME'S, a list's 媒体), the most first."""
    from renkei.pipeline.browse import count_inquiries

    counted = count_inquiries(open_hub(workspace), days=days)
    present.rows(
        console,
        [
            {
                "source": c.source,
                "inquiries": c.inquiries,
                "customers": c.customers,
                "last_at": customer_service.jsonable(c.last_at),
            }
            for c in counted
        ],
        as_json,
    )


@customers_app.command("show")
@handled
def customers_show(customer_id: int, workspace: Workspace = DEFAULT_WORKSPACE, as_json: AsJson = False) -> None:
    """Show a customer: every value with its source, the history, the inquiries, the values left out."""
    present.customer(console, customer_service.show_customer(open_hub(workspace), customer_id), as_json)


@customers_app.command("check-left-out")
@handled
def customers_check_left_out(customer_id: int, workspace: Workspace = DEFAULT_WORKSPACE) -> None:
    """Mark the values left out of a customer's rows checked (its number confirmed)."""
    checked = customer_service.check_left_out(open_hub(workspace), customer_id)
    console.print(f"customer {customer_id}: {checked} values left out marked checked")


@deliveries_app.command("list")
@handled
def deliveries_list(
    integration: Annotated[str | None, typer.Option("--integration", "-i")] = None,
    limit: int = 50,
    workspace: Workspace = DEFAULT_WORKSPACE,
    as_json: AsJson = False,
) -> None:
    """List deliveries, newest first."""
    hub = open_hub(workspace)
    target = integration_service.integration_by_name(hub, integration) if integration else None
    present.deliveries(console, hub, delivery_service.list_deliveries(hub, target, limit), as_json)


@deliveries_app.command("show")
@handled
def deliveries_show(delivery_id: int, workspace: Workspace = DEFAULT_WORKSPACE, as_json: AsJson = False) -> None:
    """Show a delivery with its counts and row errors."""
    hub = open_hub(workspace)
    present.delivery(
        console,
        delivery_service.get_delivery(hub, delivery_id),
        delivery_service.iter_delivery_errors(hub, delivery_id),
        as_json,
    )


@deliveries_app.command("undo")
@handled
def deliveries_undo(delivery_id: int, workspace: Workspace = DEFAULT_WORKSPACE) -> None:
    """Take back everything a delivery did."""
    delivery = delivery_service.undo_delivery(open_hub(workspace), delivery_id)
    console.print(f"delivery {delivery.id}: {delivery.state}", markup=False)


@deliveries_app.command("replay")
@handled
def deliveries_replay(
    delivery_id: int,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the field-by-field difference; write nothing.")
    ] = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
    as_json: AsJson = False,
) -> None:
    """Process a delivery again with the integration's current settings and mapping."""
    result = delivery_service.replay_delivery(open_hub(workspace), delivery_id, dry_run=dry_run)
    present.replay(console, result, as_json)


@deliveries_app.command("sample")
@handled
def deliveries_sample(
    delivery_id: int,
    rows: Annotated[
        int, typer.Option("--rows", "-n", min=1, max=MAX_SAMPLE_ROWS, help="How many of the first rows to read.")
    ] = SAMPLE_ROWS,
    workspace: Workspace = DEFAULT_WORKSPACE,
    as_json: AsJson = False,
) -> None:
    """Show the first rows of a delivery as its mapping reads them (at once, whatever its size; nothing is written)."""
    present.sample(console, sample_delivery(open_hub(workspace), delivery_id, rows=rows), as_json)


@deliveries_app.command("resume")
@handled
def deliveries_resume(workspace: Workspace = DEFAULT_WORKSPACE) -> None:
    """Process every delivery that was landed but not processed (after a crash)."""
    results = delivery_service.resume_pending(open_hub(workspace))
    console.print(f"{len(results)} deliveries processed", markup=False)


@app.command("serve")
@handled
def serve(
    host: Annotated[str, typer.Option(envvar="RENKEI_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="RENKEI_PORT")] = 8000,
    smtp_port: Annotated[int, typer.Option(envvar="RENKEI_SMTP_PORT", help="SMTP inbox port (0: no inbox).")] = 2525,
    ftp_port: Annotated[int, typer.Option(envvar="RENKEI_FTP_PORT", help="FTP(S) drop-box port (0: none).")] = 2121,
    sftp_port: Annotated[int, typer.Option(envvar="RENKEI_SFTP_PORT", help="SFTP drop-box port (0: none).")] = 2222,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Run the hub: web UI, REST API, SMTP inbox, drop box, pulls and report mails.

    The web UI and REST API, the SMTP inbox, the FTP/SFTP drop box, scheduled pulls, report mails
    and the processing of pending deliveries, in one process."""
    from renkei.web.server import run

    run(host=host, port=port, workspace=workspace, smtp_port=smtp_port, ftp_port=ftp_port, sftp_port=sftp_port)


@app.command("smtp")
@handled
def smtp(
    host: Annotated[str, typer.Option(envvar="RENKEI_SMTP_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="RENKEI_SMTP_PORT")] = 2525,
    max_bytes: Annotated[int, typer.Option(envvar="RENKEI_SMTP_MAX_BYTES", help="Largest mail accepted.")] = 25 << 20,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Run only the SMTP inbox that portals forward inquiry mails to (and send report mails)."""
    from renkei.channels.outbox import running_sender
    from renkei.channels.smtp import run_smtp

    with running_sender(open_hub(workspace)):
        run_smtp(host=host, port=port, workspace=workspace, max_bytes=max_bytes)


@outbox_app.command("list")
@handled
def outbox_list(
    limit: Annotated[int, typer.Option("--limit", "-n")] = 50,
    workspace: Workspace = DEFAULT_WORKSPACE,
    as_json: AsJson = False,
) -> None:
    """The newest report mails: queued, sent, failed or withdrawn (a ZIP mail its password mail opened)."""
    from renkei.channels.outbox import list_outbox

    rows = list_outbox(open_hub(workspace), limit)
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False, default=str))
        return
    table = Table("id", "state", "attempts", "next attempt", "delivery", "to", "subject", "last error")
    for r in rows:
        cells = [r["id"], r["state"], r["attempts"], str(r["next_attempt_at"])[:19], r["delivery_id"] or ""]
        table.add_row(*map(str, cells), ", ".join(r["recipients"]), r["subject"], r["last_error"] or "")
    console.print(table)


@outbox_app.command("send")
@handled
def outbox_send(workspace: Workspace = DEFAULT_WORKSPACE) -> None:
    """Send every report mail that is due, once, through the relay (all workspaces)."""
    from renkei.channels.outbox import send_due
    from renkei.errors import ConfigurationError
    from renkei.pipeline.relay import current_relay

    hub = open_hub(workspace)
    relay, _ = current_relay(hub)
    if relay is None:
        raise ConfigurationError("no relay: `renkei relay set --host …` or RENKEI_SMTP_RELAY_HOST")
    done = send_due(hub.engine, relay)
    console.print(f"{done.sent} sent, {done.retried} to retry, {done.failed} given up", markup=False)


@relay_app.command("set")
@handled
def relay_set(
    host: Annotated[str, typer.Option(help="The relay's host name.")],
    port: Annotated[int, typer.Option(help="0: 587, 465 or 25 by --security.")] = 0,
    security: Annotated[str, typer.Option(help="starttls, tls or none.")] = "starttls",
    user: Annotated[str | None, typer.Option(help="Login name, if the relay needs one.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    from_address: Annotated[str | None, typer.Option("--from", help="Sender address of report mails.")] = None,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Store the hub's relay (the password encrypted); it takes precedence over RENKEI_SMTP_RELAY_*."""
    from renkei.pipeline.relay import save_relay

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    values = {"host": host, "port": port, "security": security, "user": user, "password": password}
    relay = save_relay(open_hub(workspace), {**values, "from_address": from_address})
    console.print(f"relay: {relay.describe()}, from {relay.from_address}", markup=False)


@relay_app.command("show")
@handled
def relay_show(workspace: Workspace = DEFAULT_WORKSPACE, as_json: AsJson = False) -> None:
    """The relay in effect and where it comes from; the password masked."""
    from renkei.pipeline.relay import current_relay, shown_relay

    relay, source = current_relay(open_hub(workspace))
    data = {"source": source, **(shown_relay(relay) if relay is not None else {})}
    if as_json:
        console.print_json(json.dumps(data, ensure_ascii=False))
        return
    for key, value in data.items():
        console.print(f"{key}: {'' if value is None else value}", markup=False)


@relay_app.command("clear")
@handled
def relay_clear(workspace: Workspace = DEFAULT_WORKSPACE) -> None:
    """Forget the stored relay; RENKEI_SMTP_RELAY_* applies again."""
    from renkei.pipeline.relay import clear_relay

    done = clear_relay(open_hub(workspace))
    console.print("relay cleared" if done else "no relay was stored", markup=False)


@app.command("ftp")
@handled
def ftp(
    host: Annotated[str, typer.Option(envvar="RENKEI_FTP_HOST")] = "127.0.0.1",
    ftp_port: Annotated[int, typer.Option(envvar="RENKEI_FTP_PORT", help="FTP(S) port (0: no FTP).")] = 2121,
    sftp_port: Annotated[int, typer.Option(envvar="RENKEI_SFTP_PORT", help="SFTP port (0: no SFTP).")] = 2222,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Run only the drop box: FTP with explicit TLS and SFTP, one user per ftp-drop integration."""
    from renkei.channels.ftp import run_dropbox

    run_dropbox(host=host, ftp_port=ftp_port, sftp_port=sftp_port, workspace=workspace)


users_app = typer.Typer(no_args_is_help=True, help="People who sign in to the web UI.")
app.add_typer(users_app, name="users")
tokens_app = typer.Typer(no_args_is_help=True, help="API tokens for the REST API.")
app.add_typer(tokens_app, name="tokens")
Role = Annotated[str, typer.Option("--role", help="admin, operator or viewer.")]


@users_app.command("add")
@handled
def users_add(
    login: str,
    role: Role = "operator",
    name: Annotated[str | None, typer.Option("--name", help="The name shown in the UI.")] = None,
    locale: Annotated[str, typer.Option("--locale", help="ja or en.")] = "ja",
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Add a user; prints the generated one-time password."""
    from renkei.pipeline.users import add_user

    user, password = add_user(open_hub(workspace), login, role=role, display_name=name, locale=locale)
    console.print(f"Added {user.login} ({user.role}) to workspace {workspace!r}.", markup=False)
    console.print(f"Password (shown once): {password}", markup=False)


@users_app.command("list")
@handled
def users_list(workspace: Workspace = DEFAULT_WORKSPACE, as_json: AsJson = False) -> None:
    """The users of a workspace."""
    from renkei.pipeline.users import list_users

    rows = [
        {"login": u.login, "name": u.display_name, "role": u.role, "locale": u.locale,
         "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None}
        for u in list_users(open_hub(workspace))
    ]  # fmt: skip
    present.rows(console, rows, as_json)


@users_app.command("password")
@handled
def users_password(login: str, workspace: Workspace = DEFAULT_WORKSPACE) -> None:
    """Give a user a new generated password (shown once); signs them out everywhere and lifts a lockout."""
    from renkei.pipeline.users import set_password

    password = set_password(open_hub(workspace), login)
    console.print(f"New password for {login} (shown once): {password}", markup=False)


@tokens_app.command("create")
@handled
def tokens_create(name: str, role: Role = "operator", workspace: Workspace = DEFAULT_WORKSPACE) -> None:
    """Create an API token; prints it once (only its hash is kept)."""
    from renkei.pipeline.users import create_token

    token, secret = create_token(open_hub(workspace), name, role)
    console.print(f"API token {token.id} {token.name!r} ({token.role}), shown once:", markup=False)
    console.print(secret, markup=False)


@tokens_app.command("list")
@handled
def tokens_list(workspace: Workspace = DEFAULT_WORKSPACE, as_json: AsJson = False) -> None:
    """API tokens of a workspace (never the tokens themselves)."""
    from renkei.pipeline.users import list_tokens

    rows = [
        {"id": t.id, "name": t.name, "prefix": t.prefix + "…", "role": t.role,
         "created_at": t.created_at.isoformat(), "revoked": t.revoked_at is not None}
        for t in list_tokens(open_hub(workspace))
    ]  # fmt: skip
    present.rows(console, rows, as_json)


@tokens_app.command("revoke")
@handled
def tokens_revoke(token_id: int, workspace: Workspace = DEFAULT_WORKSPACE) -> None:
    """Revoke an API token: requests with it are refused from now on."""
    from renkei.pipeline.users import revoke_token

    revoke_token(open_hub(workspace), token_id)
    console.print(f"API token {token_id} revoked.", markup=False)


def main() -> None:
    """Entry point of the ``renkei`` script."""
    app()


if __name__ == "__main__":
    main()


__all__ = ["app", "json", "main"]
