"""A small legacy backup in the old site's shape: all 22 tables, good rows and broken ones.

Column names are the report's (../shared/spec/legacy-schema-report.md); values look like
Prisma's JSON export (ISO times with Z, ids as base64url strings, bcryptjs hashes).
`BROKEN` lists the rows that must be reported, with a fragment of the reason.
"""

from __future__ import annotations

import bcrypt

ALICE_PASSWORD = "alice's old password"
GUY_PASSWORD = "voiceover guy 1999"
T0 = "2024-03-01T09:30:00.000Z"
T1 = "2025-01-12T18:00:00.000Z"


def _bcryptjs(password: str, prefix: bytes) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(10, prefix=prefix)).decode()


def _user(id, username, email, *, role="USER", password=None, verified=False, **extra):
    return {
        "id": id,
        "email": email,
        "username": username,
        "display_name": extra.pop("display_name", username.title()),
        "avatar_url": extra.pop("avatar_url", None),
        "role": role,
        "email_verified": verified,
        "password": password,
        "created_at": T0,
        "updated_at": T1,
        **extra,
    }


# (table, id) → a fragment of the reason the import must give.
BROKEN = {
    ("users", "u_bad_email"): "email",
    ("users", "u_plain_password"): "not a bcrypt hash",
    ("users", "u_no_username"): "username is required",
    ("users", "u_dup_email"): "users_email_ci_uniq",
    ("user_profiles", "p_orphan"): "user_id 'u_bad_email': no such row in users",
    ("accounts", "a_github"): "provider 'github'",
    ("user_metadata", "m_bad_key"): "key",
    ("studios", "s_half_coords"): "latitude and longitude",
    ("studio_images", "i_orphan"): "studio_id 'nope'",
    ("studio_services", "sv_fax"): "service 'FAX'",
    ("studio_studio_types", "t_dup"): "studio_type_uniq",
    ("reviews", "r_rating"): "rating 7",
    ("reviews", "r_own"): "own studio",
    ("messages", "msg_orphan"): "receiver_id 'ghost'",
    ("notifications", "n_type"): "type 'FOO'",
    ("user_connections", "c_self"): "themselves",
    ("contacts", "k_orphan"): "user2 'ghost'",
    ("saved_searches", "ss_bad_json"): "not valid JSON",
    ("content_reports", "cr_other"): "custom_reason",
    ("faq", "f_bad_date"): "created_at is not a date",
}


