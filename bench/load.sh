#!/usr/bin/env bash
# make load: a bounded load test of the API under gunicorn, with wrk.
#
# Builds a fresh seeded SQLite database in a temporary folder, serves it with gunicorn.conf.py on
# 127.0.0.1 (rate limits lifted), discovers ids, cursors and names from the running API, checks
# that every path of the mix answers 2xx, then runs wrk with bench/load.lua (a weighted mix of
# endpoints) and prints one summary. Exits 1 when there were socket errors, non-2xx responses or
# error lines in the server log during the run; 2 when the setup failed.
#
#   LOAD_DURATION=60s     wrk duration (wrk syntax: 30s, 2m)
#   LOAD_CONNECTIONS=64   open connections
#   LOAD_THREADS=2        wrk threads (at most LOAD_CONNECTIONS)
#   LOAD_TIMEOUT=10s      a response slower than this counts as a socket error (timeout); 64
#                         connections queue on 2 cores, so p99 is over a second here
#   LOAD_PATHS_OUT        also write the mix's paths to this file
#   LOAD_PORT             port to bind (default 8077, or a free one when 8077 is taken)
#   WEB_CONCURRENCY, GUNICORN_THREADS   gunicorn workers and threads (gunicorn.conf.py)
set -euo pipefail

cd "$(dirname "$0")/.."

duration=${LOAD_DURATION:-60s}
connections=${LOAD_CONNECTIONS:-64}
threads=${LOAD_THREADS:-2}
request_timeout=${LOAD_TIMEOUT:-10s}
venv=${VENV:-.venv}
py=$venv/bin/python
startup_timeout=30 # seconds for gunicorn to answer

die() {
    echo "load: $*" >&2
    exit 2
}

