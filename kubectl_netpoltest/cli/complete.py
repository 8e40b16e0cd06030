"""`__complete`: shell completion answers in cobra's protocol, the one kubectl speaks.

kubectl >= 1.26 completes `kubectl netpoltest ...` by running `kubectl_complete-netpoltest`
with the words after the plugin name (the last one is the word being completed, maybe empty)
and reading cobra's format back: one candidate per line (`value<TAB>description`), then a line
`:<directive>`. Our own bash/zsh/fish scripts (cli/completion.py) read the same answers, so one
implementation serves every shell. Directives (cobra's ShellCompDirective): 4 = no file
completion, 8 = the candidates are file extensions to filter on.

Candidates: subcommands, each command's flags, kubeconfig contexts/clusters/users, namespaces
from the cluster (with a short timeout; nothing when it is unreachable), choices of -o and other
choice flags, and `*.yaml`/`*.yml` files where a command takes a spec.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.kubeflags import HOISTABLE

DEFAULT = 0
NO_FILES = 4
FILTER_EXT = 8
_KUBECONFIG_LISTS = {"--context": "contexts", "--cluster": "clusters", "--user": "users"}
_FILE_FLAGS = {"--kubeconfig", "--junit", "--html"}
_SPEC_COMMANDS = {"validate", "plan", "prepare", "execute", "cleanup", "explain", "doctor"}


def _kubeconfig_names(words: Sequence[str], section: str) -> list[str]:
    import yaml

    from kubectl_netpoltest.cluster.kubeconfig import kubeconfig_files

    flag = _value_of(words, "--kubeconfig")
    names: list[str] = []
    try:
        files = kubeconfig_files(flag=flag, environ=ENV.environ)
    except Exception:
        return []
    for path in files:
        try:
            with Path(path).open(encoding="utf-8") as handle:
                data = yaml.safe_load(handle) or {}
        except (OSError, yaml.YAMLError):
            continue
        for item in data.get(section) or []:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                names.append(item["name"])
    return list(dict.fromkeys(names))


def _namespaces(words: Sequence[str]) -> list[str]:
    """The cluster's namespaces, as `kubectl get ns` would list them; [] on any failure."""
    try:
        from kubectl_netpoltest.cli.connect import settings_for
        from kubectl_netpoltest.cli.kubeflags import KubeFlags
        from kubectl_netpoltest.cluster.kube import connect
        from kubectl_netpoltest.cluster.objectreads import Kind, reader_for

        flags = KubeFlags(
            kubeconfig=_value_of(words, "--kubeconfig"),
            context=_value_of(words, "--context"),
            request_timeout=3.0,
        )
        settings = settings_for(flags, require=True)
        gateway = connect(settings=settings, request_timeout=3.0)
        reader = reader_for(gateway, context=settings.context, request_timeout=3.0)
        items = reader.list_objects(kind=Kind.NAMESPACES, namespace=None)
        return sorted(str((i.get("metadata") or {}).get("name")) for i in items)
    except Exception:
        return []


NAMESPACE_LISTER: Callable[[Sequence[str]], list[str]] = _namespaces


def _value_of(words: Sequence[str], flag: str) -> str | None:
    for index, word in enumerate(words):
        if word == flag and index + 1 < len(words):
            return words[index + 1]
        if word.startswith(flag + "="):
            return word.split("=", 1)[1]
    return None


def _options(command: Any) -> dict[str, Any]:
    """Every option name of a click command -> its parameter."""
    found: dict[str, Any] = {}
    for param in getattr(command, "params", []):
        for name in [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]:
            if name.startswith("-"):
                found[name] = param
    return found


def _takes_value(param: Any) -> bool:
    return not (getattr(param, "is_flag", False) or getattr(param, "count", False))


def _choices(param: Any) -> list[str]:
    holder = getattr(param, "type_descriptor", None) or getattr(param, "type", None)
    choices = getattr(holder, "choices", None)
    return [str(getattr(c, "value", c)) for c in choices] if choices else []


def complete(words: Sequence[str], *, root: Any) -> tuple[list[str], int]:
    """Candidates and directive for `words` (the last one is being completed).

    `root` is the root click command; the caller passes it so that this module never imports
    cli.app (which imports this one).
    """
    *before, current = list(words) or [""]
    commands: dict[str, Any] = getattr(root, "commands", {})
    command = None
    expecting: str | None = None
    for word in before:
        if expecting is not None:
            expecting = None
            continue
        options: dict[str, Any] = _options(command) if command is not None else {}
        if word.startswith("-"):
            name = word.split("=", 1)[0]
            if "=" not in word and (
                (name in options and _takes_value(options[name]))
                or (name in HOISTABLE and name not in options and HOISTABLE[name])
            ):
                expecting = name
            continue
        if command is None and word in commands:
            command = commands[word]
    options = _options(command) if command is not None else {}
    if expecting is not None:
        return _flag_values(expecting, options.get(expecting), before)
    if current.startswith("-"):
        names = list(options) if command is not None else ["--help", "--version", *HOISTABLE]
        return sorted(n for n in dict.fromkeys(names) if n.startswith(current)), NO_FILES
    if command is None:
        rows = []
        for name, sub in commands.items():
            if getattr(sub, "hidden", False) or not name.startswith(current):
                continue
            summary = " ".join((sub.help or "").split("\n\n")[0].split())
            rows.append(f"{name}\t{summary.split('. ')[0].rstrip('.')}")
        return rows, NO_FILES
    name = getattr(command, "name", "")
    if name in _SPEC_COMMANDS:
        return ["yaml", "yml"], FILTER_EXT
    if name == "completion":
        return [s for s in ("bash", "zsh", "fish", "kubectl") if s.startswith(current)], NO_FILES
    return [], DEFAULT


def _flag_values(flag: str, param: Any, words: Sequence[str]) -> tuple[list[str], int]:
    if flag in _KUBECONFIG_LISTS:
        return _kubeconfig_names(words, _KUBECONFIG_LISTS[flag]), NO_FILES
    if flag in ("-n", "--namespace"):
        return NAMESPACE_LISTER(words), NO_FILES
    if flag in _FILE_FLAGS:
        return [], DEFAULT
    choices = _choices(param) if param is not None else []
    return choices, NO_FILES


def answer(words: Sequence[str], *, root: Any) -> str:
    """The text cobra's protocol expects on stdout."""
    candidates, directive = complete(words, root=root)
    current = words[-1] if words else ""
    if directive == NO_FILES and not current.startswith("-"):
        candidates = [c for c in candidates if c.split("\t", 1)[0].startswith(current)]
    return "".join(f"{c}\n" for c in candidates) + f":{directive}\n"
