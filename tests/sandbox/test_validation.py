"""kube-apiserver validation, ported: one table row per rule, each with the exact Status
kube-apiserver sends (message, causes[].field/reason), through the real registry write path.

Messages were checked against the upstream functions named in tests/sandbox/validation/.
"""

from __future__ import annotations

import copy

import pytest

from tests.sandbox.registry import Registry
from tests.sandbox.resources import DEPLOYMENTS, NAMESPACES, NETWORKPOLICIES, PODS, SERVICES
from tests.sandbox.status import ApiError
from tests.sandbox.store import Store
from tests.sandbox.validation import content
from tests.sandbox.validation.field import invalid, required, to_invalid

CIDR_MSG = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
LABEL_VALUE_MSG = content.is_label_value("bad value")[0]


def registry() -> Registry:
    store = Store()
    reg = Registry(store=store)
    reg.create(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                            "metadata": {"name": "a"}}, namespace=None)
    return reg


def policy(**spec: object) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "np", "namespace": "a"},
            "spec": {"podSelector": {}, **spec}}


def rule(*, peer: dict | None = None, port: dict | None = None) -> list[dict]:
    r: dict = {}
    if peer is not None:
        r["from"] = [peer]
    if port is not None:
        r["ports"] = [port]
    return [r]


# (id, policy, field, reason, message body)
NP_CASES = [
    ("cidr-/33", policy(ingress=rule(peer={"ipBlock": {"cidr": "10.0.0.0/33"}})),
     "spec.ingress[0].from[0].ipBlock.cidr", "FieldValueInvalid",
     f'Invalid value: "10.0.0.0/33": {CIDR_MSG}'),
    ("cidr-garbage", policy(egress=[{"to": [{"ipBlock": {"cidr": "example.com"}}]}]),
     "spec.egress[0].to[0].ipBlock.cidr", "FieldValueInvalid",
     f'Invalid value: "example.com": {CIDR_MSG}'),
    ("cidr-missing", policy(ingress=rule(peer={"ipBlock": {"cidr": ""}})),
     "spec.ingress[0].from[0].ipBlock.cidr", "FieldValueRequired", "Required value"),
    ("except-outside", policy(ingress=rule(peer={"ipBlock": {
        "cidr": "10.0.0.0/16", "except": ["10.1.0.0/24"]}})),
     "spec.ingress[0].from[0].ipBlock.except[0]", "FieldValueInvalid",
     'Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`'),
    ("except-equal", policy(ingress=rule(peer={"ipBlock": {
        "cidr": "10.0.0.0/16", "except": ["10.0.0.0/16"]}})),
     "spec.ingress[0].from[0].ipBlock.except[0]", "FieldValueInvalid",
     'Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`'),
    ("endport-below-port", policy(ingress=rule(port={"port": 8080, "endPort": 80})),
     "spec.ingress[0].ports[0].endPort", "FieldValueInvalid",
     "Invalid value: 80: must be greater than or equal to `port`"),
    ("endport-named-port", policy(ingress=rule(port={"port": "http", "endPort": 90})),
     "spec.ingress[0].ports[0].endPort", "FieldValueInvalid",
     "Invalid value: 90: may not be specified when `port` is non-numeric"),
    ("endport-no-port", policy(ingress=rule(port={"endPort": 90})),
     "spec.ingress[0].ports[0].endPort", "FieldValueInvalid",
     "Invalid value: 90: may not be specified when `port` is not specified"),
    ("port-zero", policy(egress=[{"ports": [{"port": 0}]}]),
     "spec.egress[0].ports[0].port", "FieldValueInvalid",
     "Invalid value: 0: must be between 1 and 65535, inclusive"),
    ("port-name-uppercase", policy(ingress=rule(port={"port": "Http"})),
     "spec.ingress[0].ports[0].port", "FieldValueInvalid",
     'Invalid value: "Http": must contain only alpha-numeric characters (a-z, 0-9), and '
     "hyphens (-)"),
    ("port-name-digits-as-string", policy(ingress=rule(port={"port": "80"})),
     "spec.ingress[0].ports[0].port", "FieldValueInvalid",
     'Invalid value: "80": must contain at least one letter (a-z)'),
    ("port-name-too-long", policy(ingress=rule(port={"port": "a-very-long-port-name"})),
     "spec.ingress[0].ports[0].port", "FieldValueInvalid",
     'Invalid value: "a-very-long-port-name": must be no more than 15 characters'),
    ("protocol-unknown", policy(ingress=rule(port={"protocol": "ICMP", "port": 1})),
     "spec.ingress[0].ports[0].protocol", "FieldValueNotSupported",
     'Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"'),
    ("peer-empty", policy(ingress=rule(peer={})),
     "spec.ingress[0].from[0]", "FieldValueRequired", "Required value: must specify a peer"),
    ("ipblock-and-selector", policy(ingress=rule(peer={
        "ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}})),
     "spec.ingress[0].from[0]", "FieldValueForbidden",
     "Forbidden: may not specify both ipBlock and another peer"),
    ("label-value-space", policy(podSelector={"matchLabels": {"app": "bad value"}}),
     "spec.podSelector.matchLabels", "FieldValueInvalid",
     f'Invalid value: "bad value": {LABEL_VALUE_MSG}'),
    ("label-key-two-slashes", policy(ingress=rule(peer={"namespaceSelector": {
        "matchLabels": {"a/b/c": "x"}}})),
     "spec.ingress[0].from[0].namespaceSelector.matchLabels", "FieldValueInvalid",
     'Invalid value: "a/b/c": ' + content.is_label_key("a/b/c")[0]),
    ("expression-in-without-values", policy(podSelector={"matchExpressions": [
        {"key": "app", "operator": "In"}]}),
     "spec.podSelector.matchExpressions[0].values", "FieldValueRequired",
     "Required value: must be specified when `operator` is 'In' or 'NotIn'"),
    ("expression-exists-with-values", policy(podSelector={"matchExpressions": [
        {"key": "app", "operator": "Exists", "values": ["x"]}]}),
     "spec.podSelector.matchExpressions[0].values", "FieldValueForbidden",
     "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
    ("expression-bad-operator", policy(podSelector={"matchExpressions": [
        {"key": "app", "operator": "Equals", "values": ["x"]}]}),
     "spec.podSelector.matchExpressions[0].operator", "FieldValueInvalid",
     'Invalid value: "Equals": not a valid selector operator'),
    ("expression-bad-value", policy(podSelector={"matchExpressions": [
        {"key": "app", "operator": "In", "values": ["a b"]}]}),
     "spec.podSelector.matchExpressions[0].values[0]", "FieldValueInvalid",
     f'Invalid value: "a b": {LABEL_VALUE_MSG}'),
    ("policy-type-unknown", policy(policyTypes=["Ingress", "Egres"]),
     "spec.policyTypes[1]", "FieldValueNotSupported",
     'Unsupported value: "Egres": supported values: "Ingress", "Egress"'),
    ("policy-types-three", policy(policyTypes=["Ingress", "Egress", "Ingress"]),
     "spec.policyTypes", "FieldValueInvalid",
     'Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: may not '
     "specify more than two policyTypes"),
]


@pytest.mark.parametrize(("obj", "field", "reason", "body"),
                         [c[1:] for c in NP_CASES], ids=[c[0] for c in NP_CASES])
def test_network_policy_rules(obj, field, reason, body):
    reg = registry()
    with pytest.raises(ApiError) as ei:
        reg.create(NETWORKPOLICIES, obj, namespace="a")
    st = ei.value.status
    assert (st["code"], st["reason"]) == (422, "Invalid")
    assert st["details"]["causes"] == [{"reason": reason, "message": body, "field": field}]
    assert st["message"] == f'NetworkPolicy.networking.k8s.io "np" is invalid: {field}: {body}'
    assert st["details"]["group"] == "networking.k8s.io"
    assert reg.store.list(NETWORKPOLICIES) == []  # nothing reached the data plane


def test_valid_policy_passes_and_update_is_validated_too():
    reg = registry()
    ok = policy(ingress=rule(peer={"ipBlock": {"cidr": "10.0.0.1/16", "except": ["10.0.1.0/24"]}},
                             port={"port": 80, "endPort": 90, "protocol": "SCTP"}),
                egress=[{"to": [{"namespaceSelector": {"matchExpressions": [
                    {"key": "kubernetes.io/metadata.name", "operator": "NotIn",
                     "values": ["x"]}]}}], "ports": [{"port": "dns-udp"}]}])
    reg.create(NETWORKPOLICIES, ok, namespace="a")
    bad = copy.deepcopy(ok)
    bad["spec"]["ingress"][0]["ports"][0]["endPort"] = 10
    with pytest.raises(ApiError) as ei:
        reg.update(NETWORKPOLICIES, bad, namespace="a", name="np")
    assert ei.value.status["details"]["causes"][0]["field"] == "spec.ingress[0].ports[0].endPort"


def test_several_errors_are_aggregated_like_errors_NewInvalid():
    err = to_invalid(kind="NetworkPolicy", group="networking.k8s.io", name="np", errors=[
        required("spec.a"), invalid("spec.b", 3, "x"), required("spec.a")])
    st = err.status
    assert st["message"] == ('NetworkPolicy.networking.k8s.io "np" is invalid: '
                             "[spec.a: Required value, spec.b: Invalid value: 3: x]")
    assert len(st["details"]["causes"]) == 3  # causes keep duplicates, the message doesn't


# ---- the decoder's 400 for a wrongly typed field (go-yaml reads `y`/`on` as booleans) ----
DECODE_CASES = [
    ("np-bool-match-label", NETWORKPOLICIES, policy(ingress=rule(peer={
        "namespaceSelector": {"matchLabels": {"ns": True}}})),
     'NetworkPolicy in version "v1" cannot be handled as a NetworkPolicy: json: cannot '
     "unmarshal bool into Go struct field LabelSelector.spec.ingress.from.namespaceSelector."
     "matchLabels of type string"),
    ("np-number-label", NETWORKPOLICIES, policy(podSelector={"matchLabels": {"v": 1}}),
     'NetworkPolicy in version "v1" cannot be handled as a NetworkPolicy: json: cannot '
     "unmarshal number into Go struct field LabelSelector.spec.podSelector.matchLabels of "
     "type string"),
    ("np-endport-string", NETWORKPOLICIES, policy(egress=[{"ports": [
        {"port": 1, "endPort": "9"}]}]),
     'NetworkPolicy in version "v1" cannot be handled as a NetworkPolicy: json: cannot '
     "unmarshal string into Go struct field NetworkPolicyPort.spec.egress.ports.endPort of "
     "type int32"),
    ("np-bool-port", NETWORKPOLICIES, policy(ingress=rule(port={"port": True})),
     'NetworkPolicy in version "v1" cannot be handled as a NetworkPolicy: json: cannot '
     "unmarshal bool into Go value of type int32"),
    ("np-port-float", NETWORKPOLICIES, policy(egress=[{"ports": [{"port": 1, "endPort": 80.5}]}]),
     'NetworkPolicy in version "v1" cannot be handled as a NetworkPolicy: json: cannot '
     "unmarshal number 80.5 into Go struct field NetworkPolicyPort.spec.egress.ports.endPort "
     "of type int32"),
    ("svc-bool-selector", SERVICES, {"apiVersion": "v1", "kind": "Service", "metadata": {
        "name": "s"}, "spec": {"selector": {"on": True}, "ports": [{"port": 80}]}},
     'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal bool '
     "into Go struct field ServiceSpec.spec.selector of type string"),
    ("pod-bool-label", PODS, {"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": "p", "labels": {"x": False}}, "spec": {"containers": [
            {"name": "c", "image": "busybox"}]}},
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal bool into Go '
     "struct field ObjectMeta.metadata.labels of type string"),
]


@pytest.mark.parametrize(("rt", "obj", "message"), [c[1:] for c in DECODE_CASES],
                         ids=[c[0] for c in DECODE_CASES])
def test_wrong_json_types_are_the_decoders_400(rt, obj, message):
    reg = registry()
    with pytest.raises(ApiError) as ei:
        reg.create(rt, obj, namespace="a")
    assert ei.value.status["code"] == 400 and ei.value.status["reason"] == "BadRequest"
    assert ei.value.status["message"] == message


# ---- core kinds --------------------------------------------------------------------------
def pod(*, labels: dict | None = None, ports: list | None = None) -> dict:
    c: dict = {"name": "c", "image": "busybox"}
    if ports is not None:
        c["ports"] = ports
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "labels": labels or {}}, "spec": {"containers": [c]}}


def svc(ports: list, selector: dict | None = None, name: str = "s") -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": selector or {"app": "x"}, "ports": ports}}


CORE_CASES = [
    ("ns-with-dot", NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                                 "metadata": {"name": "team.a"}},
     "metadata.name", 'Invalid value: "team.a": must not contain dots'),
    ("ns-bad-label", NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                                  "metadata": {"name": "b", "labels": {"env": "-x"}}},
     "metadata.labels", f'Invalid value: "-x": {LABEL_VALUE_MSG}'),
    ("pod-bad-annotation-key", PODS, {**pod(), "metadata": {
        "name": "p", "annotations": {"a b": "x"}}}, "metadata.annotations",
     'Invalid value: "a b": ' + content.is_label_key("a b")[0]),
    ("deploy-selector-operator", DEPLOYMENTS, {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"app": "d"}, "matchExpressions": [
            {"key": "tier", "operator": "Exists", "values": ["x"]}]}, "template": {
            "metadata": {"labels": {"app": "d", "tier": "x"}}, "spec": {"containers": [
                {"name": "c", "image": "nginx"}]}}}},
     "spec.selector.matchExpressions[0].values",
     "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
    ("pod-bad-label-key", PODS, pod(labels={"-app": "x"}), "metadata.labels",
     'Invalid value: "-app": ' + content.is_label_key("-app")[0]),
    ("pod-port-name", PODS, pod(ports=[{"containerPort": 80, "name": "Web"}]),
     "spec.containers[0].ports[0].name",
     'Invalid value: "Web": must contain only alpha-numeric characters (a-z, 0-9), and '
     "hyphens (-)"),
    ("pod-port-duplicate-name", PODS, pod(ports=[{"containerPort": 80, "name": "web"},
                                                 {"containerPort": 81, "name": "web"}]),
     "spec.containers[0].ports[1].name", 'Duplicate value: "web"'),
    ("pod-port-range", PODS, pod(ports=[{"containerPort": 70000}]),
     "spec.containers[0].ports[0].containerPort",
     "Invalid value: 70000: must be between 1 and 65535, inclusive"),
    ("pod-port-protocol", PODS, pod(ports=[{"containerPort": 80, "protocol": "tcp"}]),
     "spec.containers[0].ports[0].protocol",
     'Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"'),
    ("svc-two-ports-unnamed", SERVICES, svc([{"port": 80}, {"port": 81, "name": "b"}]),
     "spec.ports[0].name", "Required value"),
    ("svc-target-port-name", SERVICES, svc([{"port": 80, "targetPort": "Http"}]),
     "spec.ports[0].targetPort",
     'Invalid value: "Http": must contain only alpha-numeric characters (a-z, 0-9), and '
     "hyphens (-)"),
    ("svc-no-ports", SERVICES, svc([]), "spec.ports", "Required value"),
    ("deploy-template-port-name", DEPLOYMENTS, {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"app": "d"}}, "template": {
            "metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{
                "name": "c", "image": "nginx", "ports": [{"containerPort": 80,
                                                          "name": "http_web"}]}]}}}},
     "spec.template.spec.containers[0].ports[0].name",
     'Invalid value: "http_web": must contain only alpha-numeric characters (a-z, 0-9), and '
     "hyphens (-)"),
    ("svc-name-starts-with-digit", SERVICES, svc([{"port": 80}], name="1web"),
     "metadata.name", 'Invalid value: "1web": ' + content.is_dns1035_label("1web")[0]),
]


@pytest.mark.parametrize(("rt", "obj", "field", "body"), [c[1:] for c in CORE_CASES],
                         ids=[c[0] for c in CORE_CASES])
def test_core_rules(rt, obj, field, body):
    reg = registry()
    with pytest.raises(ApiError) as ei:
        reg.create(rt, obj, namespace="a" if rt.namespaced else None)
    st = ei.value.status
    assert st["code"] == 422
    assert {"field": field, "message": body} in [
        {"field": c["field"], "message": c["message"]} for c in st["details"]["causes"]]


def test_label_and_port_helpers_match_upstream_examples():
    assert content.is_label_key("example.com/MyName") == []
    assert content.is_label_key("/x") == ["prefix part must be non-empty"]
    assert content.is_label_value("") == [] and content.is_label_value("12345") == []
    assert content.is_valid_port_name("a--b") == ["must not contain consecutive hyphens"]
    assert content.is_valid_port_name("-ab") == ["must not begin or end with a hyphen"]
    assert content.parse_cidr_sloppy("010.000.0.1/8") is not None  # ParseCIDRSloppy
    assert content.parse_cidr_sloppy("10.0.0.0") is None
    assert content.is_dns1123_label("a" * 64)[0] == "must be no more than 63 characters"
