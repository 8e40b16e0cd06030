# ruff: noqa: E501  (a data table: one case per line reads best)
"""The cases of the semantics table (see semantics_cases.py for the format and citations)."""

from __future__ import annotations

from kubectl_netpoltest.core.policy.matching import Assumptions
from tests.unit.core.policy.semantics_cases import (
    ADDITIVE,
    BOTH,
    E2E,
    EGRESS,
    END_PORT,
    FROM,
    HOSTNET,
    INGRESS,
    IPBLOCK,
    IPBLOCK_POD,
    NO_POD_IPBLOCK,
    NS_NAME,
    OPERATOR,
    OWN_IP,
    PEER_NS,
    PEER_POD,
    POD_SELECTOR,
    PORT,
    PORTS,
    PROTOCOL,
    SELECTOR,
    SERVICE,
    TO,
    TYPES,
    Case,
    P,
    egress_from_a,
    ingress_to_a,
)

ING, EG = ingress_to_a, egress_from_a
DENY_X = (
    P + "metadata: {name: deny, namespace: x}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n"
)
DENY_EG_X = P + (
    "metadata: {name: deny-eg, namespace: x}\nspec: {podSelector: {}, policyTypes: [Egress]}\n"
)
FROM_B = "[{from: [{podSelector: {matchLabels: {pod: b}}}]}]"
EXT = "203.0.113.10"

