#!/usr/bin/env python3
"""Makes plugin package bundles and detached signatures for tests
(docs/pluginpolicy-wire.md, "Bundle").

    make_plugin_bundle.py keygen KEYFILE
        New Ed25519 key: the raw 32-byte private seed goes to KEYFILE (0600);
        prints the public key, base64 of the raw 32 bytes (CRD publicKey).
    make_plugin_bundle.py bundle OUT --name N --version V --publisher P
        [--hook H ...] [--capability C ...] [--settings-schema JSON]
        [--sign KEYFILE] [--bad-signature]
        Writes the JSON bundle {"manifest": {...}, "wasm_base64": ...} to OUT;
        with --sign also OUT.sig: 64 raw bytes, Ed25519 over the 32 raw bytes
        of SHA-256(bundle). --bad-signature signs other bytes instead (a
        signature that does not verify). Prints the bundle's sha256 (hex).
    make_plugin_bundle.py pubkey KEYFILE
        Prints the public key of KEYFILE.

Every bundle carries a distinct, valid minimal WASM module (a custom section
holds name and version), so two bundles never share a digest.
"""
import argparse
import base64
import hashlib
import json
import os
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def load_key(path):
    with open(path, "rb") as f:
        return Ed25519PrivateKey.from_private_bytes(f.read())


def public_b64(key):
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def leb128(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def wasm_module(tag):
    # Header + one custom section (id 0) named "dockward-test" holding `tag`.
    name = b"dockward-test"
    payload = leb128(len(name)) + name + tag.encode()
    return b"\0asm\x01\0\0\0" + b"\0" + leb128(len(payload)) + payload


def cmd_keygen(a):
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    fd = os.open(a.keyfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(raw)
    print(public_b64(key))


def cmd_pubkey(a):
    print(public_b64(load_key(a.keyfile)))


def cmd_bundle(a):
    manifest = {"name": a.name, "version": a.version, "publisher": a.publisher,
                "hooks": a.hook, "capabilities": a.capability,
                "settings_schema": json.loads(a.settings_schema) if a.settings_schema else None}
    bundle = json.dumps({"manifest": manifest,
                         "wasm_base64": base64.b64encode(wasm_module(a.name + "@" + a.version)).decode()},
                        sort_keys=True).encode()
    with open(a.out, "wb") as f:
        f.write(bundle)
    digest = hashlib.sha256(bundle)
    if a.sign:
        signed = hashlib.sha256(b"not " + bundle).digest() if a.bad_signature else digest.digest()
        with open(a.out + ".sig", "wb") as f:
            f.write(load_key(a.sign).sign(signed))
    print(digest.hexdigest())


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    k = sub.add_parser("keygen")
    k.add_argument("keyfile")
    p = sub.add_parser("pubkey")
    p.add_argument("keyfile")
    b = sub.add_parser("bundle")
    b.add_argument("out")
    b.add_argument("--name", required=True)
    b.add_argument("--version", required=True)
    b.add_argument("--publisher", required=True)
    b.add_argument("--hook", action="append", default=[])
    b.add_argument("--capability", action="append", default=[])
    b.add_argument("--settings-schema")
    b.add_argument("--sign")
    b.add_argument("--bad-signature", action="store_true")
    a = ap.parse_args()
    {"keygen": cmd_keygen, "pubkey": cmd_pubkey, "bundle": cmd_bundle}[a.cmd](a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
