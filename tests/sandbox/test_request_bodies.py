"""Pure tests of what the API emulation reads from requests: kubectl's protobuf bodies,
server-side apply field sets, DeleteOptions and grace periods."""

from __future__ import annotations

from tests.sandbox import graceful
from tests.sandbox.apiserver import apply, protobuf

# the exact body kubectl 1.32 sent for
# `kubectl create deployment d -n f --image=busybox --replicas=2 --port=8080 -- sleep 1`
KUBECTL_CREATE_DEPLOYMENT = bytes.fromhex(
    "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c0010a1c0a016412001a016622002a00"
    "3200380042005a080a036170701201641291010802120a0a080a036170701201641a790a1a0a0012001a0022"
    "002a003200380042005a080a03617070120164125b123d0a0762757379626f78120762757379626f781a0573"
    "6c6565701a01312a00320b0a00100018903f22002a0042006a007200800100880100900100a201001a003200"
    "42004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c08001000180020002800"
    "38001a002200")


def test_kubectl_create_deployment_body_decodes_like_its_dry_run_json():
    assert protobuf.decode(KUBECTL_CREATE_DEPLOYMENT) == {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "d", "namespace": "f", "labels": {"app": "d"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "d"}},
                 "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [
                     {"name": "busybox", "image": "busybox", "command": ["sleep", "1"],
                      "ports": [{"containerPort": 8080}]}]}}}}


def test_unknown_protobuf_kinds_stay_unknown():
    body = protobuf.MAGIC + bytes.fromhex("0a0e0a02763112084e6f7468696e6721")
    assert protobuf.decode(body) is None


def test_apply_field_sets_round_trip_and_lists_are_atomic():
    obj = {"apiVersion": "v1", "kind": "X", "metadata": {"name": "n", "labels": {"a": "1"}},
           "spec": {"podSelector": {}, "ports": [{"port": 1}], "x": {"y": 2}}}
    paths = apply.leaves(obj)
    assert paths == {("metadata", "labels", "a"), ("spec", "podSelector"), ("spec", "ports"),
                     ("spec", "x", "y")}
    fields = apply.to_fields_v1(paths)
    assert fields["f:spec"]["f:ports"] == {} and fields["f:metadata"]["f:labels"] == {"f:a": {}}
    assert apply.from_fields_v1(fields) == paths


def test_grace_periods_like_CheckGracefulDelete():
    running = {"spec": {"nodeName": "n", "terminationGracePeriodSeconds": 7},
               "status": {"phase": "Running"}}
    assert graceful.grace_for(running, None) == 7
    assert graceful.grace_for(running, 0) == 0
    assert graceful.grace_for({**running, "status": {"phase": "Succeeded"}}, 5) == 0
    assert graceful.grace_for({"spec": {}}, 5) == 0  # never scheduled
    assert graceful.requested_grace({"gracePeriodSeconds": 3}, {}) == 3
    assert graceful.requested_grace(None, {"gracePeriodSeconds": "0"}) == 0
    marked = graceful.mark_terminating({"metadata": {"name": "p"}}, 30)
    assert marked is not None and marked["metadata"]["deletionGracePeriodSeconds"] == 30
    assert graceful.mark_terminating(marked, 40) is None  # may only shorten
    assert graceful.mark_terminating(marked, 5)["metadata"]["deletionGracePeriodSeconds"] == 5
    assert graceful.check_uid_precondition({"metadata": {"uid": "a"}},
                                           {"preconditions": {"uid": "b"}})
