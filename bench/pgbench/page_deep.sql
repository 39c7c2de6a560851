-- GET /v1/credentials?limit=50&cursor=...: EF's keyset statement, after the tenant's deep cursor (bench.deep_cursors).
\set t random(0, :tenants - 1)
SELECT c.id, c.app_api_key_ciphertext, c.app_api_key_last4, c.created_at, c.description, c.last_test, c.name, c.region, c.tenant_id, c.type, c.updated_at, c.xmin
FROM credentials AS c
WHERE c.tenant_id = (SELECT d.tenant_id FROM bench.deep_cursors AS d WHERE d.t = :t)
  AND c.id < (SELECT d.id FROM bench.deep_cursors AS d WHERE d.t = :t)
ORDER BY c.id DESC
LIMIT 51;
