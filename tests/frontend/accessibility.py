"""axe-core's scan of every page (WCAG 2 A and AA rules), as an anonymous visitor, a
signed-in member and a studio owner: no serious or critical violation. One viewport a
test module (test_accessibility_desktop.py, test_accessibility_phone.py), so the two
scans, a minute or more each, run on two pytest-xdist workers at once.

axe-core comes from npm (scripts/ensure-browser.sh puts it in var/axe/; `make test` and
`make browser-up` run it). It is injected into the page by playwright, so these contexts
bypass the Content-Security-Policy, which would rightly refuse an injected script.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from directory.models import ReviewStatus
from realtime.models import NotificationType
from realtime.services.notifications import notify
from tests.factories import (
    FaqFactory,
    MessageFactory,
    ReviewFactory,
    SavedSearchFactory,
    StudioFactory,
    StudioImageFactory,
    StudioServiceFactory,
    StudioTypeFactory,
    UserFactory,
)
from tests.frontend.browser import in_thread, sign_in_with_cookie

AXE = Path(settings.BASE_DIR) / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")

PUBLIC = ["/", "/search?studio_types=HOME", "/faq", "/premium", "/accounts/login/",
          "/accounts/signup/", "/accounts/password/reset/"]  # fmt: skip
MEMBER = ["/messages", "/messages/owner", "/notifications", "/network", "/accounts/email/",
          "/accounts/password/change/", "/dashboard", "/dashboard/studios/new", "/settings",
          "/settings/profile", "/settings/notifications", "/settings/searches"]  # fmt: skip
# The owner's pages, as the owner of the site's studio (its editor has a photo and a map).
OWNER = ["/dashboard", "/dashboard/studios/new", "/dashboard/studios/{studio_id}"]


def scan(page) -> list[dict]:
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in SERIOUS]


@pytest.fixture(name="site_to_scan")
def _site_to_scan():
    owner = UserFactory(username="owner", display_name="Olive Owner", owner=True)
    studio = StudioFactory(owner=owner, name="Quiet Booth", description="A treated room.")
    StudioTypeFactory(studio=studio)
    StudioServiceFactory(studio=studio)
    StudioImageFactory(studio=studio)
    ReviewFactory(studio=studio, rating=4, status=ReviewStatus.APPROVED, content="Lovely.")
    FaqFactory(question="Is it free?", answer="Yes.")
    member = UserFactory(username="member", display_name="Mia Member")
    SavedSearchFactory(user=member, name="Booths in London")
    MessageFactory(sender=owner, receiver=member, content="Hello there")
    MessageFactory(sender=member, receiver=owner, content="Hi!")
    in_thread(
        notify,
        user_id=member.pk,
        type=NotificationType.CONNECTION_REQUEST,
        title="Olive wants to connect",
        message="Olive sent you a connection request.",
        action_url="/network",
    )
    return {"studio": studio, "member": member, "owner": owner}


def assert_every_page_is_accessible(browser, servers, page_errors, site, viewport) -> None:
    """Every page at `viewport` (a playwright viewport dict) as each kind of visitor."""
    assert AXE.is_file(), f"{AXE} is missing: run `make browser-up` (scripts/ensure-browser.sh)"
    server = servers.base(0)
    public = [*PUBLIC, f"/studios/{site['studio'].pk}", "/owner"]
    found = {}
    anonymous = browser.new_context(viewport=viewport, bypass_csp=True)
    signed_in = browser.new_context(viewport=viewport, bypass_csp=True)
    sign_in_with_cookie(signed_in, site["member"], server)
    owner = browser.new_context(viewport=viewport, bypass_csp=True)
    sign_in_with_cookie(owner, site["owner"], server)
    owner_pages = [path.format(studio_id=site["studio"].pk) for path in OWNER]
    try:
        for visitor, context, paths in (
            ("anonymous", anonymous, public),
            ("member", signed_in, [*public, *MEMBER]),
            ("owner", owner, owner_pages),
        ):
            page = page_errors.watch(context.new_page())
            for path in paths:
                page.goto(f"{server}{path}")
                violations = scan(page)
                if violations:
                    found[f"{visitor} {path}"] = violations
            page.close()
    finally:
        anonymous.close()
        signed_in.close()
        owner.close()
    assert not found, json.dumps(found, indent=1)
