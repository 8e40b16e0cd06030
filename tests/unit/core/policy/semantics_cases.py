"""The semantics table: each case cites the API reference sentence (or the rule of the
NetworkPolicy concept page on kubernetes.io) it tests, and lists checks
`SRC > DST:PORT[/PROTO] V` with V = Y (allowed), N (denied), U (undefined)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubectl_netpoltest.core.policy.matching import Assumptions

P = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"

# API reference (networking.k8s.io/v1) sentences.
POD_SELECTOR = (
    "NetworkPolicySpec.podSelector: podSelector selects the pods to which this "
    "NetworkPolicy object applies ... An empty podSelector selects all pods in "
    "this namespace."
)
TYPES = (
    "NetworkPolicySpec.policyTypes: If this field is not specified, it will default "
    "based on the existence of ingress or egress rules; policies that contain an egress "
    "section are assumed to affect egress, and all policies (whether or not they contain "
    "an ingress section) are assumed to affect ingress."
)
INGRESS = (
    "NetworkPolicySpec.ingress: Traffic is allowed to a pod if there are no "
    "NetworkPolicies selecting the pod ..., OR if the traffic source is the pod's local "
    "node, OR if the traffic matches at least one ingress rule across all of the "
    "NetworkPolicy objects whose podSelector matches the pod. If this field is empty "
    "then this NetworkPolicy does not allow any traffic."
)
EGRESS = (
    "NetworkPolicySpec.egress: Outgoing traffic is allowed if there are no "
    "NetworkPolicies selecting the pod ..., OR if the traffic matches at least one egress "
    "rule across all of the NetworkPolicy objects whose podSelector matches the pod. If "
    "this field is empty then this NetworkPolicy limits all outgoing traffic."
)
FROM = (
    "NetworkPolicyIngressRule.from: If this field is empty or missing, this rule matches "
    "all sources ... If this field is present and contains at least one item, this rule "
    "allows traffic only if the traffic matches at least one item in the from list."
)
TO = (
    "NetworkPolicyEgressRule.to: If this field is empty or missing, this rule matches all "
    "destinations ... this rule allows traffic only if the traffic matches at least one item "
    "in the to list."
)
PORTS = (
    "NetworkPolicyIngressRule.ports: If this field is empty or missing, this rule matches "
    "all ports ... this rule allows traffic only if the traffic matches at least one port "
    "in the list."
)
PEER_POD = (
    "NetworkPolicyPeer.podSelector: if present but empty, it selects all pods. If "
    "namespaceSelector is also set, then the NetworkPolicyPeer as a whole selects the "
    "pods matching podSelector in the Namespaces selected by NamespaceSelector. "
    "Otherwise it selects the pods matching podSelector in the policy's own namespace."
)
PEER_NS = (
    "NetworkPolicyPeer.namespaceSelector: if present but empty, it selects all "
    "namespaces. ... Otherwise it selects all pods in the namespaces selected by "
    "namespaceSelector."
)
IPBLOCK = (
    "IPBlock: describes a particular CIDR ... that is allowed to the pods matched by a "
    "NetworkPolicySpec's podSelector. The except entry describes CIDRs that should not "
    "be included within this rule."
)
IPBLOCK_POD = (
    "Concepts 'Behavior of to and from selectors': ipBlock ... should be "
    "cluster-external IPs, since Pod IPs are ephemeral and unpredictable "
    "(semantics rule 16: implementation-defined)."
)
PROTOCOL = (
    "NetworkPolicyPort.protocol: The protocol (TCP, UDP, or SCTP) which traffic must "
    "match. If not specified, this field defaults to TCP."
)
PORT = (
    "NetworkPolicyPort.port: This can either be a numerical or named port on a pod. If "
    "this field is not provided, this matches all port names and numbers. If present, "
    "only traffic on the specified protocol AND port will be matched."
)
END_PORT = (
    "NetworkPolicyPort.endPort: indicates that the range of ports from port to "
    "endPort if set, inclusive, should be allowed by the policy."
)
SELECTOR = "LabelSelector: The requirements are ANDed. An empty label selector matches all objects."
OPERATOR = (
    "LabelSelectorRequirement.operator: Valid operators are In, NotIn, Exists and "
    "DoesNotExist (NotIn and DoesNotExist match objects without the key; rule 13)."
)
NS_NAME = (
    "Concepts 'Targeting a Namespace by its name': the control plane sets the "
    "immutable label kubernetes.io/metadata.name on all namespaces."
)
HOSTNET = (
    "Concepts 'NetworkPolicy and hostNetwork pods': ... the network plugin can "
    "distinguish hostNetwork traffic ... ignores hostNetwork pods when matching "
    "podSelector and namespaceSelector (rule 28)."
)
OWN_IP = (
    "Concepts 'What you can't do with network policies': the ability to prevent "
    "loopback or incoming host traffic (rule 9: a pod reaches its own IP)."
)
SERVICE = (
    "Concepts: NetworkPolicy applies to pod IPs after Service translation (rule 25: "
    "decided on the backend pod and targetPort)."
)
ADDITIVE = (
    "Concepts 'Isolated and non-isolated pods': Network policies do not conflict; "
    "they are additive."
)
BOTH = (
    "Concepts 'The two sorts of pod isolation': for a connection from a source pod to a "
    "destination pod to be allowed, both the egress policy on the source pod and the "
    "ingress policy on the destination pod need to allow the connection."
)


@dataclass(frozen=True)
class Case:
    name: str
    cite: str
    policies: str
    checks: str
    pod_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    ns_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    assumptions: Assumptions | None = None
    pod_ports: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def ingress_to_a(ns: str, rules: str, name: str = "p") -> str:
    return P + (
        f"metadata: {{name: {name}, namespace: {ns}}}\n"
        f"spec: {{podSelector: {{matchLabels: {{pod: a}}}}, policyTypes: [Ingress], "
        f"ingress: {rules}}}\n"
    )


def egress_from_a(ns: str, rules: str, name: str = "p") -> str:
    return P + (
        f"metadata: {{name: {name}, namespace: {ns}}}\n"
        f"spec: {{podSelector: {{matchLabels: {{pod: a}}}}, policyTypes: [Egress], "
        f"egress: {rules}}}\n"
    )


E2E = Assumptions(ipblock_matches_pod_ips=True)
NO_POD_IPBLOCK = Assumptions(ipblock_matches_pod_ips=False)
