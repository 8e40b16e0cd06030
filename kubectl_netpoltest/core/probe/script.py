r"""The bash program that runs every probe of one source pod inside the debug container.

Why one constant script: the old tool built `sh -c "nc -z $host $port"` strings, so a host in a
spec was shell code. Here the program text never changes; hosts, ports and ids reach it only as
positional parameters (`bash -c SCRIPT netpoltest <args...>`) and are only ever expanded inside
double quotes, so no value can become syntax. `probes.build_batch_command` validates them too.

Why bash and these tools: the debug image is agnhost (Alpine: bash, netcat-openbsd, bind-tools
dig, musl getent, busybox). The sandbox maps the same names onto Debian's binaries. Nothing else
is assumed; in particular there is no Python or agnhost-connect call, so the script also works
in any image that has bash + nc + dig + getent.

Arguments: TIMEOUT ATTEMPTS PARALLELISM DNS_TIMEOUT, then one quadruple per probe:
ID HOST PORT METHOD, where METHOD is `tcp`, `udp` (reply required) or `dns` (UDP 53, real query).

Methods, chosen from measurements (see tests/netns/test_probe_script.py):
* tcp: `nc -vz -n -w T`; the verdict comes from nc's message, because nc exits 1 for refused,
  rejected and timed out alike. Exec'ing nc is most of the batch's CPU (~2.5 ms an attempt),
  but bash's own `/dev/tcp` (a fork without exec, half the CPU; issue 9) is NOT an option: its
  connect() blocks, and Linux drops an ICMP error that arrives while connect() still holds the
  socket (nstat TcpExtLockDroppedIcmps), which is what a same-node reject does; the rejection
  then only shows after the SYN retransmit (~1 s), so with a 1 s timeout a REJECTED port reads
  as a drop. nc's non-blocking connect sees it at once (tests/netns/test_probe_script.py:
  tcp-adm; tests/bench/probe_script_bench.py compares candidate scripts).
* udp: bash's own `/dev/udp/ADDR/PORT` socket. It is *connected*, so ICMP errors surface as
  errno on the next read ("Connection refused", "No route to host", "Permission denied"), and
  a reply is a successful one-byte read. `nc -u` cannot be used: it exits 0 without a message
  on ICMP errors and on silence alike.
* dns: `dig +norecurse +time=T +tries=1 -p PORT @ADDR . NS`; any response is a connection.
* names, inside the pod (its resolv.conf, search list and ndots), every distinct address probed
  separately, with the first resolver the image has (docs/probe-images.md):
  1. `getent ahosts NAME` (glibc; musl-utils since `ahosts` was added): getaddrinfo, all
     addresses, the pod's own resolver semantics;
  2. `getent hosts NAME` (older musl-utils): the same resolver and search list, but musl's
     getent prints only the first address, so `dig` adds the other A/AAAA records of the
     canonical name getent found (when the image has dig);
  3. `dig +search NAME A/AAAA` (no getent): resolv.conf's nameserver, search list and ndots,
     but not /etc/hosts;
  otherwise the lookup fails with exit 127 and a message naming the missing tool: an ERROR,
  never a verdict. On failure a bounded `dig +search` adds the DNS status (NXDOMAIN, SERVFAIL,
  timed out) to the evidence. Without `timeout` the lookups run unbounded inside the exec's own
  deadline.
* TCP needs netcat-openbsd: another `nc` (busybox, ncat) prints other words, so its attempts
  exit 127 with a message naming what was found, instead of being read.

Output, one line per event, each written by ONE `printf '%s'` of the whole line including its
newline (shorter than 4 KiB, so a single write to the exec pipe, which parallel jobs cannot
interleave; musl's small stdio buffer is the reason the format string is only '%s'):

    NPT1 BEGIN <tasks> <timeout> <attempts> <parallelism>
    NPT1 ADDR  <id> <host> <addr>[,<addr>...]
    NPT1 RES   <id> <host> <addr|-> <method|resolve> <elapsed_ms> <n> (<rc> <message>){n}
    NPT1 ERR   <id> <message>
    NPT1 END   <tasks>

Fields are TAB-separated; messages are truncated to 200 bytes and escaped (\\ \t \n \r).
"""

from __future__ import annotations

SCRIPT_VERSION = "NPT1"
MAX_MESSAGE_BYTES = 200

