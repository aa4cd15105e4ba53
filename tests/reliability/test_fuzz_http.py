"""schemathesis against every service's OpenAPI (the committed docs/openapi/*.json, kept current by a
test): generated requests, valid and not, with and without the organizer's token, on a running stack
with a campaign. No answer is a 5xx, and every documented answer matches its schema."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from services.notifications.app import create_app as notifications_app
from shared.platform.config import Settings
from tests.registration_support import CAMPAIGN_ID, registration_stack
from tests.support import ORGANIZER, serve_in_process

pytestmark = pytest.mark.slow
DOCS = Path(__file__).parents[2] / "docs" / "openapi"
EXAMPLES = 100  # per service and token; hypothesis keeps its database of failing cases between runs
CHECKS = [checks.not_a_server_error, checks.response_schema_conformance, checks.content_type_conformance]


def fuzz(service: str, base_url: str, headers: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_dict(json.loads((DOCS / f"{service}.json").read_text()))

    @given(case=schema.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:  # type: ignore[no-untyped-def]
        if case.path_parameters and "campaign_id" in case.path_parameters and case.path_parameters["campaign_id"] == "":
            return
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.mark.parametrize("with_token", [False, True], ids=["anonymous", "organizer"])
async def test_no_generated_request_gets_a_5xx_or_an_answer_off_its_schema(settings: Settings, with_token: bool):
    headers = ORGANIZER if with_token else {}
    async with registration_stack(settings) as stack, serve_in_process(notifications_app(settings)) as notifier:
        await stack.define_venue(["A01", "A02"])
        assert (await stack.events.client.get(f"/campaigns/{CAMPAIGN_ID}")).status_code == 200
        for service, running in (("registration", stack.registration), ("events", stack.events),
                                 ("notifications", notifier)):
            await asyncio.to_thread(fuzz, service, running.url, headers)
