"""The probe script and the tool check under each sandbox tool set, with real packets.

Why: agnhost is Alpine (musl getent, busybox `timeout`), not Debian. The same probes must give
the same observations whichever resolver the image offers (`getent ahosts`, musl's
`getent hosts` completed by dig, `dig +search`), and an image without the tools must give a
clear ERROR naming the tool, never a verdict. The tool sets are the sandbox's own
(tests/sandbox/network/toolsets.py: a musl-built getent with and without `ahosts`, busybox
applets only), plus a "dig-only" set made here from the agnhost one.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubectl_netpoltest.core.model import Protocol
from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.probe.batch import assemble_batch
from kubectl_netpoltest.core.probe.command import build_batch_command
from kubectl_netpoltest.core.probe.task import ProbeTask
from kubectl_netpoltest.core.probe.toolcheck import (
    TOOLCHECK_SCRIPT,
    Severity,
    assess,
    parse_toolcheck,
)
from tests.netns import test_probe_script
from tests.netns.test_probe_script import Lab
from tests.sandbox.network import toolsets

pytestmark = pytest.mark.sandbox
lab = test_probe_script.lab  # the same namespaces, servers and DNS (module-scoped fixture)

TCP, UDP = Protocol.TCP, Protocol.UDP
VARIANTS = ("netshoot", "agnhost", "alpine-noahosts", "dig-only")

TASKS = [
    ProbeTask(probe_id="tcp-open", host="10.231.0.2", port=8080, protocol=TCP),
    ProbeTask(probe_id="tcp-closed", host="10.231.0.2", port=8081, protocol=TCP),
    ProbeTask(probe_id="tcp-drop", host="10.231.0.2", port=8082, protocol=TCP),
    ProbeTask(probe_id="tcp-adm", host="10.231.0.2", port=8084, protocol=TCP),
    ProbeTask(probe_id="name-both", host="web.npth3.test", port=8080, protocol=TCP),
    ProbeTask(probe_id="name-v4", host="v4.npth3.test", port=8082, protocol=TCP),
    ProbeTask(probe_id="nxdomain", host="nope.npth3.test", port=80, protocol=TCP),
    ProbeTask(probe_id="udp-echo", host="10.231.0.2", port=7, protocol=UDP),
    ProbeTask(probe_id="udp-drop", host="10.231.0.2", port=10, protocol=UDP),
    ProbeTask(probe_id="dns-answer", host="10.231.0.2", port=53, protocol=UDP),
]
EXPECTED = {
    "tcp-open": [("10.231.0.2", Observation.CONNECTED)],
    "tcp-closed": [("10.231.0.2", Observation.REFUSED)],
    "tcp-drop": [("10.231.0.2", Observation.TIMEOUT)],
    "tcp-adm": [("10.231.0.2", Observation.REJECTED)],
    "name-both": [("10.231.0.2", Observation.CONNECTED), ("fd00:231::2", Observation.CONNECTED)],
    "name-v4": [("10.231.0.2", Observation.TIMEOUT)],
    "nxdomain": [("", Observation.DNS_FAIL)],
    "udp-echo": [("10.231.0.2", Observation.CONNECTED)],
    "udp-drop": [("10.231.0.2", Observation.NO_REPLY)],
    "dns-answer": [("10.231.0.2", Observation.CONNECTED)],
}

MUSL_DIFFERENCES = {
    # The lab's dnsmasq answers the AAAA query for an A-only `address=` name with NXDOMAIN.
    # musl's getaddrinfo sends A and AAAA in parallel and takes an NXDOMAIN on either as "no
    # such name" (seen with Debian's musl 1.2.3), so `getent ahosts` fails where glibc returns
    # the A record: a DNS_FAIL (ERROR), never a verdict. musl's `getent hosts` asks AAAA and
    # then A separately, and dig asks A on its own, so those resolvers see the address.
    # CoreDNS answers NODATA there, so cluster names are not affected.
    "agnhost": {"name-v4": [("", Observation.DNS_FAIL)]},
}


@pytest.fixture(scope="module")
def tools() -> Iterator[dict[str, Path]]:
    # Under /run: the probe runs as a non-root uid and must traverse the directories.
    root = Path("/run") / f"npth3-tools-{secrets.token_hex(3)}"
    try:
        built = toolsets.build(root)
        dig_only = root / "dig-only"
        shutil.copytree(built["agnhost"], dig_only, symlinks=True)
        (dig_only / "getent").unlink()
        for path in (root, dig_only):
            path.chmod(0o755)
        yield {**built, "dig-only": dig_only}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _in(tools: Path, argv: list[str]) -> list[str]:
    return ["env", "-i", f"PATH={tools}", *argv]


def _observed(
    lab: Lab, toolset: Path, tasks: list[ProbeTask]
) -> dict[str, list[tuple[str, Observation]]]:
    argv = build_batch_command(
        tasks=tasks, timeout_seconds=1, attempts=1, parallelism=16, dns_timeout_seconds=3
    )
    lines, _ = lab.run(_in(toolset, argv))
    batch = assemble_batch(tasks=tasks, lines=lines, timeout_seconds=1, dns_timeout_seconds=3)
    assert batch.complete, lines
    return {
        pid: sorted((o.address or "", o.outcome.observation) for o in outcomes)
        for pid, outcomes in batch.outcomes.items()
    }


@pytest.mark.parametrize("variant", VARIANTS)
def test_same_observations_with_every_resolver(
    lab: Lab, tools: dict[str, Path], variant: str
) -> None:
    seen = _observed(lab, tools[variant], TASKS)
    assert seen == EXPECTED | MUSL_DIFFERENCES.get(variant, {})


def test_musl_getent_is_the_one_probed(lab: Lab, tools: dict[str, Path]) -> None:
    # The variants must really differ: musl's getent without ahosts answers `hosts` with ONE
    # address (IPv6 first), which is why the script completes it with dig.
    hosts, _ = lab.run(_in(tools["alpine-noahosts"], ["getent", "hosts", "web.npth3.test"]))
    assert [line.split()[0] for line in hosts] == ["fd00:231::2"]
    done = subprocess.run(
        [
            "ip",
            "netns",
            "exec",
            lab.client,
            *_in(tools["alpine-noahosts"], ["getent", "ahosts", "web.npth3.test"]),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Unknown database `ahosts'" in done.stderr


def test_no_resolver_is_an_error_naming_the_tool(lab: Lab, tools: dict[str, Path]) -> None:
    bare = tools["agnhost"].parent / "no-resolver"
    shutil.copytree(tools["agnhost"], bare, symlinks=True)
    bare.chmod(0o755)
    for tool in ("getent", "dig"):
        (bare / tool).unlink()
    task = ProbeTask(probe_id="named", host="web.npth3.test", port=8080, protocol=TCP)
    argv = build_batch_command(
        tasks=[task], timeout_seconds=1, attempts=1, parallelism=1, dns_timeout_seconds=3
    )
    lines, _ = lab.run(_in(bare, argv))
    batch = assemble_batch(tasks=[task], lines=lines, dns_timeout_seconds=3)
    ((outcome,),) = [[o.outcome for o in batch.outcomes["named"]]]
    assert outcome.observation is Observation.PROBE_ERROR
    assert "neither getent nor dig" in outcome.detail


def test_busybox_nc_is_an_error_never_a_verdict(lab: Lab, tools: dict[str, Path]) -> None:
    mixed = tools["agnhost"].parent / "busybox-nc"
    shutil.copytree(tools["agnhost"], mixed, symlinks=True)
    mixed.chmod(0o755)
    (mixed / "nc").unlink()
    (mixed / "nc").symlink_to(shutil.which("busybox") or "busybox")
    tasks = [
        ProbeTask(probe_id=p, host="10.231.0.2", port=port, protocol=TCP)
        for p, port in (("open", 8080), ("closed", 8081), ("drop", 8082))
    ]
    seen = _observed(lab, mixed, tasks)
    assert {pid: [o for _, o in entries] for pid, entries in seen.items()} == {
        "open": [Observation.PROBE_ERROR],
        "closed": [Observation.PROBE_ERROR],
        "drop": [Observation.PROBE_ERROR],
    }


@pytest.mark.parametrize(
    ("variant", "summary", "fatal", "warnings"),
    [
        ("netshoot", "bash 5.2, nc openbsd, getent ahosts, dig, timeout", False, []),
        ("agnhost", "bash 5.2, nc openbsd, getent ahosts, dig, timeout", False, []),
        (
            "alpine-noahosts",
            "bash 5.2, nc openbsd, getent hosts, dig, timeout",
            False,
            ["no `ahosts` database"],
        ),
        (
            "dig-only",
            "bash 5.2, nc openbsd, no getent, dig, timeout",
            False,
            ["names resolve with `dig +search`"],
        ),
        ("alpine", "no bash, nc busybox, getent ahosts, no dig, timeout", True, []),
        ("busybox", "no bash, nc busybox, no getent, no dig, timeout", True, []),
    ],
)
def test_toolcheck_reports_what_each_image_lacks(
    lab: Lab,
    tools: dict[str, Path],
    variant: str,
    summary: str,
    fatal: bool,
    warnings: list[str],
) -> None:
    check = ["sh", "-c", TOOLCHECK_SCRIPT, "netpoltest-toolcheck"]
    lines, _ = lab.run(_in(tools[variant], check))
    found = parse_toolcheck(lines)
    assert found.complete
    assert found.summary() == summary
    findings = assess(found, image="img:1", recommended="agnhost:2.53")
    assert any(f.severity is Severity.FATAL for f in findings) is fatal
    if fatal:
        (finding,) = findings
        assert "has no bash" in finding.message
        assert "--image agnhost:2.53" in finding.message
        return
    assert len(findings) == len(warnings), findings
    for expected, finding in zip(warnings, findings, strict=True):
        assert expected in finding.message
