"""The legacy site's bcrypt hashes: accepted as they are, upgraded on the next login."""

import bcrypt
import pytest
from django.contrib.auth.hashers import check_password, identify_hasher

from accounts.hashers import LegacyBCryptPasswordHasher, legacy_bcrypt_to_django


def legacy_hash(password: bytes, prefix: bytes = b"2a") -> str:
    return bcrypt.hashpw(password, bcrypt.gensalt(10, prefix=prefix)).decode()


@pytest.mark.parametrize("prefix", [b"2a", b"2b"])
def test_legacy_hashes_check_with_django(prefix):
    encoded = legacy_bcrypt_to_django(legacy_hash(b"old secret", prefix))
    assert encoded.startswith(f"bcrypt${prefix.decode().join('$$')}10$")
    assert isinstance(identify_hasher(encoded), LegacyBCryptPasswordHasher)
    assert check_password("old secret", encoded)
    assert not check_password("wrong", encoded)


def test_passwords_longer_than_72_bytes_check_like_bcryptjs_instead_of_crashing():
    password = "é" * 40  # 80 bytes; bcryptjs used the first 72
    encoded = legacy_bcrypt_to_django(legacy_hash(password.encode()[:72]))
    assert check_password(password, encoded)


def test_a_correct_password_is_rehashed_with_the_preferred_hasher():
    encoded = legacy_bcrypt_to_django(legacy_hash(b"old secret"))
    upgraded = []
    assert check_password("old secret", encoded, setter=upgraded.append)
    assert upgraded == ["old secret"]


@pytest.mark.parametrize(
    "value", ["", "plain", "$1$abc", "pbkdf2_sha256$1$x$y", "$2a$10$short", "$2a$xx$" + "a" * 53]
)
def test_anything_else_is_not_a_legacy_hash(value):
    with pytest.raises(ValueError, match="bcrypt"):
        legacy_bcrypt_to_django(value)
