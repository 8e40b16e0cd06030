from __future__ import annotations

import pytest

from kubectl_netpoltest.core.hosts import host_problem, ip_family
from kubectl_netpoltest.core.labels import LabelSelector, Requirement, SelectorOperator
from kubectl_netpoltest.core.spec.selectors import SelectorSyntaxError, parse_selector


@pytest.mark.parametrize(
    ("text", "labels", "expressions"),
    [
        ("app=web", [("app", "web")], []),
        ("app==web, tier = front", [("app", "web"), ("tier", "front")], []),
        ("app!=web", [], [Requirement("app", SelectorOperator.NOT_IN, ("web",))]),
        ("tier in (a, b)", [], [Requirement("tier", SelectorOperator.IN, ("a", "b"))]),
        ("tier notin (a)", [], [Requirement("tier", SelectorOperator.NOT_IN, ("a",))]),
        (
            "app.kubernetes.io/name",
            [],
            [Requirement("app.kubernetes.io/name", SelectorOperator.EXISTS)],
        ),
        ("!legacy", [], [Requirement("legacy", SelectorOperator.DOES_NOT_EXIST)]),
    ],
)
def test_kubectl_selector_syntax(
    text: str, labels: list[tuple[str, str]], expressions: list[Requirement]
) -> None:
    selector = parse_selector(text)
    assert selector == LabelSelector(tuple(labels), tuple(expressions))


@pytest.mark.parametrize("text", ["", "app=", "app in ()", "a b", "app=web;rm", "=x", "-bad=x"])
def test_invalid_selectors_are_rejected(text: str) -> None:
    if text == "app=":
        # an empty value is valid in Kubernetes (`app=` selects app with the empty value)
        assert parse_selector(text).match_labels == (("app", ""),)
        return
    with pytest.raises(SelectorSyntaxError):
        parse_selector(text)


def test_selector_round_trips_to_the_api_string_form() -> None:
    text = "app=web,tier in (a,b),x notin (y),z,!w"
    assert parse_selector(text).to_kubectl() == text


@pytest.mark.parametrize(
    ("labels", "matches"),
    [
        ({"app": "web", "tier": "a"}, True),
        ({"app": "web", "tier": "c"}, False),
        ({"app": "web"}, False),
        ({"app": "web", "tier": "a", "legacy": "1"}, False),
    ],
)
def test_selector_matching_follows_kubernetes(labels: dict[str, str], matches: bool) -> None:
    assert parse_selector("app=web,tier in (a,b),!legacy").matches(labels) is matches


@pytest.mark.parametrize(
    "host",
    [
        "github.com",
        "repo1.maven.org",
        "localhost",
        "a-b.c_d.example.",
        "10.0.0.1",
        "::1",
        "2001:db8::10",
        "my-svc.ns.svc.cluster.local",
    ],
)
def test_valid_hosts(host: str) -> None:
    assert host_problem(host) is None


@pytest.mark.parametrize(
    "host",
    [
        "",
        "a..b",
        "-a.com",
        "a.com;ls",
        "$(id)",
        "`id`",
        "a b",
        "1.2.3",
        "300.1.1.1",
        "10.0.0.0/8",
        "x" * 64 + ".com",
        "a|b",
        "a&b",
        "'q'",
        "fe80::1%$(reboot)",
        "fe80::1%eth0",
    ],
)
def test_invalid_hosts(host: str) -> None:
    assert host_problem(host) is not None


def test_ip_family() -> None:
    assert (ip_family("10.1.1.1"), ip_family("fd00::1"), ip_family("a.b")) == (4, 6, None)
