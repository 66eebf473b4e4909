"""TLS for the simulator: a throwaway self-signed certificate made by the ``openssl`` command, and the server
context that serves it. The certificate is its own CA: a client trusts exactly that file."""

from __future__ import annotations

import ipaddress
import shutil
import ssl
import subprocess
from collections.abc import Sequence
from pathlib import Path

CERT_FILE, KEY_FILE = "cert.pem", "key.pem"


def throwaway_certificate(directory: Path, names: Sequence[str]) -> tuple[Path, Path]:
    """Write a certificate and key for ``names`` (host names or IP literals, already validated) valid for
    two days; returns ``(cert, key)``."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("TLS needs the openssl command (Debian: apt-get install openssl)")
    cert, key = directory / CERT_FILE, directory / KEY_FILE
    alt_names = ",".join(dict.fromkeys(_alt_name(name) for name in names))
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=pytest-intacct simulator",
            "-addext",
            f"subjectAltName={alt_names}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    key.chmod(0o600)
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A TLS 1.2+ server context serving ``cert``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


def _alt_name(name: str) -> str:
    bare = name.strip("[]").rstrip(".")
    try:
        return f"IP:{ipaddress.ip_address(bare)}"
    except ValueError:
        return f"DNS:{bare}"
