"""Raw JSON requests over the gateway's ApiClient, errors translated, `-v 6` logged.

Why raw: the readers behind explain, doctor and the admin tiers need kinds the generated API
covers badly or not at all (custom resources, discovery, `/version`) and only the JSON shape.
One implementation, so that every read shares the gateway's credentials, TLS settings and
`--as` headers, the same error translation and the same log line.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kubectl_netpoltest.cluster.translate import UNREACHABLE, Action, api_error, unreachable

if TYPE_CHECKING:  # only an annotation: importing the client here put it on every `--help`
    from kubernetes import client as k8s


@dataclass(frozen=True)
class RawRest:
    api_client: k8s.ApiClient
    context: str | None
    request_timeout: float | None
    verbosity: int = 0

    @property
    def host(self) -> str:
        return str(self.api_client.configuration.host)

    def request(
        self,
        action: Action,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: Any = None,
        content_type: str = "application/json",
        timeout: float | None = None,
    ) -> Any:
        """The decoded JSON body of a 2xx answer; any other answer raises our error type."""
        started = time.monotonic()
        try:
            params = self.api_client.param_serialize(
                method=method,
                resource_path=path,
                query_params=list(query),
                header_params={"Accept": "application/json", "Content-Type": content_type},
                body=body,
                auth_settings=["BearerToken"],
            )
            response = self.api_client.call_api(
                *params, _request_timeout=timeout if timeout is not None else self.request_timeout
            )
            data: bytes = response.read()  # type: ignore[no-untyped-call]
        except UNREACHABLE as exc:
            raise unreachable(
                server=self.host, context=self.context, detail=str(exc)[:300]
            ) from exc
        self.log(action, f"HTTP {response.status}", started)
        if not 200 <= response.status < 300:
            raise api_error(
                status=int(response.status),
                body=data.decode("utf-8", "replace") if data else "",
                reason=str(response.reason or ""),
                action=action,
            )
        return json.loads(data) if data else {}

    def log(self, action: Action, outcome: str, started: float) -> None:
        """kubectl's -v 6 line; one write, so that lines of concurrent threads never mix."""
        if self.verbosity >= 6:
            took = (time.monotonic() - started) * 1000
            sys.stderr.write(f"I {action.describe()} ({self.host}): {outcome} in {took:.0f} ms\n")
