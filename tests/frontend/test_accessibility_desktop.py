"""axe-core's scan of every page at the desktop viewport (tests/frontend/accessibility.py)."""

from __future__ import annotations

import pytest

from tests.frontend.accessibility import _site_to_scan, assert_every_page_is_accessible  # noqa: F401
from tests.frontend.screenshots import DESKTOP

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_page_has_no_serious_accessibility_violation(
    browser, servers, page_errors, site_to_scan
):
    assert_every_page_is_accessible(browser, servers, page_errors, site_to_scan, DESKTOP)
