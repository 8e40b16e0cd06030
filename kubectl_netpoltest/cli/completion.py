"""`kubectl netpoltest completion bash|zsh|fish|kubectl`: shell completion scripts.

`kubectl` prints the `kubectl_complete-netpoltest` helper that kubectl >= 1.26 runs to complete
`kubectl netpoltest ...` (the release archive ships it; put it on PATH next to the plugin). The
shell scripts complete the `kubectl-netpoltest` command itself. All of them ask the plugin
(`__complete`, cli/complete.py) and read cobra's answer format.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from kubectl_netpoltest.cli.environment import ENV

HELPER = """#!/bin/sh
# kubectl >= 1.26 runs this to complete `kubectl netpoltest ...`; keep it on PATH next to
# kubectl-netpoltest. It answers in cobra's __complete format.
exec kubectl-netpoltest __complete "$@"
"""

BASH = r"""# bash completion for kubectl-netpoltest: source <(kubectl-netpoltest completion bash)
_kubectl_netpoltest() {
    local cur="${COMP_WORDS[COMP_CWORD]}" out directive line
    local -a candidates=()
    out=$(kubectl-netpoltest __complete "${COMP_WORDS[@]:1:$COMP_CWORD}" 2>/dev/null) || return
    directive=${out##*:}
    while IFS= read -r line; do
        [[ -z "$line" || "$line" == :* ]] && continue
        candidates+=("${line%%$'\t'*}")
    done <<< "$out"
    COMPREPLY=()
    if (( directive & 8 )); then
        local ext pattern="" IFS=$'\n'
        for ext in "${candidates[@]}"; do pattern+="${pattern:+|}*.$ext"; done
        COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X "!@($pattern)" -- "$cur"))
        return
    fi
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "${candidates[*]}" -- "$cur"))
    if (( ${#COMPREPLY[@]} == 0 && !(directive & 4) )); then
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
shopt -s extglob 2>/dev/null
complete -o filenames -F _kubectl_netpoltest kubectl-netpoltest
"""

ZSH = r"""#compdef kubectl-netpoltest
# zsh completion for kubectl-netpoltest: source <(kubectl-netpoltest completion zsh)
_kubectl_netpoltest() {
    local out directive line
    local -a lines comps
    out=$(kubectl-netpoltest __complete "${(@)words[2,CURRENT]}" 2>/dev/null) || return
    lines=("${(@f)out}")
    directive=${lines[-1]#:}
    lines=("${(@)lines[1,-2]}")
    if (( directive & 8 )); then
        _files -g "*.(${(j:|:)lines})"
        return
    fi
    for line in $lines; do comps+=("${line/$'\t'/:}"); done
    if (( ${#comps} )); then
        _describe 'kubectl-netpoltest' comps
    elif (( !(directive & 4) )); then
        _files
    fi
}
compdef _kubectl_netpoltest kubectl-netpoltest
"""

FISH = r"""# fish completion for kubectl-netpoltest: kubectl-netpoltest completion fish | source
function __kubectl_netpoltest_complete
    set -l args (commandline -opc)[2..-1] (commandline -ct)
    set -l out (kubectl-netpoltest __complete $args 2>/dev/null)
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    if test (math "bitand($directive, 8)") -ne 0
        for ext in $out
            __fish_complete_suffix .$ext
        end
        return
    end
    if test (count $out) -eq 0; and test (math "bitand($directive, 4)") -eq 0
        __fish_complete_path (commandline -ct)
        return
    end
    printf '%s\n' $out
end
complete -c kubectl-netpoltest -f -a '(__kubectl_netpoltest_complete)'
"""


class Shell(StrEnum):
    BASH = "bash"
    ZSH = "zsh"
    FISH = "fish"
    KUBECTL = "kubectl"


SCRIPTS = {Shell.BASH: BASH, Shell.ZSH: ZSH, Shell.FISH: FISH, Shell.KUBECTL: HELPER}


def completion(
    shell: Annotated[Shell, typer.Argument(help="bash, zsh, fish, or kubectl.", metavar="SHELL")],
) -> None:
    """Print a shell completion script.

    bash: source <(kubectl-netpoltest completion bash). zsh: source <(kubectl-netpoltest
    completion zsh). fish: kubectl-netpoltest completion fish | source. kubectl: the
    kubectl_complete-netpoltest helper that kubectl 1.26+ uses to complete `kubectl netpoltest`;
    save it as an executable file named kubectl_complete-netpoltest on your PATH (the release
    archive already contains it).
    """
    ENV.stdout.write(SCRIPTS[shell])
