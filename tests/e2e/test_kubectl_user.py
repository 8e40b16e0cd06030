"""What a kubectl user watches: live progress on a terminal, quiet pipes, `-v 6` exec logs.

The terminal is a real pseudo-terminal (the `pty` module), so rich decides it is one exactly as
it would for a person; the sandbox runs real probes, some answering at once and some waiting
out their timeouts (drop-mode denials), which is the mix the issue watched.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import VERDICTS_SCENARIO, VERDICTS_SPEC, netpoltest
from tests.e2e.sandboxctl import product_command
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
SPEC = str(VERDICTS_SPEC)
FAST = ("--probe-timeout", "1", "--attempts", "2")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def prepared() -> Iterator[Sandbox]:
    require_root_sandbox()
    with start_sandbox(VERDICTS_SCENARIO) as sb:
        run = netpoltest(sb, "prepare", SPEC)
        assert run.code == ExitCode.OK, run.err + run.out
        yield sb


def _on_a_terminal(sb: Sandbox, *args: str, cwd: Path) -> tuple[int, list[str]]:
    """Run the product with stdout and stderr on one pseudo-terminal; the screen's frames."""
    main, child = pty.openpty()
    env = {**sb.env(), "COLUMNS": "120", "LINES": "40", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [*product_command(), *args], stdin=child, stdout=child, stderr=child, env=env, cwd=cwd
    )
    os.close(child)
    chunks: list[str] = []
    while True:
        ready, _, _ = select.select([main], [], [], 180)
        if not ready:
            proc.kill()
            raise AssertionError("no output for 180 s:\n" + "".join(chunks))
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data.decode("utf-8", "replace"))
    os.close(main)
    return proc.wait(timeout=60), chunks


def test_progress_on_a_terminal(prepared: Sandbox, tmp_path: Path) -> None:
    code, chunks = _on_a_terminal(
        prepared, "execute", SPEC, *FAST, "--junit", str(tmp_path / "j.xml"), cwd=tmp_path
    )
    assert code == ExitCode.TEST_FAILURES, "".join(chunks)
    screen = ANSI.sub("", "".join(chunks)).replace("\r", "\n")
    # Up front: context and the worst case, before any result.
    headline = re.search(
        r"Probing 15 probes from 5 source pods on context '[^']+' \([^)]*\); at most \d+s", screen
    )
    assert headline, screen
    summary = screen.index("15 probes: ")
    assert headline.start() < summary
    # Live: the count moves probe by probe (not only when a whole source pod is done), and
    # finished probes and the still-pending source pods are shown while probing.
    counts = [int(m) for m in re.findall(r"probing [━ ]*(\d+)/15", screen[:summary])]
    assert counts, screen
    assert any(0 < n < 15 for n in counts), counts
    assert counts == sorted(counts)
    assert re.search(r"waiting on [a-z]", screen[:summary]), screen
    live_lines = re.findall(r"^(PASS|FAIL|ERROR) +\S+  \S+ -> ", screen[:summary], re.M)
    assert live_lines, screen
    # The live area is transient: the final report lists each probe once, after it.
    assert len(re.findall(r"^FAIL +\S+ +lab/", screen[summary - 5000 :], re.M)) >= 1


def test_no_progress_off_a_terminal(prepared: Sandbox, tmp_path: Path) -> None:
    run = netpoltest(prepared, "execute", SPEC, *FAST, "--junit", str(tmp_path / "j.xml"))
    assert run.code == ExitCode.TEST_FAILURES, run.err
    assert "Probing" not in run.err and "probing" not in run.err
    assert "\x1b" not in run.out + run.err


def test_verbose_6_logs_every_exec(prepared: Sandbox, tmp_path: Path) -> None:
    run = netpoltest(
        prepared, "-v=6", "execute", SPEC, *FAST, "-o", "json", "--junit", str(tmp_path / "j.xml")
    )
    assert run.code == ExitCode.TEST_FAILURES, run.err
    execs = re.findall(
        r"^I exec (\S+)/(\S+) container (\S+) \(\S+\): exit (\d+) in \d+ ms$", run.err, re.M
    )
    assert len(execs) == run.json()["summary"]["execCalls"] == 5, run.err
    assert {namespace for namespace, *_ in execs} == {"lab", "secure"}
    assert all(container.startswith("netpoltest") for _, _, container, _ in execs), execs


def test_html_report_from_a_real_run(prepared: Sandbox, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    run = netpoltest(
        prepared, "execute", SPEC, *FAST, "--html", str(html), "--junit", "", "-o", "yaml"
    )
    assert run.code == ExitCode.TEST_FAILURES, run.err
    page = html.read_text()
    assert page.count("data-probe=") == 15
    assert run.out.startswith("apiVersion: netpoltest.kubectl.io/v1alpha1\nkind: ExecuteResult")


def test_wide_output_names_the_target_pods(prepared: Sandbox, tmp_path: Path) -> None:
    run = netpoltest(prepared, "execute", SPEC, *FAST, "-o", "wide", "--junit", "")
    assert run.code == ExitCode.TEST_FAILURES, run.err
    # `client->pod/server:80/tcp`: one line per target pod (name, node, address), each observed.
    lines = re.findall(r"^ +lab/server-\S+ \(\S+\) [\d.]+:80: connected: ", run.out, re.M)
    assert len(lines) >= 2, run.out  # client and isolated both reach both replicas on 80
    assert re.search(r"^ +id client->pod/server:80/tcp$", run.out, re.M), run.out


def test_token_flag_replaces_the_kubeconfigs_credentials(prepared: Sandbox, tmp_path: Path) -> None:
    """`--token` (before the command, as kubectl users write it) is who the API server sees:
    the admin kubeconfig with the token of a user without pods/exec cannot probe."""
    token = prepared.token("noexec")
    run = netpoltest(
        prepared, "--token", token, "execute", SPEC, *FAST, "-o", "json", "--junit", ""
    )
    assert run.code == ExitCode.INCONCLUSIVE, run.err
    results = run.json()["results"]
    assert {r["verdict"] for r in results} == {"ERROR"}
    assert 'cannot create resource "pods/exec"' in results[0]["reason"]
    assert token not in run.out + run.err


def test_user_flag_picks_another_kubeconfig_user(prepared: Sandbox, tmp_path: Path) -> None:
    """`--user NAME` keeps the context's cluster and namespace but authenticates as NAME."""
    import yaml

    config = yaml.safe_load(prepared.kubeconfig.read_text())
    contexts = {c["name"]: c["context"] for c in config["contexts"]}
    noexec_user = contexts[prepared.context("noexec")]["user"]
    assert noexec_user != contexts[prepared.context()]["user"]
    run = netpoltest(
        prepared, "execute", SPEC, *FAST, "-o", "json", "--junit", "", "--user", noexec_user
    )
    assert run.code == ExitCode.INCONCLUSIVE, run.err
    assert 'cannot create resource "pods/exec"' in run.json()["results"][0]["reason"]
