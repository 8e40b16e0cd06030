"""The HTML report in a real headless browser (Chromium from Debian, google-chrome on CI).

Checks what a person relies on: the page loads from a file with no request to anywhere else,
the matrix has exactly one cell per probe, a cell named in the URL opens with its evidence
shown, and a screenshot is written to tests/artifacts/ (CI uploads that directory).

The browser runs in its own empty network namespace (`unshare -n`, we are root), so neither the
page nor Chromium's own background services can send a packet anywhere; Chromium's net log
still records every request the page makes, which is what the test asserts on.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.report.envelope import RunContext, envelope
from kubectl_netpoltest.report.html import html_page
from kubectl_netpoltest.report.resultdata import run_dict
from tests.unit.report.test_reports import RESULTS

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "tests" / "artifacts"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
QUIET = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


def _browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(f"no Chromium found ({', '.join(BROWSERS)}); `make deps` installs it")


def _document() -> dict[str, Any]:
    """Two source pods x three hosts, nine probes: enough for rows, columns and every verdict."""
    other = PodRef(name="api", namespace="shop", podname="api")
    second = [
        replace(r, probe=replace(r.probe, id=r.probe.id.replace("web", "api"), source=other))
        for r in RESULTS
    ]
    third = [
        replace(r, probe=replace(r.probe, id=r.probe.id + "-8080", port=8080)) for r in RESULTS
    ]
    results = [*RESULTS, *second, *third]
    run = RunContext.now(spec="specs/shop.yaml", context="kind-ci", server="https://10.0.0.1:6443")
    body = run_dict(results, seconds=10.1, exec_calls=2, interrupted=False)
    document = envelope("ExecuteResult", run, body)
    document["metadata"]["cniMode"] = "drop"
    return document


def _chromium(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["unshare", "-n", _browser(), *QUIET, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def _page_requests(netlog: Path) -> set[str]:
    """URLs the page asked for beyond its own file; Chromium's own services (updater, time,
    dictionaries) have no initiating origin and are not the page's doing."""
    log = json.loads(netlog.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return {
        event["params"]["url"]
        for event in log["events"]
        if event.get("type") == start_job
        and isinstance(event.get("params"), dict)
        and event["params"].get("initiator") != "not an origin"
        and not event["params"].get("url", "file:").startswith(("file:", "data:"))
    }


def test_the_request_check_sees_an_external_resource(tmp_path: Path) -> None:
    page = tmp_path / "leaky.html"
    page.write_text('<html><body><img src="https://cdn.example.invalid/x.png"></body></html>')
    netlog = tmp_path / "netlog.json"
    _chromium("--dump-dom", f"--log-net-log={netlog}", page.as_uri(), tmp_path=tmp_path)
    assert _page_requests(netlog) == {"https://cdn.example.invalid/x.png"}


def test_page_loads_offline_one_cell_per_probe_and_a_screenshot(tmp_path: Path) -> None:
    document = _document()
    page = tmp_path / "report.html"
    page.write_text(html_page(document), encoding="utf-8")
    failing = next(r["id"] for r in document["results"] if r["verdict"] == "FAIL")
    url = f"{page.as_uri()}#{quote(failing)}"
    netlog = tmp_path / "netlog.json"

    dom = _chromium("--dump-dom", f"--log-net-log={netlog}", url, tmp_path=tmp_path).stdout
    assert dom.count("data-probe=") == len(document["results"]) == 9
    assert 'class="cell FAIL selected"' in dom
    # Columns grouped under their target: each target header spans adjacent port columns.
    assert dom.index(">a.example (ext)<") < dom.index(
        ">b.example (ext)<"
    )  # the script ran and pinned the linked probe
    assert "evidence:" in dom.split('id="detail"', 1)[1]

    assert _page_requests(netlog) == set()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "html-report.png"
    shot.unlink(missing_ok=True)
    _chromium("--window-size=1100,700", f"--screenshot={shot}", url, tmp_path=tmp_path)
    assert shot.stat().st_size > 10_000
    (ARTIFACTS / "html-report.html").write_text(page.read_text(encoding="utf-8"))
