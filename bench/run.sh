#!/usr/bin/env bash
#
# The burst benchmark, in one command (see bench/README.md):
#
#   bench/run.sh [--duration 10] [--quick] [--reload-every 2s] [--restart-every 5s] [--profile] [...]
#   bench/run.sh --help            every option
#   bench/run.sh --sticky-keys 0 --timers 0     without issue 13's sticky-key and timer scenarios
#
# Builds the project if a source is newer than the benchmark's jar (BENCH_SKIP_BUILD=1 skips that),
# installs wrk, and gunicorn and nginx for the gunicorn+nginx comparison (--no-peer skips it), from Debian
# when they are missing (as root, or through sudo -n), raises the open-files limit (ulimit -n 300000 where
# allowed) for the idle-connection scenarios, starts burst from the unpacked distribution (and two more,
# route=any and route=key, for the sticky scenario), the plain Helidon baseline and, for one comparison,
# gunicorn+nginx, drives them, prints a table and writes bench/results/<timestamp>.json, latest.json and
# <timestamp>.svg. Everything it starts listens on 127.0.0.1 only and is stopped by PID at the end, on
# failure and on Ctrl-C.
#
# Environment: BENCH_JAVA_OPTS  options of the benchmark's own JVM (the load generator).
set -euo pipefail

SELF=$(readlink -f -- "${BASH_SOURCE[0]}")
ROOT=$(dirname -- "$(dirname -- "$SELF")")
cd "$ROOT"
version=$(sed -n '/<artifactId>burst-parent<\/artifactId>/{n;s:.*<version>\(.*\)</version>.*:\1:p;q}' pom.xml)
DIST=$ROOT/dist/target/burst-$version/burst-$version
JAR=$ROOT/bench/target/burst-bench-$version.jar

for arg in "$@"; do
    if [[ $arg == --help || $arg == -h ]]; then
        sed -n '3,18p' "$SELF" | sed 's/^# \{0,1\}//'
        if [[ -f $JAR && -x $DIST/bin/burst ]]; then
            "$("$DIST/bin/burst" java)" -cp "$JAR:$ROOT/bench/target/lib/*" dev.burst.bench.Bench --help 2>&1 || true
        fi
        exit 0
    fi
done

# ---- build, when needed ---------------------------------------------------------------------------------
stale() {
    [[ ! -x $DIST/bin/burst || ! -f $JAR ]] && return 0
    [[ -n $(find pom.xml ./*/pom.xml ./*/src plugins -newer "$JAR" -type f -print -quit 2>/dev/null) ]]
}
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]] && stale; then
    echo "bench: building (./mvnw -q -DskipTests package) ..."
    ./mvnw -q -B -DskipTests package
fi
[[ -x $DIST/bin/burst && -f $JAR ]] || { echo "bench: $DIST or $JAR is missing; build with ./mvnw -DskipTests package" >&2; exit 1; }

# ---- wrk, unless only Box runs; gunicorn and nginx for the comparison with them ---------------------------
wants_http=1
wants_peer=1
for ((i = 1; i <= $#; i++)); do
    if [[ ${!i} == --protocols ]]; then
        next=$((i + 1))
        [[ ${!next:-} == *http* ]] || wants_http=0
    elif [[ ${!i} == --protocols=* && ${!i} != *http* ]]; then
        wants_http=0
    elif [[ ${!i} == --no-peer ]]; then
        wants_peer=0
    fi
done
install_debian() { # installs Debian's packages "$@" as root or through sudo -n; fails if neither can
    if [[ $(id -u) == 0 ]]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    else
        return 1
    fi
}
has_nginx() { # nginx lives in /usr/sbin, which a non-root PATH may lack
    command -v nginx >/dev/null || [[ -x /usr/sbin/nginx || -x /usr/local/sbin/nginx ]]
}
extra=()
if ((wants_http)) && ! command -v wrk >/dev/null; then
    echo "bench: wrk is missing; installing Debian's package"
    install_debian wrk || true
    if ! command -v wrk >/dev/null; then
        echo "bench: cannot install wrk (not root, no sudo, or apt-get failed): running Box only" >&2
        extra=(--protocols box)
        wants_http=0
    fi
fi
if ((wants_http && wants_peer)) && ! { command -v gunicorn >/dev/null && has_nginx; }; then
    echo "bench: gunicorn or nginx is missing; installing Debian's packages (for the gunicorn+nginx comparison)"
    install_debian gunicorn nginx || true
    if ! { command -v gunicorn >/dev/null && has_nginx; }; then
        echo "bench: cannot install gunicorn and nginx (not root, no sudo, or apt-get failed): skipping the comparison with them" >&2
        extra+=(--no-peer)
    fi
fi

# ---- open files: the idle-connection scenarios hold tens of thousands of sockets in burst's proxy and in
# the benchmark's JVM, both started from here and inheriting this limit. Raising the hard limit needs root
# (CAP_SYS_RESOURCE) and stays below fs.nr_open; otherwise the soft limit goes up to the hard one. The
# benchmark caps its connection counts to what the limit allows and reports the limit in its JSON.
want=300000
nr_open=$(cat /proc/sys/fs/nr_open 2>/dev/null || echo "$want")
((want > nr_open)) && want=$nr_open
if ! ulimit -n "$want" 2>/dev/null; then
    ulimit -n "$(ulimit -H -n)" 2>/dev/null || true
fi
echo "bench: open-files limit $(ulimit -n) (wanted $want; hard limit $(ulimit -H -n), fs.nr_open $nr_open)"

# ---- run, and stop whatever it started, whatever happens ---------------------------------------------------
JAVA=$("$DIST/bin/burst" java)
PIDS=$(mktemp "${TMPDIR:-/tmp}/burst-bench-pids.XXXXXX")
BENCH_PID=

ours() { # true if pid $1 is alive and is one of the processes the benchmark starts (the peer's run in its temp dir)
    [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' < "/proc/$1/cmdline" \
        | grep -q -e '-Dburst.role=' -e 'dev.burst.bench.Baseline' -e '/burst-bench-[^ /]*/peer'
}

cleanup() {
    local rc=$? pid what i
    trap - EXIT INT TERM
    if [[ -n $BENCH_PID ]] && kill -0 "$BENCH_PID" 2>/dev/null; then
        kill -TERM "$BENCH_PID" 2>/dev/null || true       # its shutdown hook stops burst and the baseline
        i=0
        while ((i++ < 400)) && kill -0 "$BENCH_PID" 2>/dev/null; do sleep 0.1; done
    fi
    local left=()
    while read -r pid what; do
        if ours "$pid"; then
            left+=("$pid")
            kill -TERM "$pid" 2>/dev/null || true
        fi
    done < "$PIDS"
    for ((i = 0; i < 100; i++)); do
        local alive=0
        for pid in "${left[@]}"; do ours "$pid" && alive=1; done
        ((alive)) || break
        sleep 0.1
    done
    for pid in "${left[@]}"; do
        if ours "$pid"; then
            echo "bench: killing $pid ($(grep -m1 "^$pid " "$PIDS" | cut -d' ' -f2-))" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    rm -f "$PIDS"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck disable=SC2086  # BENCH_JAVA_OPTS is a list of options, split on purpose
"$JAVA" ${BENCH_JAVA_OPTS:-} -cp "$JAR:$ROOT/bench/target/lib/*" dev.burst.bench.Bench \
    --dist "$DIST" --results "$ROOT/bench/results" --pid-file "$PIDS" "${extra[@]}" "$@" &
BENCH_PID=$!
wait "$BENCH_PID"
