"""The probe through every sandbox image variant: the same verdicts, or a clear ERROR.

Why: agnhost is Alpine (musl getent, busybox `timeout`), netshoot-like images may be glibc,
an older Alpine's getent has no `ahosts`, and busybox or plain alpine have no bash. The sandbox
maps image names to tool sets that differ the same way (tests/sandbox/network/toolsets.py), so
here prepare and execute run through each one against the verdicts lab:
* every image that has the tools gives exactly the verdicts of tests/e2e/test_verdicts.py;
* an image without them fails prepare, naming what is missing and the image to use, and
  execute then reports ERROR for every probe: never a PASS or FAIL from a missing tool.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kubectl_netpoltest.engine.instrument import DEFAULT_IMAGE
from kubectl_netpoltest.exitcodes import ExitCode
from tests.e2e.conftest import VERDICTS_SCENARIO, VERDICTS_SPEC, netpoltest, verdicts
from tests.e2e.test_verdicts import DROP_MODE, FAST
from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
SPEC = str(VERDICTS_SPEC)
SOURCES = 5

OLD_ALPINE = "registry.example/alpine-3.17-probe:1"
"""An Alpine image with bash, netcat-openbsd and dig but a getent without `ahosts`."""
DEBIAN = "registry.example/debian-probe:1"
"""A Debian-based image with bash, netcat-openbsd, dnsutils: glibc's getent and resolver."""
IMAGES = {
    DEFAULT_IMAGE: ("agnhost", "getent ahosts"),
    "nicolaka/netshoot:v0.13": ("agnhost", "getent ahosts"),
    OLD_ALPINE: ("alpine-noahosts", "getent hosts"),
    DEBIAN: ("glibc", "getent ahosts"),
}


@pytest.fixture(scope="module")
def images_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    require_root_sandbox()
    scenario = tmp_path_factory.mktemp("images-lab")
    shutil.copytree(VERDICTS_SCENARIO, scenario, dirs_exist_ok=True)
    config = yaml.safe_load((scenario / "sandbox.yaml").read_text())
    config["images"] = {OLD_ALPINE: "alpine-noahosts", DEBIAN: "glibc"}
    (scenario / "sandbox.yaml").write_text(yaml.safe_dump(config))
    with start_sandbox(scenario) as sb:
        yield sb


@pytest.mark.parametrize("image", list(IMAGES))
def test_every_image_with_the_tools_gives_the_same_verdicts(
    images_lab: Sandbox, tmp_path: Path, image: str
) -> None:
    toolset, resolver = IMAGES[image]
    prepared = netpoltest(images_lab, "prepare", SPEC, "--image", image, "-o", "json")
    assert prepared.code == ExitCode.OK, prepared.err + prepared.out
    sources = prepared.json()["sources"]
    assert [s["state"] for s in sources].count("ready") == SOURCES, sources
    if toolset == "alpine-noahosts":
        # said at prepare time, before any probe: the weaker resolver is named
        assert all("no `ahosts` database" in s["message"] for s in sources), sources
    else:
        assert not any("warning:" in s["message"] for s in sources), sources

    run = netpoltest(images_lab, "execute", SPEC, "-o", "json", *FAST)
    assert run.code == ExitCode.TEST_FAILURES, run.err
    assert verdicts(run) == DROP_MODE, f"{image} ({toolset}, {resolver})"


@pytest.fixture(scope="module")
def fresh_lab() -> Iterator[Sandbox]:
    """A lab whose pods never had a working debug container: nothing else could run the probes."""
    require_root_sandbox()
    with start_sandbox(VERDICTS_SCENARIO) as sb:
        yield sb


@pytest.mark.parametrize("image", ["busybox:1.36", "alpine:3.19"])
def test_an_image_without_bash_fails_prepare_and_execute_only_errors(
    fresh_lab: Sandbox, image: str
) -> None:
    prepared = netpoltest(fresh_lab, "prepare", SPEC, "--image", image)
    assert prepared.code != ExitCode.OK
    assert prepared.out.count("FAILED") == SOURCES, prepared.out
    assert f"{image} has no bash, so no probe can run" in prepared.out
    assert f"--image {DEFAULT_IMAGE}" in prepared.out

    run = netpoltest(fresh_lab, "execute", SPEC, "-o", "json", *FAST)
    seen = verdicts(run)
    assert set(seen) == set(DROP_MODE)
    assert {verdict for verdict, _ in seen.values()} == {"ERROR"}, seen
    assert {observation for _, observation in seen.values()} == {"probe-error"}