def build_backup() -> dict:
    alice_hash = _bcryptjs(ALICE_PASSWORD, b"2a")
    guy_hash = _bcryptjs(GUY_PASSWORD, b"2b")
    return {
        "users": [
            _user("u_alice", "alice", "Alice@Example.com", password=alice_hash, verified=True),
            _user(
                "u_guy",
                "VoiceoverGuy",
                "guy@example.com",
                role="STUDIO_OWNER",
                password=guy_hash,
                display_name="Voiceover Guy",
                avatar_url="https://res.cloudinary.com/demo/image/upload/guy.jpg",
            ),
            _user(
                "u_boss", "boss", "boss@example.com", role="ADMIN", password=guy_hash, verified=True
            ),
            _user("u_oauth", "oauthonly", "oauth@example.com", verified=True),
            _user("u_bob", "bob", "bob@example.com", password=guy_hash),
            _user("u_bad_email", "bademail", "not-an-email", password=guy_hash),
            _user("u_plain_password", "plain", "plain@example.com", password="hunter2"),
            _user("u_no_username", "x", "nouser@example.com") | {"username": None},
            _user("u_dup_email", "alice2", "alice@example.com", password=guy_hash),
        ],
        "user_profiles": [
            {
                "id": "p_alice",
                "user_id": "u_alice",
                "last_name": "Liddell",
                "phone": "+44 20 7946 0958",
                "about": "Narration and audiobooks.",
                "short_about": "Narrator",
                "location": "London",
                "rate_tier_1": "£100/h",
                "show_rates": True,
                "facebook_url": "facebook.com/alice",
                "x_url": "https://x.com/alice",
                "show_email": False,
                "show_directions": True,
                "connection1": "ISDN",
                "custom_connection_methods": ["ipDTL"],
                "verification_level": "basic",
                "is_featured": True,
                "created_at": T0,
                "updated_at": T1,
            },
            {
                "id": "p_guy",
                "user_id": "u_guy",
                "studio_name": "Guy's Booth",
                "created_at": T0,
                "updated_at": T1,
            },
            {"id": "p_orphan", "user_id": "u_bad_email", "created_at": T0, "updated_at": T1},
        ],
        "accounts": [
            {
                "id": "a_google",
                "user_id": "u_oauth",
                "type": "oauth",
                "provider": "google",
                "provider_account_id": "109876543210",
                "access_token": "ya29.legacy",
                "refresh_token": "1//refresh",
                "expires_at": 1736700000,
                "token_type": "Bearer",
                "scope": "openid email profile",
                "id_token": "eyJ.legacy.token",
            },
            {
                "id": "a_twitter",
                "user_id": "u_guy",
                "type": "oauth",
                "provider": "twitter",
                "provider_account_id": "4242",
            },
            {
                "id": "a_github",
                "user_id": "u_bob",
                "type": "oauth",
                "provider": "github",
                "provider_account_id": "1",
            },
        ],
        "sessions": [
            {"id": "sess1", "session_token": "tok1", "user_id": "u_alice", "expires": T1},
            {"id": "sess2", "session_token": "tok2", "user_id": "u_guy", "expires": T1},
        ],
        "user_metadata": [
            {
                "id": "m_theme",
                "user_id": "u_alice",
                "key": "theme",
                "value": '"dark"',
                "created_at": T0,
                "updated_at": T1,
            },
            {
                "id": "m_onboarding",
                "user_id": "u_alice",
                "key": "onboarding_completed",
                "value": "2025-01-01",
                "created_at": T0,
                "updated_at": T1,
            },
            {
                "id": "m_bad_key",
                "user_id": "u_alice",
                "key": "Bad Key",
                "value": "1",
                "created_at": T0,
                "updated_at": T1,
            },
        ],
        "studios": [
            {
                "id": "s_booth",
                "owner_id": "u_guy",
                "name": "Guy's Booth",
                "description": "A quiet booth.",
                "full_address": "1 Sound St, London",
                "abbreviated_address": "London",
                "city": "London",
                "latitude": "51.50735100",
                "longitude": -0.1277583,
                "website_url": "https://guy.example.com",
                "is_premium": True,
                "status": "ACTIVE",
                "created_at": T0,
                "updated_at": T1,
            },
            {
                "id": "s_bob",
                "owner_id": "u_bob",
                "name": "Bob's Shed",
                "city": "Leeds",
                "created_at": T0,
                "updated_at": T1,
            },
            {
                "id": "s_half_coords",
                "owner_id": "u_bob",
                "name": "Half",
                "city": "York",
                "latitude": 53.9,
            },
        ],
        "studio_images": [
            {
                "id": "i_1",
                "studio_id": "s_booth",
                "image_url": "https://res.cloudinary.com/demo/booth.jpg",
                "sort_order": 0,
            },
            {
                "id": "i_orphan",
                "studio_id": "nope",
                "image_url": "https://res.cloudinary.com/demo/x.jpg",
            },
        ],
        "studio_services": [
            {"id": "sv_isdn", "studio_id": "s_booth", "service": "ISDN"},
            {"id": "sv_fax", "studio_id": "s_booth", "service": "FAX"},
        ],
        "studio_studio_types": [
            {"id": "t_home", "studio_id": "s_booth", "studio_type": "HOME"},
            {"id": "t_dup", "studio_id": "s_booth", "studio_type": "HOME"},
        ],
        "reviews": [
            {
                "id": "r_good",
                "studio_id": "s_booth",
                "reviewer_id": "u_alice",
                "owner_id": "u_guy",
                "rating": 5,
                "content": "Wonderful sound, great host.",
                "status": "APPROVED",
                "created_at": T0,
                "updated_at": T1,
            },
            {
                "id": "r_rating",
                "studio_id": "s_booth",
                "reviewer_id": "u_bob",
                "owner_id": "u_guy",
                "rating": 7,
                "content": "Too good to be true",
            },
            {
                "id": "r_own",
                "studio_id": "s_booth",
                "reviewer_id": "u_guy",
                "owner_id": "u_guy",
                "rating": 5,
            },
        ],
        "review_responses": [
            {
                "id": "rr_1",
                "review_id": "r_good",
                "author_id": "u_guy",
                "content": "Thank you!",
                "created_at": T0,
                "updated_at": T1,
            },
        ],
        "messages": [
            {
                "id": "msg_1",
                "sender_id": "u_alice",
                "receiver_id": "u_guy",
                "subject": "Booking",
                "content": "Is Tuesday free?",
                "is_read": True,
                "created_at": T0,
            },
            {
                "id": "msg_2",
                "sender_id": "u_guy",
                "receiver_id": "u_alice",
                "subject": "Re: Booking",
                "content": "Yes, from 10am.",
                "created_at": T1,
            },
            {
                "id": "msg_orphan",
                "sender_id": "u_alice",
                "receiver_id": "ghost",
                "content": "Hello there",
            },
        ],
        "notifications": [
            {
                "id": "n_1",
                "user_id": "u_guy",
                "type": "MESSAGE_RECEIVED",
                "title": "New message",
                "message": "Alice sent you a message",
                "data": '{"sender_name": "Alice"}',
                "read": False,
                "action_url": "/messages",
                "created_at": T0,
                "updated_at": T1,
            },
            {"id": "n_type", "user_id": "u_guy", "type": "FOO", "title": "x", "message": "y"},
        ],
        "user_connections": [
            {
                "id": "c_1",
                "user_id": "u_alice",
                "connected_user_id": "u_bob",
                "accepted": False,
                "created_at": T0,
            },
            {
                "id": "c_reverse",
                "user_id": "u_bob",
                "connected_user_id": "u_alice",
                "accepted": True,
                "created_at": T1,
            },
            {"id": "c_self", "user_id": "u_bob", "connected_user_id": "u_bob", "accepted": False},
        ],
        "contacts": [
            {
                "id": "k_1",
                "user1": "u_alice",
                "user2": "u_guy",
                "accepted": 1,
                "created_at": T0,
                "updated_at": T1,
            },
            {
                "id": "k_2",
                "user1": "u_bob",
                "user2": "u_guy",
                "accepted": 0,
                "created_at": T0,
                "updated_at": T1,
            },
            {
                "id": "k_orphan",
                "user1": "u_bob",
                "user2": "ghost",
                "accepted": 0,
                "created_at": T0,
                "updated_at": T1,
            },
        ],
        "saved_searches": [
            {
                "id": "ss_1",
                "user_id": "u_alice",
                "name": "London booths",
                "filters": '{"location": "London", "radius": 25, "studioTypes": ["HOME"]}',
                "created_at": T0,
                "updated_at": T1,
            },
            {
                "id": "ss_bad_json",
                "user_id": "u_alice",
                "name": "Broken",
                "filters": "{location: London",
            },
        ],
        "subscriptions": [
            {
                "id": "sub_1",
                "user_id": "u_guy",
                "stripe_subscription_id": "sub_legacy1",
                "stripe_customer_id": "cus_legacy1",
                "payment_method": "STRIPE",
                "status": "ACTIVE",
                "current_period_start": T0,
                "current_period_end": "2026-03-01T09:30:00.000Z",
                "created_at": T0,
                "updated_at": T1,
            },
        ],
        "pending_subscriptions": [
            {
                "id": "ps_1",
                "user_id": "u_guy",
                "studio_id": "s_booth",
                "stripe_session_id": "cs_legacy1",
                "status": "APPROVED",
                "payment_method": "STRIPE",
                "created_at": T0,
                "updated_at": T1,
            },
        ],
        "refunds": [
            {
                "id": "rf_1",
                "stripe_refund_id": "re_legacy1",
                "stripe_payment_intent_id": "pi_legacy1",
                "amount": 29900,
                "currency": "USD",
                "reason": "requested_by_customer",
                "status": "SUCCEEDED",
                "processed_by": "u_boss",
                "created_at": T0,
                "updated_at": T1,
            },
        ],
        "content_reports": [
            {
                "id": "cr_1",
                "reporter_id": "u_bob",
                "content_type": "REVIEW",
                "content_id": "r_good",
                "reported_user_id": "u_alice",
                "reason": "SPAM",
                "status": "DISMISSED",
                "reviewed_by_id": "u_boss",
                "reviewed_at": T1,
                "resolution": "Looks genuine.",
                "created_at": T0,
                "updated_at": T1,
            },
            {
                "id": "cr_other",
                "reporter_id": "u_bob",
                "content_type": "USER",
                "content_id": "u_alice",
                "reason": "OTHER",
            },
        ],
        "poi": [
            {
                "id": "poi_1",
                "name": "Gear shop",
                "latitude": 51.5,
                "longitude": -0.12,
                "category": "shop",
                "created_at": T0,
                "updated_at": T1,
            },
        ],
        "faq": [
            {
                "id": "f_1",
                "question": "How do I list my studio?",
                "answer": "Sign up, then add it.",
                "sort_order": 1,
                "created_at": T0,
                "updated_at": T1,
            },
            {
                "id": "f_2",
                "question": "Is it free?",
                "answer": "Listing is free.",
                "sort_order": 2,
                "created_at": T0,
                "updated_at": T1,
            },
            {"id": "f_bad_date", "question": "When?", "answer": "Soon", "created_at": "yesterday"},
        ],
    }
