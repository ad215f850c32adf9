"""Hostile input against the published OpenAPI schema (/api/v1/schema/), with schemathesis.

Every operation of the schema is called with generated data — valid and invalid — through the
Django WSGI application, authenticated with a participant's token, on a small fixture site
(an open round with the participant's attempt in progress, a closed round with a graded one).
Each response must be no 5xx, documented (status, content type, headers) and match its schema.

Bounded for CI: ``SCHEMATHESIS_MAX_EXAMPLES`` examples per operation (default 15);
``make soak`` style runs set it higher, e.g. ``SCHEMATHESIS_MAX_EXAMPLES=300``.
"""

import json
import os
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from .conftest import build_world

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
# Operations where a request that fits the schema may still break a rule the schema cannot
# say (the unit must exist, the phone must be free, the password must be right, the choice
# must belong to the question, a group ranking exists only for a closed round of a contest
# with groups): for them a 400 with its code is the right answer, so "schema-valid data is
# accepted" does not apply. Every other check (no 5xx, documented status, body schema,
# invalid data refused, auth enforced) still does.
BUSINESS_RULES = {
    "auth_register",
    "auth_token",
    "attempts_answers_update",
    "contests_leaderboard_retrieve",
    "contests_leaderboard_me_retrieve",
}


@pytest.fixture
def wsgi_app(db, file_storage):
    """The real WSGI application, talking to the test database inside the test's transaction.

    Django's own test client does the same: the end of a request must not close the
    connection that holds the test's transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield APP
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(wsgi_app):
    world = build_world()
    token, _created = Token.objects.get_or_create(user=world.users["participant"])
    world.objects["token"] = token.key
    return world


def published_schema():
    """What GET /api/v1/schema/ serves (test_the_fuzzed_schema_is_the_published_one checks it)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


# Built at collection (no database needed): each operation becomes one test. Requests,
# and the checks that send more of them, go to the WSGI application, not to a network.
APP = get_wsgi_application()
schema = schemathesis.openapi.from_dict(published_schema())
schema.app = APP


def aim_at_real_objects(case, world):
    """Half of the cases (chosen by their content, so runs repeat) point at the participant's
    real attempt, question and contest, so the fuzzed bodies reach the rules behind the 404."""
    params = case.path_parameters or {}
    if not params or zlib.crc32(repr(sorted(params.items())).encode() + repr(case.body).encode()) % 2:
        return
    attempt = world.running_attempt if "answers" in case.operation.path else world.finished_attempt
    real = {"attempt_id": attempt.pk, "question_id": attempt.draw[0]["q"], "slug": world.contest.slug}
    for name, value in params.items():
        if name in real and isinstance(value, int | str) and not isinstance(value, bool):
            params[name] = real[name]


def test_the_fuzzed_schema_is_the_published_one(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert json.loads(response.content) == published_schema()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_survives_hostile_input(case, fuzz_world, wsgi_app):
    aim_at_real_objects(case, fuzz_world)
    headers = {"Authorization": f"Token {fuzz_world.token}"}
    response = case.call(headers=headers)
    excluded = [positive_data_acceptance] if case.operation.definition.raw.get("operationId") in BUSINESS_RULES else []
    if any(value == "" for value in (case.query or {}).values()):
        # DRF reads an empty optional query parameter (?scope=) as absent: its default applies.
        excluded.append(negative_data_rejection)
    case.validate_response(response, headers=headers, excluded_checks=excluded)
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("detail"), str) and body["detail"], body
        assert isinstance(body.get("code"), str) and body["code"], body
