"""Retries of Bot Connector calls: a 429 waits for ``Retry-After``, a 5xx backs off exponentially, then gives up.

The Agents SDK's connector client sends each activity once and raises on any error status, so a throttled or briefly
unavailable connector would cost the user their answer. The client factory below gives every connector client an
aiohttp session whose middleware repeats one HTTP request a bounded number of times; only responses that say the
activity was not accepted (429, 500, 502, 503, 504) are retried, so an accepted activity is never posted twice.
"""

from __future__ import annotations

import asyncio
import logging
import random

from aiohttp import ClientHandlerType, ClientRequest, ClientResponse, ClientSession
from microsoft_agents.hosting.core import ClaimsIdentity, RestChannelServiceClientFactory, TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

log = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRIES = 3
BACKOFF_S = 0.5
MAX_WAIT_S = 10.0


def retry_delay(response: ClientResponse, attempt: int) -> float:
    """``Retry-After`` seconds when the connector sent it, else exponential backoff with jitter; capped."""
    header = response.headers.get("Retry-After", "")
    try:
        wait = float(header)
    except ValueError:
        wait = BACKOFF_S * 2**attempt * (1 + random.random() / 2)
    return min(max(wait, 0.0), MAX_WAIT_S)


async def retry_middleware(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
    """Send ``request``; repeat it while the connector answers 429 or a 5xx, at most ``RETRIES`` times."""
    attempt = 0
    while True:
        response = await handler(request)
        if response.status not in RETRY_STATUSES or attempt >= RETRIES:
            return response
        wait = retry_delay(response, attempt)
        log.warning("Bot Connector answered %s to %s %s; retry %d in %.1f s", response.status, request.method,
                    request.url.path, attempt + 1, wait)
        response.release()
        await asyncio.sleep(wait)
        attempt += 1


class RetryingClientFactory(RestChannelServiceClientFactory):
    """The SDK's client factory, with the retry middleware on every Teams connector client it makes."""

    async def create_connector_client(self, context: TurnContext | None, claims_identity: ClaimsIdentity,
                                      service_url: str, audience: str, scopes: list[str] | None = None,
                                      use_anonymous: bool = False) -> ConnectorClientBase:
        """The SDK's client (authenticated as usual), rebuilt on a session that retries."""
        client = await super().create_connector_client(context, claims_identity, service_url, audience, scopes,
                                                       use_anonymous)
        if type(client) is not TeamsConnectorClient:  # e.g. Copilot Studio's client: left as it is
            return client
        authorization = client.client.headers.get("Authorization", "")
        await client.close()
        endpoint = service_url if service_url.endswith("/") else service_url + "/"
        session = ClientSession(base_url=endpoint, middlewares=(retry_middleware,))
        return TeamsConnectorClient(endpoint=endpoint, token=authorization.removeprefix("Bearer "), session=session)
