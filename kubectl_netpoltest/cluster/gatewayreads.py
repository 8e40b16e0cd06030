"""The object reader that goes with a gateway, for engine code that gets only a gateway.

execute needs Services and EndpointSlices only when the spec targets a Service; the CLI hands
it a gateway, so the reader is derived from it here (same ApiClient, credentials, --as
headers and --request-timeout) instead of widening every command's hand-off. Fakes and other
gateways get None: their callers pass a reader explicitly.
"""

from __future__ import annotations

from kubectl_netpoltest.cluster.kube import KubernetesGateway
from kubectl_netpoltest.cluster.objectreads import ObjectReader, reader_for


def object_reader_of(gateway: object) -> ObjectReader | None:
    if not isinstance(gateway, KubernetesGateway):
        return None
    return reader_for(
        gateway,
        context=gateway._settings.context,  # the gateway's own settings
        request_timeout=gateway._timeout,
        verbosity=gateway._verbosity,
    )
