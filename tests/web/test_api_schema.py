"""The served OpenAPI document, exercised by schemathesis: no operation answers 5xx, whatever it is sent.

Runs with an admin bearer token against a workspace that has an integration, a delivery with a row
error, a customer and a mail, so that generated ids sometimes name real rows. Examples are few and
derandomized: the run is repeatable and short.
"""

from __future__ import annotations

import os
from collections import Counter

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from renkei.pipeline.deliveries import import_file
from renkei.pipeline.hub import Hub
from renkei.pipeline.integrations import add_integration
from renkei.pipeline.mail import import_mail
from renkei.pipeline.users import create_token
from tests.conftest import write_csv
from tests.web.api_helpers import BAD, GOOD, HEADER
from tests.web.test_api_deliveries import MAIL

#: Examples per operation; raise it locally (RENKEI_SCHEMATHESIS_EXAMPLES=200) for a deeper search.
EXAMPLES = int(os.environ.get("RENKEI_SCHEMATHESIS_EXAMPLES", "12"))


def test_the_openapi_document_is_valid_and_describes_every_api_route(app):
    document = app.openapi()
    paths = document["paths"]
    assert "/api/integrations/{integration_id}/files" in paths and "/api/customers/export" in paths
    upload = paths["/api/integrations/{integration_id}/files"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            if path.startswith("/api/") and path != "/api/me":
                assert "401" in operation["responses"], (method, path)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_no_operation_answers_a_server_error(hub: Hub, app, client, tmp_path):
    integration = add_integration(hub, {"name": "members", "kind": "csv"})
    import_file(hub, integration, write_csv(tmp_path / "a.csv", [HEADER, GOOD, BAD]))
    import_mail(hub, add_integration(hub, {"name": "suumo", "kind": "suumo"}), MAIL)
    for i in range(3):
        create_token(hub, f"decoy {i}", "viewer")
    token, secret = create_token(hub, "schemathesis", "admin")
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    failures: list[str] = []
    seen: Counter[tuple[str, int]] = Counter()
    for result in schema.get_all_operations():
        exercise(result.ok(), headers, token.id, seen, failures)
    if os.environ.get("RENKEI_SCHEMATHESIS_REPORT"):
        print(sorted(seen.items()))
    assert failures == []
    # Every operation was reached, and some calls got through validation to a real answer.
    assert len({op for op, _ in seen}) == len(list(schema.get_all_operations()))
    assert any(200 <= status < 300 for _, status in seen)


def exercise(operation, headers: dict[str, str], token_id: int, seen: Counter, failures: list[str]) -> None:
    """Call one operation with a few generated requests, recording each status and every 5xx."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        # Revoking the token the run authenticates with would end the run's access, not test anything.
        hypothesis.assume(case.path_parameters is None or case.path_parameters.get("token_id") != token_id)
        response = case.call(headers=headers)
        seen[(f"{case.method} {operation.path}", response.status_code)] += 1
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}")

    run()