seconds_of() { # NAME VALUE: a wrk time (60, 60s, 2m, 1h; whole numbers, no ms) -> seconds
    local number=${2%[smh]} unit=${2##*[0-9]}
    if ! [[ $number =~ ^[0-9]+$ && $unit =~ ^[smh]?$ ]] || ((10#$number == 0)); then
        die "$1 must be a whole number of seconds, minutes or hours (60s, 2m, 1h), got '$2'"
    fi
    case $unit in
    m) echo $((10#$number * 60)) ;;
    h) echo $((10#$number * 3600)) ;;
    *) echo $((10#$number)) ;;
    esac
}
duration_s=$(seconds_of LOAD_DURATION "$duration")
seconds_of LOAD_TIMEOUT "$request_timeout" >/dev/null
[[ $connections =~ ^[0-9]+$ && $connections -gt 0 ]] || die "LOAD_CONNECTIONS must be a positive integer"
[[ $threads =~ ^[0-9]+$ && $threads -gt 0 ]] || die "LOAD_THREADS must be a positive integer"
((threads <= connections)) || threads=$connections
[[ -x $py && -x $venv/bin/gunicorn && -x $venv/bin/flask ]] || die "no $venv: run 'make install' first"

# 1. wrk, from Debian
if ! command -v wrk >/dev/null; then
    [[ $(id -u) == 0 ]] || die "wrk is missing; install it (apt-get install wrk) or run as root"
    echo "load: installing wrk from Debian"
    export DEBIAN_FRONTEND=noninteractive
    timeout 300 apt-get update -qq
    timeout 300 apt-get install -y -qq wrk >/dev/null
fi

# 2. a fresh seeded database, removed on exit with everything else
tmp=$(mktemp -d "${TMPDIR:-/tmp}/veille-load.XXXXXX")
gunicorn_pid=
cleanup() {
    local status=$?
    if [[ -n $gunicorn_pid ]] && kill -0 "$gunicorn_pid" 2>/dev/null; then
        kill -TERM "$gunicorn_pid" 2>/dev/null || true
        for _ in $(seq 50); do # graceful stop, at most 10 s, then kill
            kill -0 "$gunicorn_pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$gunicorn_pid" 2>/dev/null || true
        wait "$gunicorn_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export DATABASE_URL="sqlite:///$tmp/load.sqlite3"
export VEILLE_RATE_LIMIT_ANONYMOUS=1000000/minute # lift the anonymous rate limit for the run
export FLASK_APP=api
# gunicorn.conf.py keeps Prometheus files in a fresh temporary folder unless told where
export PROMETHEUS_MULTIPROC_DIR=$tmp/metrics
mkdir "$PROMETHEUS_MULTIPROC_DIR"
echo "load: building a seeded SQLite database in $tmp"
timeout 120 "$venv/bin/flask" --app api migrate >"$tmp/migrate.log" 2>&1 || {
    cat "$tmp/migrate.log" >&2
    die "flask migrate failed"
}
timeout 120 "$venv/bin/flask" --app api seed >"$tmp/seed.log" 2>&1 || {
    cat "$tmp/seed.log" >&2
    die "flask seed failed"
}

# 3. gunicorn on 127.0.0.1, with the project's gunicorn.conf.py
port_is_free() {
    "$py" -c 'import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}
if [[ -n ${LOAD_PORT:-} ]]; then
    port=$LOAD_PORT
    port_is_free "$port" || die "LOAD_PORT $port is in use"
elif port_is_free 8077; then
    port=8077
else
    port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
base="http://127.0.0.1:$port"

read -r workers gthreads worker_class < <("$py" -c 'import runpy
c = runpy.run_path("gunicorn.conf.py")
print(c.get("workers", 1), c.get("threads", 1), c.get("worker_class", "sync"))')

"$venv/bin/gunicorn" --config gunicorn.conf.py --bind "127.0.0.1:$port" "api:create_app()" \
    >"$tmp/gunicorn.log" 2>&1 &
gunicorn_pid=$!

gunicorn_log_tail() {
    echo "--- gunicorn log (last 40 lines) ---" >&2
    tail -n 40 "$tmp/gunicorn.log" >&2 || true
}
deadline=$((SECONDS + startup_timeout))
until curl -fsS -o /dev/null --max-time 2 "$base/v1" 2>/dev/null; do
    if ! kill -0 "$gunicorn_pid" 2>/dev/null; then
        gunicorn_log_tail
        die "gunicorn exited during startup"
    fi
    if ((SECONDS >= deadline)); then
        gunicorn_log_tail
        die "gunicorn did not answer on $base/v1 within ${startup_timeout}s"
    fi
    sleep 0.2
done
echo "load: gunicorn (pid $gunicorn_pid) answers on $base: $workers workers x $gthreads threads ($worker_class)"

# 4a. discover ids, cursors and names; write the mix's paths, "<kind>\t<path>" per line
mix=$tmp/paths.tsv
: >"$mix"
add() { printf '%s\t%s\n' "$1" "$2" >>"$mix"; }
get() { curl -fsS --max-time 10 "$base$1"; }
# pick EXPR [ARG...]: print each element of the Python list EXPR computed from the JSON document on
# stdin (d) and the ARGs (a); q() URL-encodes a string
pick() {
    "$py" -c 'import json, sys
from urllib.parse import quote
def q(s):
    return quote(str(s), safe="")
d, a = json.load(sys.stdin), sys.argv[2:]
for x in eval(sys.argv[1]):
    print(x)' "$@"
}

add root /v1
for c in articles entities statements events; do
    ids=$(get "/v1/$c?limit=500&fields=id" | pick '[i["id"] for i in d["data"]]')
    for id in $ids; do add item "/v1/$c/$id"; done
done
# the most quoted speakers, the most frequent event participants, the most mentioned entities
speakers=$(get '/v1/statements?limit=1&facets=speaker&facet_size=4' |
    pick '[v["value"] for v in d["meta"]["facets"]["speaker"]["values"]]')
participants=$(get '/v1/events?limit=1&facets=participant&facet_size=4' |
    pick '[v["value"] for v in d["meta"]["facets"]["participant"]["values"]]')
mentioned=$(get '/v1/articles?limit=1&facets=entity&facet_size=4' |
    pick '[v["value"] for v in d["meta"]["facets"]["entity"]["values"]]')
# the (last four) years with statements or articles
years=$(get '/v1/timeline?interval=year' |
    pick '[b["label"] for b in d["buckets"] if b["statements"] or b["articles"]][-4:]')
# names to resolve: the speakers' canonical names and first three spellings
# shellcheck disable=SC2086 # one argument per speaker
names=$(get '/v1/entities?limit=500&fields=name,aliases' |
    pick '[q(n) for e in d["data"] if e["id"] in a for n in [e["name"]] + [x["alias"] for x in e["aliases"][:3]]]' \
        $speakers)
[[ -n $speakers && -n $participants && -n $mentioned && -n $years && -n $names ]] ||
    die "discovery found no speakers, participants, entities, years or names"
year_first=$(head -n 1 <<<"$years")
year_last=$(tail -n 1 <<<"$years")

for s in $speakers; do
    add list "/v1/statements?speaker=$s"
    add list "/v1/statements?speaker=$s&kind=direct&sort=-said_on"
    add list "/v1/statements?about=$s&limit=10"
    add facets "/v1/statements?speaker=$s&facets=about,kind&limit=1"
    add timeline "/v1/timeline?interval=month&entity=$s"
    add relations "/v1/entities/$s/relations"
    add csv "/v1/statements?speaker=$s&format=csv"
done
for p in $participants; do
    add list "/v1/events?participant=$p&date_from=$year_first&expand=participants"
    add timeline "/v1/timeline?interval=year&entity=$p&event_type=meeting&event_type=summit"
    add relations "/v1/entities/$p/relations?type=person&limit=5"
done
for e in $mentioned; do
    add list "/v1/articles?entity=$e&published_from=$year_first&fields=title,published"
    add list "/v1/statements?about=$e&said_from=$year_first&said_to=$year_last"
done
for y in $years; do
    add list "/v1/statements?said_from=$y&said_to=$y&limit=20"
    add list "/v1/events?date_from=$y&date_to=$y&sort=-date"
    add timeline "/v1/timeline?interval=week&date_from=$y-01-01&date_to=$y-12-31"
done
for n in $names; do
    add resolve "/v1/entities/resolve?name=$n"
    add list "/v1/statements?speaker_name=$n&expand=speaker&fields=text,said_on,speaker"
done
add resolve "/v1/entities/resolve?name=Poutine&type=person"
add resolve "/v1/entities/resolve?name=Minsk&limit=3"
add resolve "/v1/entities/resolve?name=Lukashenka"
add list "/v1/events?type=meeting&type=agreement_signing&sort=-date"
add list "/v1/entities?type=person&sort=name"
add list "/v1/entities?type=country&type=organization&limit=20"
add list "/v1/articles"
add list "/v1/statements"
add list "/v1/events?expand=location,participants&limit=10"
# search: a few French terms, a phrase, a prefix, spellings of names
for t in nucleaire 'armes%20nucl%C3%A9aires' '%22armes%20nucl%C3%A9aires%20tactiques%22' 'exerc*' \
    Shoigu Loukachenko Minsk 'Bi%C3%A9lorussie' 'd%C3%A9fense' 'sommet%20union'; do
    add search "/v1/search?q=$t"
    add search "/v1/search?q=$t&type=statement&limit=10"
done
add search '/v1/statements?q=%22armes%20nucl%C3%A9aires%20tactiques%22'
add search '/v1/articles?q=Shoigu&fields=title'
add search '/v1/events?q=accord'
add facets '/v1/statements?facets=speaker,kind&limit=1'
add facets '/v1/events?facets=type,participant,location&limit=1'
add facets '/v1/articles?facets=entity,outlet,language&limit=1'
add facets '/v1/entities?facets=type,article&limit=1'
add timeline '/v1/timeline?interval=month'
add timeline '/v1/timeline?interval=year&kind=direct'
add csv '/v1/events?format=csv'
# cursors: follow every "next" link of a few sorted lists; later pages go in "page"
for start in '/v1/statements?limit=10' '/v1/statements?limit=10&sort=-said_on' \
    '/v1/entities?limit=10&sort=name' '/v1/entities?limit=10&type=person&sort=-id' \
    '/v1/events?limit=5&sort=-date' '/v1/articles?limit=1'; do
    add list "$start"
    next=$start
    for _ in $(seq 20); do
        next=$(get "$next" | pick '[d["links"].get("next") or ""]')
        next=${next#"$base"}
        [[ -n $next ]] || break
        add page "$next"
    done
done

# 4b. every path answers 2xx once, sequentially: a failure here is a bug of the mix, not load
paths_total=$(wc -l <"$mix")
bad=0
while IFS=$'\t' read -r kind path; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base$path" || true)
    if [[ $code != 2?? ]]; then
        echo "load: preflight $kind $path -> $code" >&2
        bad=$((bad + 1))
    fi
done <"$mix"
((bad == 0)) || {
    gunicorn_log_tail
    die "$bad of $paths_total paths of the mix do not answer 2xx before any load"
}
kinds=$(cut -f1 "$mix" | sort | uniq -c | awk '{printf "%s%s=%s", sep, $2, $1; sep=" "}')
echo "load: $paths_total distinct paths, all 2xx ($kinds)"
if [[ -n ${LOAD_PATHS_OUT:-} ]]; then cp "$mix" "$LOAD_PATHS_OUT"; fi

# 4c. the load; the server log from here on is the run's
log_offset=$(stat -c %s "$tmp/gunicorn.log")
loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg) # other work on the machine skews the numbers
echo "load: wrk -t$threads -c$connections -d$duration --timeout $request_timeout --latency $base"
wrk_status=0
timeout --kill-after=5 $((duration_s + 30)) \
    wrk -t"$threads" -c"$connections" -d"$duration" --timeout "$request_timeout" --latency \
    -s bench/load.lua "$base" -- "$mix" | tee "$tmp/wrk.out" || wrk_status=$?
if ((wrk_status != 0)) || ! grep -q '^load\.requests=' "$tmp/wrk.out"; then
    gunicorn_log_tail
    die "wrk failed (exit $wrk_status)"
fi
if ! kill -0 "$gunicorn_pid" 2>/dev/null; then
    gunicorn_log_tail
    die "gunicorn died during the run"
fi

# 4d. the summary, with the server's view per route from its access log
tail -c +$((log_offset + 1)) "$tmp/gunicorn.log" >"$tmp/run.log"
"$py" bench/access_summary.py "$tmp/run.log" >"$tmp/routes.out"
declare -A r
while IFS='=' read -r key value; do
    r[${key#load.}]=$value
done < <(grep '^load\.' "$tmp/wrk.out")
cpu=$(awk -F': *' '/^(model name|Hardware|cpu model)/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
alive_workers=$(pgrep -c -P "$gunicorn_pid" || true)
bytes=${r[bytes]}
mib_read=$((bytes / 1048576))
socket_errors=${r[socket_errors]}
non_2xx=${r[non_2xx]}
log_errors=$(sed -n 's/^log\.errors=//p' "$tmp/routes.out")

cat <<EOF

== make load: summary ==
load        ${r[duration_s]} s, wrk $threads threads x $connections connections, timeout $request_timeout, $paths_total paths (bench/load.lua)
throughput  ${r[rps]} requests/s
latency     p50 ${r[p50_ms]} ms   p90 ${r[p90_ms]} ms   p99 ${r[p99_ms]} ms   max ${r[max_ms]} ms   (mean ${r[mean_ms]} ms)
requests    ${r[requests]} total, $mib_read MiB read; by status ${r[statuses]:-none}
errors      ${r[socket_errors]} socket errors (connect ${r[errors_connect]}, read ${r[errors_read]}, write ${r[errors_write]}, timeout ${r[errors_timeout]}); ${r[non_2xx]} non-2xx
machine     $(nproc) CPUs ($cpu), $mem; load average before the run $loadavg_before, after $(cut -d' ' -f1-3 /proc/loadavg)
gunicorn    $workers workers x $gthreads threads ($worker_class; $alive_workers workers alive at the end), SQLite, gunicorn.conf.py
server log  $log_errors error lines during the run
EOF
echo
grep -v '^log\.errors=' "$tmp/routes.out"

if ((socket_errors > 0 || non_2xx > 0 || log_errors > 0)); then
    echo "load: FAILED: $socket_errors socket errors, $non_2xx non-2xx responses, $log_errors server log errors" >&2
    exit 1
fi
echo "load: OK: 0 socket errors, 0 non-2xx responses"
