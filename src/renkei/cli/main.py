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

from renkei.cli import present
from renkei.errors import RenkeiError
from renkei.pipeline import customers as customer_service
from renkei.pipeline import deliveries as delivery_service
from renkei.pipeline import integrations as integration_service
from renkei.pipeline import mail as mail_service
from renkei.pipeline.hub import DEFAULT_WORKSPACE, Hub
from renkei.sources.mail_kind import MAIL_KINDS

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Renkei: leads and customer data, in one store.")
integrations_app = typer.Typer(no_args_is_help=True, help="Add, list and change integrations.")
customers_app = typer.Typer(no_args_is_help=True, help="Export and inspect customers.")
deliveries_app = typer.Typer(no_args_is_help=True, help="List, inspect, undo and replay deliveries.")
app.add_typer(integrations_app, name="integrations")
app.add_typer(customers_app, name="customers")
app.add_typer(deliveries_app, name="deliveries")

console = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])
_opened: list[Hub] = []


def open_hub(workspace: str) -> Hub:
    """Open the store for one command; ``handled`` closes it when the command ends."""
    hub = Hub.open(workspace)
    _opened.append(hub)
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


def _parse_sets(pairs: list[str]) -> dict[str, Any]:
    from renkei.errors import ConfigurationError

    data: dict[str, Any] = {}
    top = {"settings", "mapping", "policies", "defaults", "notify", "status"}
    for pair in pairs:
        if "=" not in pair:
            raise ConfigurationError(f"--set {pair!r}: expected KEY=VALUE")
        key, raw = pair.split("=", 1)
        value = yaml.safe_load(raw) if raw else ""
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
    present.integration_added(console, integration, as_json)


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
    for name, outcome in integration_service.apply_file(open_hub(workspace), document):
        console.print(f"{outcome:9} {name}", markup=False, highlight=False)


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
        if target.spec.kind in MAIL_KINDS:
            if dry_run:
                raise RenkeiError("--dry-run is for files; replay a mail delivery with --dry-run instead")
            result = mail_service.import_mail(hub, target, path.read_bytes())
        elif dry_run:
            result = delivery_service.dry_run_file(hub, target, path)
        else:
            result = delivery_service.import_file(hub, target, path, force=force)
        failed = failed or result.state == "failed"
        results.append((path, result))
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


@customers_app.command("show")
@handled
def customers_show(customer_id: int, workspace: Workspace = DEFAULT_WORKSPACE, as_json: AsJson = False) -> None:
    """Show a customer: every value with its source, the history, the inquiries."""
    present.customer(console, customer_service.show_customer(open_hub(workspace), customer_id), as_json)


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
        delivery_service.delivery_errors(hub, delivery_id),
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
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Run the hub: the HTTP API (health for now) and the processing of pending deliveries."""
    from renkei.web.server import run

    run(host=host, port=port, workspace=workspace, smtp_port=smtp_port)


@app.command("smtp")
@handled
def smtp(
    host: Annotated[str, typer.Option(envvar="RENKEI_SMTP_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="RENKEI_SMTP_PORT")] = 2525,
    max_bytes: Annotated[int, typer.Option(envvar="RENKEI_SMTP_MAX_BYTES", help="Largest mail accepted.")] = 25 << 20,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Run only the SMTP inbox that portals forward inquiry mails to."""
    from renkei.channels.smtp import run_smtp

    run_smtp(host=host, port=port, workspace=workspace, max_bytes=max_bytes)


def main() -> None:
    """Entry point of the ``renkei`` script."""
    app()


if __name__ == "__main__":
    main()


__all__ = ["app", "json", "main"]
