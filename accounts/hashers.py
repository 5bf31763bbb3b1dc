"""The old site's password hashes, accepted as they are.

The legacy site stored bcryptjs hashes (`$2a$10$...` / `$2b$10$...`). The importer
stores them as `bcrypt$<hash>`, Django's own format for its bcrypt hasher, so Django
checks them and, because this hasher is not first in PASSWORD_HASHERS, re-hashes the
password with the preferred hasher on the next successful login.
"""

from __future__ import annotations

from django.contrib.auth.hashers import BCryptPasswordHasher

# bcrypt uses the first 72 bytes of a password. bcryptjs silently truncated longer ones;
# the bcrypt package (>= 5) raises instead, which would turn a long password into a 500.
BCRYPT_MAX_PASSWORD_BYTES = 72


class LegacyBCryptPasswordHasher(BCryptPasswordHasher):
    """Django's plain bcrypt hasher, truncating like bcryptjs did."""

    # The legacy work factor: no "must update" churn inside bcrypt, and harden_runtime
    # (run on a wrong password) costs what a right one costs.
    rounds = 10

    def encode(self, password: str, salt: bytes) -> str:
        bcrypt = self._load_library()
        raw = password.encode()[:BCRYPT_MAX_PASSWORD_BYTES]
        data = bcrypt.hashpw(raw, salt)
        return f"{self.algorithm}${data.decode('ascii')}"


def legacy_bcrypt_to_django(legacy_hash: str) -> str:
    """`$2a$10$...` → `bcrypt$$2a$10$...`; raises ValueError for anything else."""
    if not isinstance(legacy_hash, str) or not legacy_hash.startswith(("$2a$", "$2b$", "$2y$")):
        raise ValueError("not a bcrypt hash ($2a$/$2b$)")
    parts = legacy_hash.split("$")
    if len(parts) != 4 or not parts[2].isdigit() or len(parts[3]) != 53:
        raise ValueError("malformed bcrypt hash")
    return f"{LegacyBCryptPasswordHasher.algorithm}${legacy_hash}"
