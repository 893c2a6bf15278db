"""Class codes, host secrets and student tokens: made here, stored only as hashes.

A class code is CODE_LENGTH characters from ALPHABET, which leaves out every character a room
could misread or mistype for another (0 O Q D, 1 I L, 2 Z, 5 S, 6 b, 8 B, U V): 20^6, 64
million codes, typed case-insensitively with spaces or dashes ignored. A host secret and a
student token are 128 bits from `secrets.token_urlsafe(16)`; the database keeps their SHA-256,
and a secret is compared with `hmac.compare_digest`, in constant time.
Left out: who may do what (store.py).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

ALPHABET = "ACEFGHJKMNPRTWXY3479"
CODE_LENGTH = 6
SECRET_BYTES = 16  # 128 bits

_SEPARATORS = re.compile(r"[\s\-]+")


def new_code() -> str:
    """A random class code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(typed: str) -> str | None:
    """A typed code in its stored form, or None if it cannot be a class code."""
    if not isinstance(typed, str) or len(typed) > 4 * CODE_LENGTH:
        return None
    code = _SEPARATORS.sub("", typed).upper()
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def shown(code: str) -> str:
    """A code as shown to a room: two groups of three."""
    return f"{code[:3]} {code[3:]}"


def new_secret() -> str:
    """A 128-bit secret for a host link or a student's token."""
    return secrets.token_urlsafe(SECRET_BYTES)


def digest(secret: str) -> str:
    """What the database keeps of a secret (or of an address)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def matches(secret: object, stored: str) -> bool:
    """Whether a secret given by a user is the one whose digest is stored, in constant time."""
    if not isinstance(secret, str) or len(secret) > 4 * SECRET_BYTES:
        return False
    return hmac.compare_digest(digest(secret), stored)
