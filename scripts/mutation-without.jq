# Input: a Stryker mutation-report.json of a run with --disable-bail; $new: a regex on test file paths.
# Prints per folder the score as it would be without the tests in those files: a mutant stays killed only when a
# test outside them killed it (with bail disabled, killedBy lists every test that failed).
def folder: (capture("(?:src/CredentialService/|^)(?<f>[^/]+)/").f) // "other";
( [ .testFiles // {} | to_entries[] | .key as $file | .value.tests[] | {key: .id, value: ($file | test($new))} ]
  | from_entries ) as $isnew
| def old: map(select($isnew[.] != true)) | length > 0;
  [ .files | to_entries[] | (.key | folder) as $f | select($f | IN("ConnectionTests", "Credentials", "KeyCustody"))
    | .value.mutants[] | select(.status | IN("Killed", "Survived", "NoCoverage", "Timeout"))
    | (if .static == true then true else ((.coveredBy // []) | old) end) as $covered
    | { f: $f,
        s: (if .status == "Killed" then (if ((.killedBy // []) | old) then "Killed" elif $covered then "Survived" else "NoCoverage" end)
            elif .status == "Survived" then (if $covered then "Survived" else "NoCoverage" end)
            else .status end) } ] as $all
| ([$all[].f] | unique) + ["total"]
| .[] as $f
| [ $all[] | select($f == "total" or .f == $f) | .s ] as $s
| ($s | map(select(. == "Killed")) | length) as $k
| ($s | map(select(. == "Timeout")) | length) as $t
| ($s | map(select(. == "Survived")) | length) as $sv
| ($s | map(select(. == "NoCoverage")) | length) as $nc
| ($k + $t + $sv + $nc) as $d
| "\($f) without them: \(if $d > 0 then ((($k + $t) * 1000 / $d | floor) / 10) else "n/a" end) % (killed \($k), timeout \($t), survived \($sv), no coverage \($nc))"
