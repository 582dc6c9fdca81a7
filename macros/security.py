"""Content-Security-Policy for every page: the site's own origin only.

Material inlines a few small scripts; rather than allowing every inline script, the policy
lists the SHA-256 of each inline script the page actually contains. ``'wasm-unsafe-eval'``
lets the calculator pages compile Pyodide's WebAssembly; ``'unsafe-eval'`` is never allowed.
"""

from __future__ import annotations

import base64
import hashlib
import re

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_SRC = re.compile(r"\bsrc\s*=", re.I)
_DATA_TYPE = re.compile(r'\btype\s*=\s*"application/(?:ld\+)?json"', re.I)

BASE_POLICY = (
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)


def inline_script_hashes(html: str) -> list[str]:
    """CSP source expressions for the inline executable scripts of ``html``, in order, once each."""
    hashes: list[str] = []
    for match in _INLINE_SCRIPT.finditer(html):
        attrs = match.group("attrs")
        if _SRC.search(attrs) or _DATA_TYPE.search(attrs):
            continue  # external scripts are covered by 'self'; JSON data blocks are not executed
        digest = base64.b64encode(hashlib.sha256(match.group("body").encode("utf-8")).digest()).decode()
        source = f"'sha256-{digest}'"
        if source not in hashes:
            hashes.append(source)
    return hashes


def policy_for(html: str) -> str:
    scripts = " ".join(["script-src 'self' 'wasm-unsafe-eval'", *inline_script_hashes(html)])
    return "; ".join([BASE_POLICY[0], scripts, *BASE_POLICY[1:]])


def add_policy(html: str) -> str:
    """Insert the CSP ``<meta>`` first in ``<head>``, before any script runs."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy_for(html)}">'
    return re.sub(r"<head>", "<head>\n    " + meta, html, count=1, flags=re.I)
