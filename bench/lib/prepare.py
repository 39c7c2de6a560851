#!/usr/bin/env python3
"""Turn tokens and samples into wrk request lists ("bearer<TAB>path" per line).

    prepare.py DATA_DIR TOKENS_TSV SAMPLE_IDS_TSV DEEP_CURSORS_TSV

TOKENS_TSV: tenant<TAB>token. SAMPLE_IDS_TSV: n<TAB>tenant<TAB>id. DEEP_CURSORS_TSV: t<TAB>tenant<TAB>id (the
credential after which the deep page starts). Cursors are encoded as the service encodes them: base64url without
padding of the id's 16 bytes in big-endian (RFC 9562) order.
"""
import base64
import os
import secrets
import sys
import uuid


def cursor(credential_id: str) -> str:
    return base64.urlsafe_b64encode(uuid.UUID(credential_id).bytes).rstrip(b"=").decode("ascii")


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def main() -> None:
    data_dir, tokens_tsv, samples_tsv, cursors_tsv = sys.argv[1:5]
    os.makedirs(data_dir, exist_ok=True)
    tokens = {tenant: token for tenant, token in read_tsv(tokens_tsv)}
    samples = [(tenant, cid) for _, tenant, cid in read_tsv(samples_tsv)]
    cursors = [(tenant, cid) for _, tenant, cid in read_tsv(cursors_tsv)]

    def write(name, lines):
        with open(os.path.join(data_dir, name + ".tsv"), "w", encoding="utf-8") as f:
            for bearer, path in lines:
                f.write(f"{bearer}\t{path}\n")

    write("get", [(tokens[t], f"/v1/credentials/{cid}") for t, cid in samples])
    # Through the proxy to the fake, the same call the "fake" baseline makes straight.
    write("proxy", [(tokens[t], f"/v1/credentials/{cid}/proxy/v1/workspaces") for t, cid in samples])
    write("test_stored", [(tokens[t], f"/v1/credentials/{cid}/test") for t, cid in samples])
    write("list_first", [(tok, "/v1/credentials?limit=50") for tok in tokens.values()])
    write("list_deep", [(tokens[t], f"/v1/credentials?limit=50&cursor={cursor(cid)}") for t, cid in cursors])
    write("create", [(tok, "/v1/credentials") for tok in tokens.values()])
    write("test_unsaved", [(tok, "/v1/credentials/test") for tok in tokens.values()])
    # Straight to the fake Customer.io: what the service sends, GET /v1/workspaces with an App API Key.
    write("fake", [(secrets.token_hex(16), "/v1/workspaces") for _ in range(100)])


if __name__ == "__main__":
    main()
