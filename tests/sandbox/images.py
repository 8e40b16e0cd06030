"""Which tool set an image provides, and what pulling an unknown image looks like.

The sandbox has no registry: an image is "pullable" when the scenario maps it (by prefix) to
a data-plane tool set, or by default by the image's base name (the first needle found):
`agnhost` and `netshoot` → "agnhost" (both are Alpine/musl with bash, netcat-openbsd, dig,
musl getent and busybox), `alpine` → "alpine" (busybox + musl getent, no bash), `busybox` →
"busybox" (applets only). The glibc set ("glibc") is reached through a scenario's `images:`
map. network/toolsets.py describes each set. Every such image runs as root (uid 0) unless the
pod or container sets runAsUser.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULTS = (
    ("agnhost", "agnhost"),
    ("netshoot", "agnhost"),
    ("alpine", "alpine"),
    ("busybox", "busybox"),
)


def normalize(image: str) -> str:
    """docker.io/library/x:latest form, as containerd reports it in messages."""
    name = image
    if "@" not in name and ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    first = name.split("/", 1)[0]
    if "/" not in name:
        name = f"docker.io/library/{name}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"docker.io/{name}"
    return name


def toolset_for(image: str, extra: Mapping[str, str]) -> str | None:
    full = normalize(image)
    for prefix, toolset in sorted(extra.items(), key=lambda kv: -len(kv[0])):
        if image.startswith(prefix) or full.startswith(prefix):
            return toolset
    base = full.rsplit("/", 1)[-1]
    for needle, toolset in DEFAULTS:
        if needle in base:
            return toolset
    return None


def pull_error(image: str) -> str:
    # containerd's message via the kubelet (ErrImagePull), e.g. for a typo'd image
    full = normalize(image)
    return (f'failed to pull and unpack image "{full}": failed to resolve reference '
            f'"{full}": {full}: not found')


def backoff_message(image: str) -> str:
    # pkg/kubelet/images/image_manager.go: `Back-off pulling image %q`
    return f'Back-off pulling image "{image}"'