CASES: list[Case] = [
    # --- no policies, selection, scope ----------------------------------------------------
    Case(
        "no-policy-allows", INGRESS, "", "x/a > y/b:80 Y\nx/a > y/b:81/UDP Y\nx/a > y/b:80/SCTP Y"
    ),
    Case("no-policy-external-allows", EGRESS, "", f"x/a > {EXT}:443 Y"),
    Case(
        "empty-podselector-selects-all-in-ns",
        POD_SELECTOR,
        DENY_X,
        "y/a > x/a:80 N\ny/a > x/b:80 N\ny/a > x/c:81 N",
    ),
    Case("podselector-scope-own-namespace", POD_SELECTOR, DENY_X, "x/a > y/a:80 Y\nx/a > z/c:80 Y"),
    Case(
        "podselector-label-selects-one",
        POD_SELECTOR,
        ING("x", "[]"),
        "y/a > x/a:80 N\ny/a > x/b:80 Y",
    ),
    Case("policy-namespace-only", POD_SELECTOR, ING("y", "[]"), "x/b > y/a:80 N\nx/b > x/a:80 Y"),
    # --- policyTypes --------------------------------------------------------------------------
    Case(
        "types-absent-ingress-only",
        TYPES,
        P + "metadata: {name: p, namespace: x}\nspec: {podSelector: {matchLabels: {pod: a}}}\n",
        "y/a > x/a:80 N\nx/a > y/a:80 Y",
    ),
    Case(
        "types-absent-egress-section-isolates-both",
        TYPES,
        P + "metadata: {name: p, namespace: x}\n"
        "spec: {podSelector: {matchLabels: {pod: a}}, egress: [{to: [{podSelector: {}}]}]}\n",
        "y/a > x/a:80 N\nx/a > x/b:80 Y\nx/a > y/a:80 N",
    ),
    Case(
        "types-egress-only-leaves-ingress-open",
        TYPES,
        EG("x", "[]"),
        "y/a > x/a:80 Y\nx/a > y/a:80 N",
    ),
    Case(
        "types-both-empty",
        TYPES,
        P + "metadata: {name: p, namespace: x}\n"
        "spec: {podSelector: {matchLabels: {pod: a}}, policyTypes: [Ingress, Egress]}\n",
        "y/a > x/a:80 N\nx/a > y/a:80 N\nx/b > x/c:80 Y",
    ),
    Case(
        "types-ingress-ignores-egress-section",
        TYPES,
        P + "metadata: {name: p, namespace: x}\n"
        "spec: {podSelector: {matchLabels: {pod: a}}, policyTypes: [Ingress], egress: [{}]}\n",
        "x/a > y/a:80 Y\ny/a > x/a:80 N",
    ),
    # --- empty vs absent ---------------------------------------------------------------------
    Case(
        "ingress-empty-list-denies", INGRESS, ING("x", "[]"), "x/b > x/a:80 N\nx/b > x/a:80/UDP N"
    ),
    Case(
        "ingress-empty-rule-allows-all",
        FROM,
        ING("x", "[{}]"),
        "z/c > x/a:80 Y\nz/c > x/a:81/UDP Y",
    ),
    Case("ingress-empty-rule-allows-external", FROM, ING("x", "[{}]"), f"{EXT} > x/a:80 Y"),
    Case(
        "from-empty-list-is-all",
        FROM,
        ING("x", "[{from: [], ports: [{port: 80}]}]"),
        "y/b > x/a:80 Y\ny/b > x/a:81 N",
    ),
    Case("egress-empty-list-denies", EGRESS, EG("x", "[]"), f"x/a > y/a:80 N\nx/a > {EXT}:443 N"),
    Case(
        "egress-empty-rule-allows-all",
        TO,
        EG("x", "[{}]"),
        f"x/a > {EXT}:443 Y\nx/a > y/c:81/UDP Y",
    ),
    Case(
        "to-absent-ports-only",
        TO,
        EG("x", "[{ports: [{port: 443}]}]"),
        f"x/a > {EXT}:443 Y\nx/a > {EXT}:80 N\nx/a > y/a:443 Y",
    ),
    Case(
        "ports-empty-all-protocols",
        PORTS,
        ING("x", "[{from: [{podSelector: {}}], ports: []}]"),
        "x/b > x/a:80/SCTP Y\nx/b > x/a:81/UDP Y",
    ),
    # --- peers --------------------------------------------------------------------------------
    Case(
        "peer-podselector-own-ns",
        PEER_POD,
        ING("x", FROM_B),
        "x/b > x/a:80 Y\ny/b > x/a:80 N\nx/c > x/a:80 N",
    ),
    Case(
        "peer-podselector-empty-own-ns",
        PEER_POD,
        ING("x", "[{from: [{podSelector: {}}]}]"),
        "x/c > x/a:80 Y\ny/c > x/a:80 N",
    ),
    Case(
        "peer-nsselector-all-pods",
        PEER_NS,
        ING("x", "[{from: [{namespaceSelector: {matchLabels: {ns: y}}}]}]"),
        "y/a > x/a:80 Y\ny/c > x/a:80 Y\nz/a > x/a:80 N\nx/b > x/a:80 N",
    ),
    Case(
        "peer-nsselector-empty-all-ns",
        PEER_NS,
        ING("x", "[{from: [{namespaceSelector: {}}]}]"),
        f"z/c > x/a:80 Y\nx/b > x/a:80 Y\n{EXT} > x/a:80 N",
    ),
    Case(
        "peer-and-in-one-element",
        PEER_POD,
        ING(
            "x",
            "[{from: [{namespaceSelector: {matchLabels: {ns: y}}, "
            "podSelector: {matchLabels: {pod: b}}}]}]",
        ),
        "y/b > x/a:80 Y\ny/c > x/a:80 N\nx/b > x/a:80 N",
    ),
    Case(
        "peer-or-across-elements",
        FROM,
        ING(
            "x",
            "[{from: [{namespaceSelector: {matchLabels: {ns: y}}}, "
            "{podSelector: {matchLabels: {pod: b}}}]}]",
        ),
        "y/c > x/a:80 Y\nx/b > x/a:80 Y\nz/b > x/a:80 N",
    ),
    Case(
        "peer-nsselector-with-empty-podselector",
        PEER_POD,
        ING("x", "[{from: [{namespaceSelector: {matchLabels: {ns: z}}, podSelector: {}}]}]"),
        "z/a > x/a:80 Y\ny/a > x/a:80 N",
    ),
    Case(
        "peer-empty-both-selectors-all-pods",
        PEER_NS,
        ING("x", "[{from: [{namespaceSelector: {}, podSelector: {}}]}]"),
        f"y/b > x/a:80 Y\n{EXT} > x/a:80 N",
    ),
    Case(
        "egress-peer-podselector",
        TO,
        EG("x", "[{to: [{podSelector: {matchLabels: {pod: b}}}]}]"),
        "x/a > x/b:80 Y\nx/a > y/b:80 N\nx/a > x/c:80 N",
    ),
    Case(
        "egress-peer-nsselector",
        TO,
        EG("x", "[{to: [{namespaceSelector: {matchLabels: {ns: z}}}]}]"),
        f"x/a > z/a:80 Y\nx/a > y/a:80 N\nx/a > {EXT}:443 N",
    ),
    Case(
        "egress-peer-and",
        TO,
        EG(
            "x",
            "[{to: [{namespaceSelector: {matchLabels: {ns: z}}, podSelector: "
            "{matchLabels: {pod: c}}}]}]",
        ),
        "x/a > z/c:80 Y\nx/a > z/b:80 N\nx/a > x/c:80 N",
    ),
    # --- selectors -----------------------------------------------------------------------
    Case(
        "selector-matchlabels-and",
        SELECTOR,
        ING("x", "[{from: [{podSelector: {matchLabels: {pod: b, t: w}}}]}]"),
        "x/b > x/a:80 Y\nx/c > x/a:80 N",
        pod_labels={"x/b": {"pod": "b", "t": "w"}, "x/c": {"pod": "b"}},
    ),
    Case(
        "selector-labels-and-expressions",
        SELECTOR,
        ING(
            "x",
            "[{from: [{podSelector: {matchLabels: {pod: b}, "
            "matchExpressions: [{key: t, operator: Exists}]}}]}]",
        ),
        "x/b > x/a:80 Y\nx/c > x/a:80 N",
        pod_labels={"x/b": {"pod": "b", "t": "1"}, "x/c": {"pod": "b"}},
    ),
    Case(
        "op-in",
        OPERATOR,
        ING(
            "x",
            "[{from: [{podSelector: {matchExpressions: [{key: pod, operator: In, "
            "values: [b, c]}]}}]}]",
        ),
        "x/b > x/a:80 Y\nx/c > x/a:80 Y\ny/b > x/a:80 N",
    ),
    Case(
        "op-notin",
        OPERATOR,
        ING(
            "x",
            "[{from: [{podSelector: {matchExpressions: [{key: pod, operator: NotIn, "
            "values: [b]}]}}]}]",
        ),
        "x/b > x/a:80 N\nx/c > x/a:80 Y",
    ),
    Case(
        "op-notin-matches-missing-key",
        OPERATOR,
        ING(
            "x",
            "[{from: [{podSelector: {matchExpressions: "
            "[{key: tier, operator: NotIn, values: [db]}]}}]}]",
        ),
        "x/b > x/a:80 Y\nx/c > x/a:80 N",
        pod_labels={"x/c": {"pod": "c", "tier": "db"}},
    ),
    Case(
        "op-exists",
        OPERATOR,
        ING("x", "[{from: [{podSelector: {matchExpressions: [{key: tier, operator: Exists}]}}]}]"),
        "x/b > x/a:80 Y\nx/c > x/a:80 N",
        pod_labels={"x/b": {"pod": "b", "tier": ""}},
    ),
    Case(
        "op-doesnotexist",
        OPERATOR,
        ING(
            "x",
            "[{from: [{podSelector: {matchExpressions: [{key: tier, operator: DoesNotExist}]}}]}]",
        ),
        "x/b > x/a:80 N\nx/c > x/a:80 Y",
        pod_labels={"x/b": {"pod": "b", "tier": "x"}},
    ),
    Case(
        "op-nsselector-notin",
        OPERATOR,
        ING(
            "x",
            "[{from: [{namespaceSelector: {matchExpressions: [{key: ns, "
            "operator: NotIn, values: [y]}]}}]}]",
        ),
        "y/a > x/a:80 N\nz/a > x/a:80 Y\nx/b > x/a:80 Y",
    ),
    Case(
        "subject-selector-expressions",
        POD_SELECTOR,
        P + "metadata: {name: p, namespace: x}\n"
        "spec: {podSelector: {matchExpressions: [{key: pod, operator: In, values: [a, b]}]}, "
        "policyTypes: [Ingress]}\n",
        "y/a > x/a:80 N\ny/a > x/b:80 N\ny/a > x/c:80 Y",
    ),
    Case(
        "subject-labels-changed",
        POD_SELECTOR,
        ING("x", "[]"),
        "y/a > x/a:80 Y\ny/a > x/b:80 N",
        pod_labels={"x/a": {"pod": "z"}, "x/b": {"pod": "a"}},
    ),
    Case(
        "ns-labels-changed",
        PEER_NS,
        ING("x", "[{from: [{namespaceSelector: {matchLabels: {team: t}}}]}]"),
        "z/a > x/a:80 Y\ny/a > x/a:80 N",
        ns_labels={"z": {"team": "t"}},
    ),
    Case(
        "ns-name-label",
        NS_NAME,
        ING(
            "x", "[{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]}]"
        ),
        "y/c > x/a:80 Y\nz/c > x/a:80 N",
    ),
    Case(
        "ns-name-label-without-other-labels",
        NS_NAME,
        ING(
            "x", "[{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: z}}}]}]"
        ),
        "z/b > x/a:80 Y",
        ns_labels={"z": {}},
    ),
    # --- ipBlock ---------------------------------------------------------------------------
    Case(
        "ipblock-external-egress",
        IPBLOCK,
        EG("x", "[{to: [{ipBlock: {cidr: 203.0.113.0/24}}]}]"),
        f"x/a > {EXT}:443 Y\nx/a > 198.51.100.20:80 N",
    ),
    Case(
        "ipblock-except",
        IPBLOCK,
        EG("x", "[{to: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.8/29]}}]}]"),
        f"x/a > {EXT}:443 N\nx/a > 203.0.113.20:443 Y",
    ),
    Case(
        "ipblock-except-other-rule-allows",
        ADDITIVE,
        EG(
            "x",
            "[{to: [{ipBlock: {cidr: 203.0.113.0/24, "
            "except: [203.0.113.10/32]}}]}, {to: [{ipBlock: {cidr: 203.0.113.10/32}}]}]",
        ),
        f"x/a > {EXT}:443 Y",
    ),
    Case(
        "ipblock-ingress-external",
        IPBLOCK,
        ING("x", "[{from: [{ipBlock: {cidr: 203.0.113.0/24}}]}]"),
        f"{EXT} > x/a:80 Y\n198.51.100.20 > x/a:80 N",
    ),
    Case(
        "ipblock-pod-ip-undefined",
        IPBLOCK_POD,
        EG("x", "[{to: [{ipBlock: {cidr: 10.0.2.0/24}}]}]"),
        "x/a > y/a:80 U\nx/a > z/a:80 N",
    ),
    Case(
        "ipblock-pod-ip-e2e",
        IPBLOCK_POD,
        EG("x", "[{to: [{ipBlock: {cidr: 10.0.2.2/32}}]}]"),
        "x/a > y/b:80 Y\nx/a > y/a:80 N",
        assumptions=E2E,
    ),
    Case(
        "ipblock-pod-ip-never",
        IPBLOCK_POD,
        EG("x", "[{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]"),
        "x/a > y/b:80 N\nx/a > 10.1.2.3:80 Y",
        assumptions=NO_POD_IPBLOCK,
    ),
    Case(
        "ipblock-pod-ip-except-denies-both-ways",
        IPBLOCK_POD,
        ING("x", "[{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}}]}]"),
        "y/a > x/a:80 N\nz/a > x/a:80 U",
    ),
    Case(
        "ipblock-undefined-but-other-rule-allows",
        ADDITIVE,
        EG("x", "[{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}, {to: [{podSelector: {}}]}]"),
        "x/a > x/b:80 Y\nx/a > y/b:80 U",
    ),
    Case(
        "ipblock-ipv6-does-not-match-ipv4",
        IPBLOCK,
        EG("x", "[{to: [{ipBlock: {cidr: '::/0'}}]}]"),
        f"x/a > {EXT}:443 N\nx/a > 2001:db8::1:443 Y",
    ),
    Case(
        "ipblock-v4-all-not-v6",
        IPBLOCK,
        EG("x", "[{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]"),
        f"x/a > 2001:db8::1:443 N\nx/a > {EXT}:443 Y",
    ),
    # --- ports and protocols -------------------------------------------------------------------
    Case(
        "protocol-default-tcp",
        PROTOCOL,
        ING("x", "[{ports: [{port: 80}]}]"),
        "x/b > x/a:80 Y\nx/b > x/a:80/UDP N\nx/b > x/a:80/SCTP N",
    ),
    Case(
        "protocol-udp",
        PROTOCOL,
        ING("x", "[{ports: [{port: 80, protocol: UDP}]}]"),
        "x/b > x/a:80/UDP Y\nx/b > x/a:80 N",
    ),
    Case(
        "protocol-sctp-only-keeps-tcp-isolated",
        PROTOCOL,
        ING("x", "[{ports: [{protocol: SCTP}]}]"),
        "x/b > x/a:80/SCTP Y\nx/b > x/a:80 N\nx/b > x/a:81/UDP N",
    ),
    Case(
        "protocol-without-port-all-ports",
        PORT,
        ING("x", "[{ports: [{protocol: UDP}]}]"),
        "x/b > x/a:81/UDP Y\nx/b > x/a:80/UDP Y\nx/b > x/a:81 N",
    ),
    Case(
        "port-numeric", PORT, ING("x", "[{ports: [{port: 81}]}]"), "x/b > x/a:81 Y\nx/b > x/a:80 N"
    ),
    Case(
        "ports-or",
        PORTS,
        ING("x", "[{ports: [{port: 80}, {port: 81, protocol: UDP}]}]"),
        "x/b > x/a:80 Y\nx/b > x/a:81/UDP Y\nx/b > x/a:81 N",
    ),
    Case(
        "rule-is-peer-and-port",
        FROM,
        ING("x", "[{from: [{podSelector: {matchLabels: {pod: b}}}], ports: [{port: 80}]}]"),
        "x/b > x/a:80 Y\nx/b > x/a:81 N\nx/c > x/a:80 N",
    ),
    Case(
        "rules-or",
        INGRESS,
        ING(
            "x",
            "[{from: [{podSelector: {matchLabels: {pod: b}}}], ports: [{port: 80}]}, "
            "{from: [{podSelector: {matchLabels: {pod: c}}}], ports: [{port: 81}]}]",
        ),
        "x/b > x/a:80 Y\nx/b > x/a:81 N\nx/c > x/a:81 Y\nx/c > x/a:80 N",
    ),
    Case(
        "endport-range",
        END_PORT,
        ING("x", "[{ports: [{port: 80, endPort: 81}]}]"),
        "x/b > x/a:80 Y\nx/b > x/a:81 Y\nx/b > x/a:82 N",
    ),
    Case(
        "endport-inclusive-single",
        END_PORT,
        EG("x", "[{ports: [{port: 443, endPort: 443}]}]"),
        f"x/a > {EXT}:443 Y\nx/a > {EXT}:444 N",
    ),
    Case(
        "endport-udp",
        END_PORT,
        EG("x", "[{ports: [{port: 50, endPort: 90, protocol: UDP}]}]"),
        "x/a > y/a:80/UDP Y\nx/a > y/a:80 N\nx/a > y/a:91/UDP N",
    ),
    # --- named ports -----------------------------------------------------------------------
    Case(
        "named-port-ingress",
        PORT,
        ING("x", "[{ports: [{port: serve-81-tcp}]}]"),
        "x/b > x/a:81 Y\nx/b > x/a:80 N",
    ),
    Case(
        "named-port-protocol-must-match",
        PORT,
        ING("x", "[{ports: [{port: serve-80-udp, protocol: UDP}]}]"),
        "x/b > x/a:80/UDP Y\nx/b > x/a:80 N",
    ),
    Case(
        "named-port-wrong-protocol-in-rule",
        PORT,
        ING("x", "[{ports: [{port: serve-80-udp, protocol: TCP}]}]"),
        "x/b > x/a:80 N\nx/b > x/a:80/UDP N",
    ),
    Case(
        "named-port-missing-on-destination",
        PORT,
        ING("x", "[{ports: [{port: http}]}]"),
        "x/b > x/a:80 N",
    ),
    Case(
        "named-port-egress-resolved-on-destination",
        PORT,
        EG("x", "[{ports: [{port: serve-81-tcp}]}]"),
        "x/a > y/b:81 Y\nx/a > y/b:80 N",
    ),
    Case(
        "named-port-never-external",
        PORT,
        EG("x", "[{ports: [{port: serve-81-tcp}]}]"),
        f"x/a > {EXT}:81 N",
    ),
    Case(
        "named-port-differs-per-destination",
        PORT,
        EG("x", "[{ports: [{port: web}]}]"),
        "x/a > y/b:81 Y\nx/a > y/c:81 N\nx/a > y/c:80 Y",
        pod_ports={
            "y/b": [{"containerPort": 81, "name": "web"}],
            "y/c": [{"containerPort": 80, "name": "web"}],
        },
    ),
    Case(
        "named-port-ambiguous",
        PORT,
        ING("x", "[{ports: [{port: dup}]}]"),
        "x/b > x/a:80 U\nx/b > x/a:81 U\nx/b > x/a:82 N",
        pod_ports={
            "x/a": [{"containerPort": 80, "name": "dup"}, {"containerPort": 81, "name": "dup"}]
        },
    ),
    # --- union, both ends -----------------------------------------------------------------
    Case(
        "additive-two-policies",
        ADDITIVE,
        ING("x", FROM_B, "p1")
        + ING("x", "[{from: [{podSelector: {matchLabels: {pod: c}}}]}]", "p2"),
        "x/b > x/a:80 Y\nx/c > x/a:80 Y\ny/b > x/a:80 N",
    ),
    Case(
        "additive-deny-all-plus-allow-all",
        ADDITIVE,
        DENY_X + ING("x", "[{}]", "allow"),
        "y/a > x/a:80 Y\ny/a > x/b:80 N",
    ),
    Case(
        "additive-egress",
        ADDITIVE,
        DENY_EG_X + EG("x", "[{to: [{namespaceSelector: {}}]}]"),
        "x/a > y/a:80 Y\nx/b > y/a:80 N",
    ),
    Case("both-ends-egress-denies", BOTH, DENY_EG_X + ING("y", "[{}]"), "x/a > y/a:80 N"),
    Case(
        "both-ends-ingress-denies",
        BOTH,
        EG("x", "[{}]") + ING("y", "[]", "q"),
        "x/a > y/a:80 N\nx/a > y/b:80 Y",
    ),
    Case(
        "both-ends-allow",
        BOTH,
        EG("x", "[{to: [{namespaceSelector: {matchLabels: {ns: y}}}]}]")
        + ING("y", "[{from: [{namespaceSelector: {matchLabels: {ns: x}}}]}]", "q"),
        "x/a > y/a:80 Y\nz/a > y/a:80 N",
    ),
    Case("external-source-only-ingress", BOTH, DENY_EG_X, f"{EXT} > x/a:80 Y"),
    Case("external-destination-only-egress", BOTH, ING("x", "[]"), f"x/a > {EXT}:443 Y"),
    # --- special paths --------------------------------------------------------------------
    Case(
        "own-ip-always-allowed",
        OWN_IP,
        P + "metadata: {name: p, namespace: x}\n"
        "spec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n",
        "x/a > x/a:80 Y\nx/a > x/b:80 N",
    ),
    Case(
        "hostnetwork-not-subject",
        HOSTNET,
        P + "metadata: {name: p, namespace: x}\nspec: {podSelector: {}, policyTypes: [Egress]}\n",
        "x/h > y/a:80 Y\nx/a > y/a:80 N",
    ),
    Case(
        "hostnetwork-not-a-selector-peer",
        HOSTNET,
        EG("x", "[{to: [{podSelector: {matchLabels: {pod: h}}}]}]"),
        "x/a > x/h:8081 N",
        assumptions=Assumptions(own_node_egress_exempt=False),
    ),
    Case(
        "egress-to-own-node-undefined", EGRESS, EG("x", "[]"), "x/a > x/h:8081 U\nx/b > x/h:8081 Y"
    ),
    Case(
        "egress-to-own-node-subject-to-rules",
        EGRESS,
        EG("x", "[]"),
        "x/a > x/h:8081 N",
        assumptions=Assumptions(own_node_egress_exempt=False),
    ),
    Case(
        "egress-to-own-node-exempt",
        EGRESS,
        EG("x", "[]"),
        "x/a > x/h:8081 Y",
        assumptions=Assumptions(own_node_egress_exempt=True),
    ),
    Case(
        "hostnetwork-peer-by-ipblock",
        HOSTNET,
        EG("x", "[{to: [{ipBlock: {cidr: 10.89.0.1/32}}]}]"),
        "x/a > x/h:8081 Y",
    ),
    Case("from-own-node-allowed", INGRESS, DENY_X, "x/h > x/a:80 Y\nx/h > y/a:80 Y"),
    Case(
        "service-decided-on-backend",
        SERVICE,
        ING("x", "[{ports: [{port: 80}]}]"),
        "x/b > 10.96.0.20:8080 Y\nx/b > web.x:8080 Y\nx/b > web:8080 Y",
    ),
    Case(
        "service-targetport-in-egress",
        SERVICE,
        EG("y", "[{ports: [{port: 8080}]}]"),
        "y/a > web.x.svc.cluster.local:8080 N",
    ),
    Case(
        "service-targetport-egress-allows",
        SERVICE,
        EG("y", "[{ports: [{port: 80}]}]"),
        "y/a > web.x.svc:8080 Y",
    ),
    Case("service-hairpin-undefined", OWN_IP, "", "x/a > web.x:8080 U\nx/b > web.x:8080 Y"),
    Case(
        "headless-service-no-dnat",
        SERVICE,
        EG("x", "[{to: [{podSelector: {}, namespaceSelector: {}}], ports: [{port: 80}]}]"),
        "x/a > hl.y:80 Y\nx/a > hl.y:81 N",
    ),
    Case(
        "externalname-service-is-outside",
        SERVICE,
        EG(
            "x",
            "[{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}, {to: [{namespaceSelector: {}}], ports: [{port: 80}]}]",
        ),
        "x/a > ext.y:443 U\nx/a > ext.y.svc.cluster.local:80 U\nx/b > ext.y:443 Y",
    ),
    Case("unknown-host-no-egress-policy", EGRESS, ING("x", "[]"), "x/a > example.com:443 Y"),
    Case(
        "unknown-host-ipblock-undefined",
        EGRESS,
        EG("x", "[{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]"),
        "x/a > example.com:443 U\nx/a > example.com:80/UDP U",
    ),
    Case(
        "unknown-host-port-only-rule",
        TO,
        EG("x", "[{ports: [{port: 443}]}]"),
        "x/a > example.com:443 Y\nx/a > example.com:80 N",
    ),
    Case(
        "unknown-host-selector-only",
        TO,
        EG("x", "[{to: [{podSelector: {}}]}]"),
        "x/a > example.com:443 N",
    ),
    Case(
        "hairpin-assumed-allowed",
        OWN_IP,
        ING("x", "[]"),
        "x/a > web.x:8080 Y",
        assumptions=Assumptions(service_hairpin_allowed=True),
    ),
]
