-- POST /v1/credentials/{id}/test, its SQL alone: the read of the credential (the compiled query StoredKeyById) and
-- the verdict's one statement (Verification/VerdictEvents.cs: lastTest guarded by the version read, the tested
-- event, verdict_changed only on a change of outcome — never here: every sample answers ok; the JSON is built with
-- jsonb_build_object because pgbench reads ':name' in a literal as a variable). Run at 1 client: the
-- floor under the latency a stored test adds, durable commit included; not the rate-limit acquire (unlogged, no fsync).
-- The verdict has the service's own JSON shape (TestResult; a workspace id is a string): the service reads these rows
-- in the scenarios after this one.
\set n random(1, :samples)
SELECT c.id AS cid, c.tenant_id AS tid, c.version AS ver
FROM credentials AS c
WHERE c.id = (SELECT s.id FROM bench.sample_ids AS s WHERE s.n = :n)
  AND c.tenant_id = (SELECT s.tenant_id FROM bench.sample_ids AS s WHERE s.n = :n)
LIMIT 1 \gset
WITH updated AS (
    UPDATE credentials
       SET last_test = jsonb_build_object('success', true, 'outcome', 'ok',
               'message', 'The key works in the US region (api.customer.io).', 'region', 'us',
               'apiDomain', 'api.customer.io', 'suggestedRegion', NULL, 'upstreamStatus', 200,
               'retryAfterSeconds', NULL, 'latencyMs', 1, 'testedAt', now(),
               'workspaces', jsonb_build_array(jsonb_build_object('id', '114022', 'name', 'Fake workspace'))),
           app_api_key_ciphertext = coalesce(NULL::bytea, app_api_key_ciphertext),
           next_verification_at = coalesce(NULL::timestamptz, next_verification_at)
     WHERE id = :cid AND tenant_id = :tid AND version = :ver
    RETURNING version
), events AS (
    INSERT INTO credential_events (tenant_id, credential_id, at, action, actor, detail)
    SELECT :tid::varchar, :cid::uuid, now(), 'tested', 'bench-user', jsonb_build_object('region', 'us', 'outcome', 'ok')
    UNION ALL
    SELECT :tid::varchar, :cid::uuid, now(), 'verdict_changed', 'bench-user', NULL::jsonb FROM updated WHERE false
)
SELECT version AS "Value" FROM updated;
