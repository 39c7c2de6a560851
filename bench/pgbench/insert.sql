-- POST /v1/credentials: EF sends BEGIN + both INSERTs in one round trip, then COMMIT.
-- Here the same statements go in one pipeline (one round trip, one commit): the best the database can do.
-- The id is a UUIDv7 built from clock_timestamp() (Postgres 15 has no uuidv7()); the ciphertext is 132 bytes,
-- the size of a DataProtection payload of a 32-character key.
\set t random(0, :tenants - 1)
\startpipeline
BEGIN;
INSERT INTO credential_events (action, actor, at, credential_id, detail, tenant_id)
VALUES ('created', 'bench-user', now(), gen_random_uuid(), '{"region":"us","appApiKeyLast4":"cdef"}', 'bench-tenant-' || lpad(:t::text, 3, '0'))
RETURNING id;
INSERT INTO credentials (id, app_api_key_ciphertext, app_api_key_last4, created_at, description, last_test, name, region, tenant_id, type, updated_at)
VALUES (encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid,
        '\x93401eb2d05d697d8baa787120a2ceb266d080c6114c6046d6753393737ac2ec7fd08fb8e7605e0f6985dad897ea5f3adc0790d4c9bdfdb0b90ac6109e72730e2fabc535d923ce377b16a2171e5199271489c5ee12e7efa677e043e00fb3c7efb01b7e7138dadabd5b95eeada698fec1be7160e79a2144ba47df59bab38892089bcc02bd'::bytea, 'cdef', now(), 'created by pgbench', NULL, 'pgbench create', 'us', 'bench-tenant-' || lpad(:t::text, 3, '0'), 'customer_io', now())
RETURNING xmin;
END;
\endpipeline
