-- GET /v1/credentials/{id}: EF's statement, with id and tenant taken from a random row of bench.sample_ids
-- (two primary-key lookups in a 10,000-row table that stays cached: a few microseconds more than literals).
\set n random(1, :samples)
SELECT c.id, c.app_api_key_ciphertext, c.app_api_key_last4, c.created_at, c.description, c.last_test, c.name, c.region, c.tenant_id, c.type, c.updated_at, c.xmin
FROM credentials AS c
WHERE c.id = (SELECT s.id FROM bench.sample_ids AS s WHERE s.n = :n)
  AND c.tenant_id = (SELECT s.tenant_id FROM bench.sample_ids AS s WHERE s.n = :n)
LIMIT 1;
