#!/usr/bin/env bash
# Benchmarks for BENCHMARKS.md: one pack as HTML+PDF, batches of 100 and 1000 candidates on
# 1 and 2 threads, and a rerun of a finished 2000-candidate batch, with wall time (median of
# several runs) and peak memory (max RSS).
#   bash benches/run.sh            # all
#   RUNS=3 bash benches/run.sh     # fewer repetitions
#   ONLY=rerun bash benches/run.sh # only the rerun of 2000 finished candidates
#   ONLY=bound bash benches/run.sh # only 100 candidates as html+pdf (papers.pdf, keys.pdf and
#                                    marking.pdf bound at the end), 1 and 2 threads
#   ONLY=spec10 bash benches/run.sh # the batch figures of BENCHMARKS.md "spec10": 100 candidates
#                                    of ../shared/bench/spec10.toml as json (generation), html and
#                                    pdf on 2 threads (pdf also on 1 thread and for 300 candidates,
#                                    for memory flat in N), and one 20-question pack
#                                    (benches/spec20.toml) in every format from a cold process.
#                                    The per-phase profile is `cargo bench --bench pipeline`.
# Needs a release build (the script builds it) and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-7}
# BIN=/path/to/another/groundwork measures that binary instead (e.g. an older build, for a
# before-and-after table measured in one sitting).
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked -q
  BIN=$PWD/target/release/groundwork
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for n in 100 1000 2000; do seq -f "cand%04g" 1 "$n" > "$WORK/c$n.txt"; done

# median wall seconds and max RSS (MiB) of a command, run $RUNS times (from an empty $WORK/out,
# or with KEEP=1 on what the previous run left there)
measure() {
  local label=$1; shift
  local times=() rss=0
  for _ in $(seq "$RUNS"); do
    [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK/out"
    /usr/bin/time -f "%e %M" -o "$WORK/t" "$@" >/dev/null 2>&1
    read -r t m < "$WORK/t"
    times+=("$t"); (( m > rss )) && rss=$m
  done
  local med
  med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '| %s | %s s | %s–%s s | %d MiB |\n' "$label" "$med" \
    "$(printf '%s\n' "${times[@]}" | sort -n | head -1)" "$(printf '%s\n' "${times[@]}" | sort -n | tail -1)" $((rss / 1024))
}

echo "| what | median | range | peak RSS |"
echo "|---|---|---|---|"
if [ "${ONLY:-}" = spec10 ]; then
  SPEC10=${SPEC10:-$PWD/../shared/bench/spec10.toml}
  seq -f "cand%04g" 1 300 > "$WORK/c300.txt"
  # CPU seconds (user + sys) are printed beside: generation's figure is CPU per candidate.
  cpu() { awk '{print $1 + $2}' "$WORK/cpu"; }
  for f in json html pdf; do
    for threads in 2 1; do
      [ "$f" != pdf ] && [ "$threads" = 1 ] && continue
      measure "spec10, 100 candidates, --format $f, $threads thread(s)" env RAYON_NUM_THREADS=$threads "$BIN" batch --spec "$SPEC10" --candidates "$WORK/c100.txt" --out "$WORK/out" --format $f -q
      /usr/bin/time -f "%U %S" -o "$WORK/cpu" env RAYON_NUM_THREADS=$threads "$BIN" batch --spec "$SPEC10" --candidates "$WORK/c100.txt" --out "$WORK/out2" --format $f -q >/dev/null 2>&1
      rm -rf "$WORK/out2"
      echo "|   (CPU of one more run: $(cpu) s, $(awk '{printf "%.1f", ($1 + $2) * 10}' "$WORK/cpu") ms per candidate) | | | |"
    done
  done
  r=$RUNS; RUNS=$(( RUNS < 3 ? RUNS : 3 ))
  measure "spec10, 300 candidates, --format pdf, 2 threads" env RAYON_NUM_THREADS=2 "$BIN" batch --spec "$SPEC10" --candidates "$WORK/c300.txt" --out "$WORK/out" --format pdf -q
  RUNS=$r
  measure "one 20-question pack, every format, cold process" "$BIN" generate --spec benches/spec20.toml --out "$WORK/out" --format html,md,json,selfcheck,pdf,moodle,gift -q
  exit 0
fi
if [ "${ONLY:-}" = bound ]; then
  for threads in 1 2; do
    measure "batch 100 candidates, html+pdf with bound PDFs, $threads thread(s)" env RAYON_NUM_THREADS=$threads "$BIN" batch --candidates "$WORK/c100.txt" --out "$WORK/out" --format html,pdf -q
  done
  exit 0
fi
if [ "${ONLY:-}" != rerun ]; then
measure "one pack, html (8 questions)" "$BIN" generate --out "$WORK/out" --format html -q
measure "one pack, html+pdf (8 questions)" "$BIN" generate --out "$WORK/out" --format html,pdf -q
for n in 100 1000; do
  r=$RUNS; [ "$n" = 1000 ] && RUNS=$(( RUNS < 3 ? RUNS : 3 ))
  for threads in 1 2; do
    measure "batch $n candidates, html+pdf, $threads thread(s)" env RAYON_NUM_THREADS=$threads "$BIN" batch --candidates "$WORK/c$n.txt" --out "$WORK/out" --format html,pdf -q
  done
  RUNS=$r
done
fi

# A rerun of a finished batch: every candidate is skipped on the stamp of its inputs (no pack is
# regenerated); the files are read and hashed to check them. The first run is not timed.
for formats in html,pdf html,json; do
  rm -rf "$WORK/out"
  "$BIN" batch --candidates "$WORK/c2000.txt" --out "$WORK/out" --format "$formats" -q
  for threads in 1 2; do
    KEEP=1 measure "rerun of 2000 finished candidates, $formats, $threads thread(s)" env RAYON_NUM_THREADS=$threads "$BIN" batch --candidates "$WORK/c2000.txt" --out "$WORK/out" --format "$formats" -q
  done
done
