#!/bin/sh
# Side-by-side run of `seqlab bench lstm` and the PyTorch CPU reference on this machine,
# alternating so both see the same load. Needs Debian's python3-torch (not a dependency).
#   sh bench/compare-torch.sh [STEPS] [THREADS...]
set -e
cd "$(dirname "$0")/.."
STEPS=${1:-5}; shift 2>/dev/null || true
THREADS=${*:-"1 2"}
PY=/usr/bin/python3
DATA=${SEQLAB_DATA_DIR:-../shared/data}
for t in $THREADS; do
  echo "== threads $t"
  /usr/bin/time -f "torch peak RSS %M KB" $PY ../shared/reference/lab1_part2_torch.py "$DATA/irish.abc" $((STEPS * 2)) 4 "$t" 2>&1 | tail -2
  $PY bench/torch_sampling.py 200 "$t"
  SEQLAB_SIMD_THREADS=$t node dist/kernel/cli.js bench lstm --steps "$STEPS" --chars 200 --json | tail -1
done
