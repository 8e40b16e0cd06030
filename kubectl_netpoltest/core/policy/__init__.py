"""The NetworkPolicy evaluator: predict and explain a connection from the policies alone.

Pure (no cluster client, no spec or probe code). The interface, for callers and for wrappers
such as an admin tier (AdminNetworkPolicy/ClusterNetworkPolicy):

* `parse.*` / `manifests.load_snapshot` turn plain Kubernetes JSON dicts (API or YAML files)
  into a frozen `Snapshot` (namespaces, pods, policies, Services, EndpointSlices).
* `Predictor(snapshot, assumptions=Assumptions(...))` indexes it once.
  - `Predictor.direction(direction=, subject=, peer=, destination=, port=, protocol=)` is the
    NetworkPolicy tier for one side: a `DirectionDecision` whose `decision` is `allowed`,
    `denied`, `not-selected` (no policy selects the subject in that direction) or
    `undefined`, with a reason code, a one-line reason and the deciding `RuleRef`s
    (`ns/name ingress[0] from[1] ports[0]`). A tier wrapper calls it when its own rules Pass.
  - `Predictor.connection(source=, destination=, port=, protocol=)` combines both sides
    (`decision.combine`) for endpoints after DNAT, with the API's special paths (own IP,
    node traffic, hostNetwork pods).
  - `Predictor.address(host, from_namespace=)` + `Predictor.predict(...)` first resolve an IP
    or cluster DNS name to a pod, a Service (decided on each backend and targetPort) or an
    outside address.
* `Assumptions` pins down implementation-defined behaviour (ipBlock vs pod IPs, Service
  hairpin, duplicate port names); left at None, such cases come out `undefined`.
"""

from kubectl_netpoltest.core.policy.decision import (
    Code,
    Decision,
    Direction,
    DirectionDecision,
    Prediction,
    RuleRef,
    Verdict,
)
from kubectl_netpoltest.core.policy.matching import Assumptions, Endpoint
from kubectl_netpoltest.core.policy.objects import Snapshot
from kubectl_netpoltest.core.policy.predict import Predictor, ServiceTarget, pod_endpoint

__all__ = [
    "Assumptions",
    "Code",
    "Decision",
    "Direction",
    "DirectionDecision",
    "Endpoint",
    "Prediction",
    "Predictor",
    "RuleRef",
    "ServiceTarget",
    "Snapshot",
    "Verdict",
    "pod_endpoint",
]
