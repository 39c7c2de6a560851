#!/usr/bin/env bash
# Usage: scripts/trx-summary.sh DIR
# Sums the <Counters .../> of every *.trx under DIR and prints, as the LAST line:
#   N passed, M failed
# preceded by "K skipped" when K > 0. Exit code: 1 if M > 0 or no .trx was found.
set -euo pipefail
dir=${1:?usage: trx-summary.sh DIR}

# Value of attribute $1 in the <Counters> element given on stdin (0 when absent).
# The leading space keeps " passed=" from matching "passedButRunAborted=".
attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" | head -n1 | grep . || echo 0; }

passed=0 failed=0 skipped=0 files=0
while IFS= read -r -d '' trx; do
  # Flatten newlines so a <Counters> element split over several lines still matches.
  counters=$(tr '\n\r' '  ' <"$trx" | grep -o '<Counters [^>]*>' | head -n1 || true)
  [[ -n "$counters" ]] || { echo "warning: no <Counters> in $trx" >&2; continue; }
  files=$((files + 1))
  p=$(attr passed <<<"$counters") f=0
  # Errors, timeouts and aborts are failures too.
  for a in failed error timeout aborted; do f=$((f + $(attr "$a" <<<"$counters"))); done
  # Skipped tests ([Fact(Skip=...)]) are counted in total but not in executed, and the
  # notExecuted counter stays 0, so derive them: whatever neither passed nor failed.
  total=$(attr total <<<"$counters")
  passed=$((passed + p)) failed=$((failed + f))
  if ((total > p + f)); then skipped=$((skipped + total - p - f)); fi
done < <(find "$dir" -name '*.trx' -type f -print0 2>/dev/null)

if [[ $files -eq 0 ]]; then
  echo "error: no .trx test results found in $dir" >&2
fi
if [[ $skipped -gt 0 ]]; then echo "$skipped skipped"; fi
echo "$passed passed, $failed failed"
[[ $files -gt 0 && $failed -eq 0 ]]
