"""The importer's text reader refuses what PostgreSQL cannot store, by common.text's rule."""

import pytest

from common.text import NUL_MESSAGE, SURROGATE_MESSAGE
from legacy.importer.report import RowError
from legacy.importer.values import _text


@pytest.mark.parametrize(
    ("value", "message"), [("a\x00b", NUL_MESSAGE), ("a\ud800b", SURROGATE_MESSAGE)]
)
def test_unstorable_text_is_a_row_error_naming_the_column(value, message):
    with pytest.raises(RowError) as raised:
        _text({"bio": value}, "bio")
    assert str(raised.value) == f"bio: {message}"


def test_storable_text_passes_unchanged():
    assert _text({"bio": "Ünïcode ✓ 🎙"}, "bio") == "Ünïcode ✓ 🎙"
