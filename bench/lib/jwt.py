#!/usr/bin/env python3
"""Mint HS256 bearer tokens for the benchmark (standard library only).

    jwt.py KEY_B64 ISSUER AUDIENCE TENANT_PREFIX TENANTS > tokens.tsv

Prints one line per tenant: tenant_id <TAB> token. Each token carries sub, tenant_id, the scopes the benchmark
needs (read, write, test, use), iss, aud, nbf, iat and exp (valid for 6 hours).
"""
import base64
import hashlib
import hmac
import json
import sys
import time


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint(key: bytes, issuer: str, audience: str, tenant: str) -> str:
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {
        "sub": f"bench-user-{tenant}",
        "tenant_id": tenant,
        "scope": "credentials:read credentials:write credentials:test credentials:use credentials:proxy",
        "iss": issuer,
        "aud": audience,
        "nbf": now - 60,
        "iat": now - 60,
        "exp": now + 6 * 3600,
    }
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


def main() -> None:
    key_b64, issuer, audience, prefix, tenants = sys.argv[1:6]
    key = base64.b64decode(key_b64)
    for t in range(int(tenants)):
        tenant = f"{prefix}{t:03d}"
        print(f"{tenant}\t{mint(key, issuer, audience, tenant)}")


if __name__ == "__main__":
    main()
