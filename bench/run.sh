#!/usr/bin/env bash
# Times `isomer build` against Jekyll, Hugo and the goldmark-only floor on the
# same generated content, in one run, and prints a Markdown table of
# whole-process medians, peak memory and ratios.
#
#   bench/run.sh                 # 300, 3000 and 10000 pages
#   SIZES="300 3000" RUNS=5 bench/run.sh
#
# Needs python3, Debian's jekyll, ruby-jekyll-feed, ruby-jekyll-sitemap and
# hugo, GNU time (/usr/bin/time), and the generator and floor program in
# ../shared/bench. Runs alternate tool by tool
# (A B C A B C …) so that a noisy machine hits every tool alike.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
shared=${SHARED:-$(cd "$root/../shared" 2>/dev/null && pwd || true)}
gen=$shared/bench/gen-site.py
[ -f "$gen" ] || { echo "bench: generator not found at $gen (set SHARED)" >&2; exit 2; }
for tool in jekyll hugo python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install jekyll hugo time)" >&2; exit 2; }
done
SIZES=${SIZES:-300 3000 10000}
RUNS=${RUNS:-3}
JEKYLL_MAX=${JEKYLL_MAX:-3000} # Jekyll at 10,000 pages takes about six minutes a run
work=${WORK:-$here/out}
mkdir -p "$work/sites" "$work/bin"

echo "bench: building isomer and the floor program" >&2
(cd "$root" && go build -o "$work/bin/isomer" ./cmd/isomer)
(cd "$shared/bench/limit" && GOFLAGS=-mod=mod go build -o "$work/bin/limit" .)

site() { # site FORM N → path, generated once
  local form=$1 n=$2 dir="$work/sites/$1-$2"
  if [ ! -f "$dir/.done" ]; then
    rm -rf "$dir"
    case $form in
      isomer) python3 "$gen" --pages "$n" --seed 1 --format jekyll --layouts none --out "$dir" ;;
      jekyll) python3 "$gen" --pages "$n" --seed 1 --format jekyll --layouts minimal --out "$dir" ;;
      hugo)   python3 "$gen" --pages "$n" --seed 1 --format hugo --hugo-nav cached --out "$dir" ;;
    esac >/dev/null
    touch "$dir/.done"
  fi
  echo "$dir"
}

# measure TOOL N → appends "seconds kilobytes" to $work/times/TOOL-N
measure() {
  local tool=$1 n=$2 out; out=$(mktemp -d -p "$outs")
  local cmd
  case $tool in
    isomer) cmd=("$work/bin/isomer" build "$(site isomer "$n")" -o "$out/site") ;;
    floor)  cmd=("$work/bin/limit" -src "$(site isomer "$n")" -out "$out/site") ;;
    jekyll) cmd=(jekyll build --quiet --disable-disk-cache -s "$(site jekyll "$n")" -d "$out/site") ;;
    hugo)   cmd=(hugo --quiet -s "$(site hugo "$n")" -d "$out/site") ;;
  esac
  # Flush what earlier runs wrote, untimed: the kernel writes dirty pages
  # back on the same two cores, and would otherwise bill each tool for the
  # output of the one before it.
  sync
  if /usr/bin/time -f "%e %M" -o "$out/time" "${cmd[@]}" >/dev/null 2>"$out/err"; then
    cat "$out/time" >> "$work/times/$tool-$n"
  else
    echo "bench: $tool $n failed:" >&2; head -3 "$out/err" >&2
  fi
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }

rm -rf "$work/times"; mkdir -p "$work/times"
# Every run's output is kept until the script ends. On ext4 without a
# journal (this machine's disk), creating files and folders scans past the
# inodes deleted in the last minutes; deleting one run's output right before
# the next run made each tool pay for the previous tool's clean-up (seconds
# of system time at 10,000 pages, more for the tools that create more
# folders).
outs=$(mktemp -d)
trap 'rm -rf "$outs"' EXIT
for n in $SIZES; do
  tools="isomer floor hugo"
  [ "$n" -le "$JEKYLL_MAX" ] && tools="$tools jekyll"
  for tool in $tools; do site "${tool/floor/isomer}" "$n" >/dev/null; done
  echo "bench: $n pages: $tools, $RUNS runs each" >&2
  for tool in $tools; do measure "$tool" "$n"; done # warm-up, discarded below
  for tool in $tools; do : > "$work/times/$tool-$n"; done
  for _ in $(seq "$RUNS"); do
    for tool in $tools; do measure "$tool" "$n"; done
  done
done

printf '| pages | isomer | floor | Hugo (cached nav) | Jekyll (minimal layouts) | Hugo / isomer | Jekyll / isomer | isomer / floor | isomer peak RSS |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for n in $SIZES; do
  t() { [ -s "$work/times/$1-$n" ] && cut -d' ' -f1 "$work/times/$1-$n" | median || echo "-"; }
  m() { [ -s "$work/times/$1-$n" ] && cut -d' ' -f2 "$work/times/$1-$n" | sort -n | tail -1 || echo "-"; }
  iso=$(t isomer); fl=$(t floor); hu=$(t hugo); je=$(t jekyll)
  ratio() { [ "$1" = "-" ] || [ "$2" = "-" ] && echo "-" || awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f×", a/b}'; }
  printf '| %s | %s s | %s s | %s s | %s | %s | %s | %s | %d MB |\n' "$n" "$iso" "$fl" "$hu" "$([ "$je" = "-" ] && echo "not run" || echo "$je s")" \
    "$(ratio "$hu" "$iso")" "$(ratio "$je" "$iso")" "$(ratio "$iso" "$fl")" "$(( $(m isomer) / 1024 ))"
done