SCRIPT = r"""
shopt -u patsub_replacement 2>/dev/null
set -u
export LC_ALL=C LANG=C
TAB=$'\t' NL=$'\n' CR=$'\r' BS='\'
V=NPT1 MAXMSG=200

emit() { local IFS=$TAB; local line="$*"; printf '%s' "$line$NL"; }
esc() {
  local s=${1:0:${2:-$MAXMSG}}
  s=${s//"$BS"/"$BS$BS"}; s=${s//"$TAB"/"${BS}t"}; s=${s//"$NL"/"${BS}n"}; s=${s//"$CR"/"${BS}r"}
  REPLY=$s
}
now_ms() { local t=${EPOCHREALTIME:-0.0}; t=${t//[.,]/}; REPLY=$(( 10#$t / 1000 )); }

if (( $# < 4 )); then emit "$V" FATAL "missing arguments"; exit 2; fi
T=$1 N=$2 P=$3 DT=$4
shift 4
re_small='^[1-9][0-9]{0,2}$'
if ! [[ $T =~ $re_small && $N =~ $re_small && $P =~ $re_small && $DT =~ $re_small ]] \
   || (( $# % 4 != 0 )); then
  emit "$V" FATAL "bad arguments"; exit 2
fi
W_MS=$(( T * 1000 / 3 ))
printf -v W '%d.%03d' $(( W_MS / 1000 )) $(( W_MS % 1000 ))
PAYLOAD="netpoltest ${SRANDOM:-$RANDOM}$RANDOM$NL"

# What this image offers, checked once per batch (docs/probe-images.md).
have() { command -v "$1" >/dev/null 2>&1; }
have timeout || timeout() { shift; "$@"; }
HAVE_DIG=; have dig && HAVE_DIG=1
RESOLVER=none
if have getent; then
  if getent ahosts 127.0.0.1 >/dev/null 2>&1; then RESOLVER=ahosts; else RESOLVER=hosts; fi
elif [[ -n $HAVE_DIG ]]; then
  RESOLVER=dig
fi
NC_KIND="no nc"
if have nc; then
  case $(nc -h 2>&1 </dev/null) in
    *OpenBSD*) NC_KIND=openbsd ;;
    *BusyBox*) NC_KIND="busybox nc" ;;
    *Ncat*) NC_KIND="nmap ncat" ;;
    *) NC_KIND="an unknown nc" ;;
  esac
fi

keep_dig() {
  local rest=$1 line out=
  while [[ -n $rest ]]; do
    line=${rest%%"$NL"*}
    if [[ $rest == *"$NL"* ]]; then rest=${rest#*"$NL"}; else rest=; fi
    case $line in
      ';; ->>HEADER'*|';; communications error'*|';; no servers'*|';; connection timed out'*|\
      ';; Warning'*|';; ERROR'*|'dig:'*|*[Ff]ailed*|*[Ee]rror*|*Terminated*|*'not found'*)
        out+=${out:+$NL}$line ;;
    esac
  done
  REPLY=$out
}

collect() {
  local rest=$1 line a
  while [[ -n $rest ]]; do
    line=${rest%%"$NL"*}
    if [[ $rest == *"$NL"* ]]; then rest=${rest#*"$NL"}; else rest=; fi
    a=${line%%[[:space:]]*}
    [[ $a =~ ^[0-9A-Fa-f.:]+$ && $a == *[.:]* ]] || continue
    [[ " ${ADDRS[*]-} " == *" $a "* ]] && continue
    ADDRS+=("$a")
  done
}

dig_answers() {
  local name=$1 t line rest n ttl cls typ data rc
  DIG_RC=0
  for t in A AAAA; do
    rest=$(timeout "$DT" dig +search +time=1 +tries=1 +noall +answer "$name" "$t" 2>/dev/null)
    rc=$?
    (( rc != 0 )) && DIG_RC=$rc
    while [[ -n $rest ]]; do
      line=${rest%%"$NL"*}
      if [[ $rest == *"$NL"* ]]; then rest=${rest#*"$NL"}; else rest=; fi
      read -r n ttl cls typ data <<< "$line"
      [[ ${typ-} == "$t" ]] && collect "$data"
    done
  done
}

resolve() {
  local out rc d canon junk
  ADDRS=() RC=0 DIAG=
  case $RESOLVER in
    ahosts|hosts) out=$(timeout "$DT" getent "$RESOLVER" "$1" 2>&1); rc=$? ;;
    dig)
      dig_answers "$1"
      (( ${#ADDRS[@]} > 0 )) && return 0
      # dig exits 9 when no server answered: report that as a lookup timeout
      out="dig +search found no address"; rc=2
      (( DIG_RC == 9 || DIG_RC == 124 || DIG_RC == 143 )) && rc=124 ;;
    *) RC=127 DIAG="no name resolution tool in the debug container: it has neither getent nor dig"
       return 1 ;;
  esac
  if (( rc == 0 )); then
    collect "$out"
    if [[ $RESOLVER == hosts && -n $HAVE_DIG && ${#ADDRS[@]} -gt 0 ]]; then
      read -r junk canon junk <<< "$out"
      [[ -n ${canon-} ]] && dig_answers "$canon."
    fi
    (( ${#ADDRS[@]} > 0 )) && return 0
    DIAG="getent: no usable address: $out"
    return 1
  fi
  RC=$rc DIAG=$out
  if [[ -n $HAVE_DIG ]] && (( rc == 2 || rc == 124 || rc == 137 || rc == 143 )); then
    d=$(timeout "$DT" dig +search +time=1 +tries=1 "$1" 2>&1)
    keep_dig "$d"
    DIAG+=${DIAG:+$NL}$REPLY
  fi
  return 1
}

tcp_once() {
  if [[ $NC_KIND != openbsd ]]; then
    printf 'TCP probes need netcat-openbsd; this image has %s' "$NC_KIND"; return 127
  fi
  nc -vz -n -w "$T" "$1" "$2" </dev/null 2>&1
}
udp_once() {
  local fd s r junk
  exec {fd}<>"/dev/udp/$1/$2" || return 3
  for s in 1 2 3; do
    printf '%s' "$PAYLOAD" >&"$fd" || return 4
    IFS= read -r -t "$W" -N 1 junk <&"$fd"
    r=$?
    if (( r == 0 )); then printf 'reply received'; return 0; fi
    (( r > 128 )) || return 5
  done
  printf 'no reply'
  return 10
}
dns_once() {
  local out rc
  out=$(dig +norecurse +time="$T" +tries=1 -p "$2" "@$1" . NS 2>&1); rc=$?
  keep_dig "$out"
  printf '%s' "$REPLY"
  return $rc
}

probe_addr() {
  local eid=$1 ehost=$2 a=$3 port=$4 method=$5 i out rc start fields=()
  now_ms; start=$REPLY
  for (( i = 1; i <= N; i++ )); do
    case $method in
      tcp)
        # nc straight in the substitution: bash execs it in the forked child (one process
        # per attempt, not two as through a function)
        if [[ $NC_KIND == openbsd ]]; then
          out=$(nc -vz -n -w "$T" "$a" "$port" </dev/null 2>&1); rc=$?
        else
          out=$(tcp_once "$a" "$port"); rc=$?
        fi ;;
      udp) out=$(udp_once "$a" "$port" 2>&1); rc=$? ;;
      dns) out=$(dns_once "$a" "$port"); rc=$? ;;
    esac
    esc "$out"
    fields+=("$rc" "$REPLY")
    case $method in
      tcp|dns) if (( rc == 0 )) || [[ $out != *'timed out'* ]]; then break; fi ;;
      udp) if (( rc != 10 )); then break; fi ;;
    esac
  done
  now_ms
  emit "$V" RES "$eid" "$ehost" "$a" "$method" "$(( REPLY - start ))" \
    "$(( ${#fields[@]} / 2 ))" "${fields[@]}"
}

task() {
  local id=$1 host=$2 port=$3 method=$4 eid a start joined
  esc "$id" 512; eid=$REPLY
  if ! [[ $host =~ ^[A-Za-z0-9_:][A-Za-z0-9_.:-]*$ && $port =~ ^[1-9][0-9]{0,4}$ ]] \
     || (( 10#$port > 65535 )) || ! [[ $method == tcp || $method == udp || $method == dns ]]; then
    emit "$V" ERR "$eid" "invalid probe arguments"
    return
  fi
  if [[ $host == *:* || $host =~ ^[0-9.]+$ ]]; then
    ADDRS=("$host")
  else
    now_ms; start=$REPLY
    if ! resolve "$host"; then
      esc "$DIAG"
      local diag=$REPLY
      now_ms
      emit "$V" RES "$eid" "$host" - resolve "$(( REPLY - start ))" 1 "$RC" "$diag"
      return
    fi
  fi
  joined=${ADDRS[*]}
  emit "$V" ADDR "$eid" "$host" "${joined// /,}"
  for a in "${ADDRS[@]}"; do
    probe_addr "$eid" "$host" "$a" "$port" "$method"
  done
}

total=$(( $# / 4 ))
emit "$V" BEGIN "$total" "$T" "$N" "$P"
# The pool: a pipe holding P one-byte tokens. A task takes one before it starts and puts it
# back when it ends, so a slot is refilled the moment any probe ends, with no process spawned
# to count the running jobs (a `$(jobs -rp)` per start cost 50 forks per pod; bash 5.2's
# `wait -n` misses jobs that ended before it was called: `wait -n -p PID` then returns 127, with
# or without `set -m`, so a scheduler that runs nc as the job itself, without the task
# subshell, has no reliable way to learn which attempt ended). `exec {fd}<> <(:)` opens the pipe
# of a process substitution for reading and writing (Linux /proc/self/fd), so it never sees EOF.
exec {SEM}<> <(:)
for (( i = 0; i < P; i++ )); do printf '.' >&"$SEM"; done
while (( $# >= 4 )); do
  read -r -N 1 -u "$SEM" tok
  { task "$1" "$2" "$3" "$4"; printf '.' >&"$SEM"; } &
  shift 4
done
wait
emit "$V" END "$total"
"""
