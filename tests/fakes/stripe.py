"""A small local HTTP server that answers like Stripe's REST API, for stripe-python to talk to.

It speaks the real protocol for the calls billing makes: form-encoded bodies with Stripe's
bracket notation (`metadata[user_id]=1`, `line_items[0][price]=...`), `Authorization:
Bearer sk_...`, JSON objects shaped like API version 2026-10-28 (a subscription's period on
its items, an invoice's subscription under `parent.subscription_details`), Stripe's error
envelope, and `Idempotency-Key`: a repeated key replays the first answer (and a key reused
with other parameters is refused, as Stripe does).

Endpoints: customers (create), checkout sessions (create), billing portal sessions
(create), subscriptions (retrieve, cancel), payment intents (retrieve), refunds (create,
retrieve, list), invoices (list). Tests shape state through the Python methods
(`subscription_create`, `subscription_set`, `pay_invoice`, ...) and sign webhook payloads
with stripe-python's own `WebhookSignature.generate_signature_header`.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe

from tests.fakes import serve_in_thread

API_VERSION = "2026-10-28.endive"
SECRET_KEY = "sk_test_fake_studio_finder"
WEBHOOK_SECRET = "whsec_test_fake_studio_finder"
PRICE_ID = "price_premium_yearly"
YEAR = 365 * 24 * 3600


def decode_form(body: str) -> dict[str, Any]:
    """Stripe's bracket notation back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt = None if last else parts[i + 1]
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                if last:
                    node[index] = value
                else:
                    if node[index] is None:
                        node[index] = [] if nxt.isdigit() else {}
                    node = node[index]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, [] if nxt.isdigit() else {})
    return root


class StripeError(Exception):
    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error", **kw):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type, "message": message, **kw}}


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None
    stripe_version: str | None


@dataclass
class FakeStripe:
    url: str = ""
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    idempotent: dict[str, tuple[str, int, dict]] = field(default_factory=dict)
    key_locks: dict[str, threading.Lock] = field(default_factory=dict)
    held: list[threading.Event] = field(default_factory=list)  # requests waiting in hold()
    _hold: tuple[str, int] | None = None
    _fail: tuple[str, int] | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    clock: int = field(default_factory=lambda: int(time.time()))

    # --- helpers for tests ---------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    def now(self) -> int:
        """Stripe's clock: strictly increasing, so event order is well defined."""
        with self.lock:
            self.clock = max(self.clock + 1, int(time.time()))
            return self.clock

    def calls_to(self, method: str, path_prefix: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method and c.path.startswith(path_prefix)]

    def customer_create(self, **params) -> dict:
        with self.lock:
            cus_id = self.new_id("cus")
            obj = {
                "id": cus_id,
                "invoice_prefix": cus_id[-8:].upper(),
                "next_invoice_sequence": 1,
                "object": "customer",
                "created": self.now(),
                "email": params.get("email"),
                "name": params.get("name"),
                "metadata": params.get("metadata") or {},
                "livemode": False,
            }
            self.objects[obj["id"]] = obj
            return obj

    def subscription_create(
        self,
        *,
        customer: str,
        metadata: dict[str, str] | None = None,
        status: str = "active",
        period_start: int | None = None,
        period_end: int | None = None,
        cancel_at_period_end: bool = False,
    ) -> dict:
        with self.lock:
            start = period_start or self.now()
            end = period_end or start + YEAR
            sub_id = self.new_id("sub")
            obj = {
                "id": sub_id,
                "object": "subscription",
                "customer": customer,
                "status": status,
                "created": start,
                "start_date": start,
                "billing_cycle_anchor": start,
                "cancel_at_period_end": cancel_at_period_end,
                "cancel_at": end if cancel_at_period_end else None,
                "canceled_at": None,
                "ended_at": None,
                "collection_method": "charge_automatically",
                "currency": "usd",
                "latest_invoice": None,
                "livemode": False,
                "metadata": dict(metadata or {}),
                "items": {
                    "object": "list",
                    "data": [
                        {
                            "id": self.new_id("si"),
                            "object": "subscription_item",
                            "current_period_start": start,
                            "current_period_end": end,
                            "price": {
                                "id": PRICE_ID,
                                "object": "price",
                                "currency": "usd",
                                "unit_amount": 29900,
                                "recurring": {"interval": "year", "interval_count": 1},
                            },
                            "quantity": 1,
                            "subscription": sub_id,
                        }
                    ],
                    "has_more": False,
                    "url": f"/v1/subscription_items?subscription={sub_id}",
                },
            }
            self.objects[sub_id] = obj
            return obj

    def subscription_set(self, sub_id: str, **changes) -> dict:
        """Change a subscription as Stripe would (status, period, cancel_at_period_end)."""
        with self.lock:
            sub = self.objects[sub_id]
            item = sub["items"]["data"][0]
            for key, value in changes.items():
                if key in ("current_period_start", "current_period_end"):
                    item[key] = value
                else:
                    sub[key] = value
            if changes.get("status") == "canceled" and sub["canceled_at"] is None:
                sub["canceled_at"] = sub["ended_at"] = self.now()
            return json.loads(json.dumps(sub))

    def pay_invoice(self, sub_id: str, *, amount: int = 29900, paid: bool = True) -> dict:
        """An invoice for the subscription, paid (a payment intent) or failed."""
        with self.lock:
            sub = self.objects[sub_id]
            pi = {
                "id": self.new_id("pi"),
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount if paid else 0,
                "currency": "usd",
                "customer": sub["customer"],
                "status": "succeeded" if paid else "requires_payment_method",
                "latest_charge": None,
                "created": self.now(),
                "livemode": False,
                "metadata": {},
            }
            self.objects[pi["id"]] = pi
            item = sub["items"]["data"][0]
            invoice_id = self.new_id("in")
            customer = self.objects[sub["customer"]]
            number = f"{customer['invoice_prefix']}-{customer['next_invoice_sequence']:04d}"
            customer["next_invoice_sequence"] += 1
            invoice = {
                "id": invoice_id,
                "number": number,
                "object": "invoice",
                "customer": sub["customer"],
                "status": "paid" if paid else "open",
                "amount_due": amount,
                "amount_paid": amount if paid else 0,
                "amount_remaining": 0 if paid else amount,
                "currency": "usd",
                "created": self.now(),
                "billing_reason": "subscription_create",
                "hosted_invoice_url": f"https://invoice.stripe.com/i/acct_fake/{invoice_id}",
                "invoice_pdf": f"https://pay.stripe.com/invoice/acct_fake/{invoice_id}/pdf",
                # The invoice's own period is when items could be added (one instant for a
                # subscription's first invoice); the service period is on the lines.
                "period_start": item["current_period_start"],
                "period_end": item["current_period_start"],
                "lines": {
                    "object": "list",
                    "data": [
                        {
                            "id": self.new_id("il"),
                            "object": "line_item",
                            "amount": amount,
                            "currency": "usd",
                            "description": "1 × Premium listing (at $299.00 / year)",
                            "invoice": invoice_id,
                            "period": {
                                "start": item["current_period_start"],
                                "end": item["current_period_end"],
                            },
                            "parent": {
                                "type": "subscription_item_details",
                                "subscription_item_details": {
                                    "subscription": sub_id,
                                    "subscription_item": item["id"],
                                },
                            },
                            "quantity": 1,
                        }
                    ],
                    "has_more": False,
                    "url": f"/v1/invoices/{invoice_id}/lines",
                },
                "livemode": False,
                "parent": {
                    "type": "subscription_details",
                    "quote_details": None,
                    "subscription_details": {"subscription": sub_id, "metadata": sub["metadata"]},
                },
                "payments": {
                    "object": "list",
                    "data": [
                        {
                            "id": self.new_id("inpay"),
                            "object": "invoice_payment",
                            "amount_paid": amount if paid else None,
                            "amount_requested": amount,
                            "currency": "usd",
                            "is_default": True,
                            "status": "paid" if paid else "open",
                            "payment": {"type": "payment_intent", "payment_intent": pi["id"]},
                        }
                    ],
                    "has_more": False,
                },
            }
            self.objects[invoice_id] = invoice
            sub["latest_invoice"] = invoice["id"]
            return json.loads(json.dumps(invoice))

    def refund_set(self, refund_id: str, status: str) -> dict:
        with self.lock:
            self.objects[refund_id]["status"] = status
            return json.loads(json.dumps(self.objects[refund_id]))

    def get(self, obj_id: str) -> dict:
        with self.lock:
            return json.loads(json.dumps(self.objects[obj_id]))

    def event(self, type: str, obj: dict, *, event_id: str | None = None, created=None) -> str:
        """A webhook payload (JSON text) for `obj`, as Stripe posts it."""
        return json.dumps(
            {
                "id": event_id or self.new_id("evt"),
                "object": "event",
                "api_version": API_VERSION,
                "created": created or self.now(),
                "data": {"object": obj, "previous_attributes": {}},
                "livemode": False,
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "type": type,
            }
        )

    def hold(self, path_prefix: str, times: int = 1) -> None:
        """The next `times` requests to `path_prefix` wait until `release()` (or 60 s)."""
        with self.lock:
            self._hold = (path_prefix, times)

    def fail(self, path_prefix: str, times: int = 1) -> None:
        """The next `times` requests to `path_prefix` get a 500 (Stripe's own error, which
        stripe-python retries twice itself: three make one call fail)."""
        with self.lock:
            self._fail = (path_prefix, times)

    def _maybe_fail(self, path: str) -> None:
        with self.lock:
            if not self._fail or not path.startswith(self._fail[0]) or self._fail[1] <= 0:
                return
            self._fail = (self._fail[0], self._fail[1] - 1)
        raise StripeError(500, "An error occurred with our API.", type="api_error")

    def release(self) -> None:
        with self.lock:
            self._hold = None
            for gate in self.held:
                gate.set()

    def _maybe_wait(self, path: str) -> None:
        with self.lock:
            if not self._hold or not path.startswith(self._hold[0]) or self._hold[1] <= 0:
                return
            self._hold = (self._hold[0], self._hold[1] - 1)
            gate = threading.Event()
            self.held.append(gate)
        gate.wait(60)

    # --- the HTTP side -------------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict, key: str | None) -> tuple[int, dict]:
        if not key:
            return self.route(method, path, params)
        # Stripe never runs two requests with one key at once (the second waits or gets a
        # 409 that stripe-python retries): one at a time per key, then the replay.
        with self.lock:
            key_lock = self.key_locks.setdefault(key, threading.Lock())
        with key_lock:
            return self._handle_keyed(method, path, params, key)

    def _handle_keyed(self, method: str, path: str, params: dict, key: str) -> tuple[int, dict]:
        if key:
            with self.lock:
                seen = self.idempotent.get(key)
            if seen is not None:
                fingerprint, status, body = seen
                if fingerprint != json.dumps([method, path, params], sort_keys=True):
                    raise StripeError(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters "
                        "they were first used with.",
                        type="idempotency_error",
                    )
                return status, body
        status, body = self.route(method, path, params)
        if key and method == "POST":
            with self.lock:
                self.idempotent.setdefault(
                    key, (json.dumps([method, path, params], sort_keys=True), status, body)
                )
                status, body = self.idempotent[key][1:]
        return status, body

    def route(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        parts = path.strip("/").split("/")
        if parts[0] != "v1":
            raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")
        rest = parts[1:]
        if method == "POST" and rest == ["customers"]:
            return 200, self.customer_create(**params)
        if method == "POST" and rest == ["checkout", "sessions"]:
            return 200, self.checkout_session_create(params)
        if method == "POST" and rest == ["billing_portal", "sessions"]:
            return 200, self.portal_session_create(params)
        if method == "GET" and len(rest) == 2 and rest[0] == "subscriptions":
            return 200, self.retrieve(rest[1], "subscription")
        if method == "DELETE" and len(rest) == 2 and rest[0] == "subscriptions":
            self.retrieve(rest[1], "subscription")
            return 200, self.subscription_set(rest[1], status="canceled")
        if method == "GET" and len(rest) == 2 and rest[0] == "payment_intents":
            return 200, self.retrieve(rest[1], "payment_intent")
        if method == "POST" and rest == ["refunds"]:
            return 200, self.refund_create(params)
        if method == "GET" and rest == ["refunds"]:
            return 200, self.list_of("refund", "/v1/refunds", **params)
        if method == "GET" and len(rest) == 2 and rest[0] == "refunds":
            return 200, self.retrieve(rest[1], "refund")
        if method == "GET" and rest == ["invoices"]:
            return 200, self.list_of("invoice", "/v1/invoices", **params)
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    def retrieve(self, obj_id: str, kind: str) -> dict:
        with self.lock:
            obj = self.objects.get(obj_id)
            if obj is None or obj["object"] != kind:
                raise StripeError(
                    404, f"No such {kind}: '{obj_id}'", code="resource_missing", param="id"
                )
            return json.loads(json.dumps(obj))

    def list_of(self, kind: str, url: str, **filters) -> dict:
        limit = int(filters.pop("limit", 10))
        with self.lock:
            rows = [
                o
                for o in self.objects.values()
                if o["object"] == kind
                and all(
                    o.get(k) == v or (k == "subscription" and _invoice_subscription(o) == v)
                    for k, v in filters.items()
                )
            ]
        rows.sort(key=lambda o: o["created"], reverse=True)
        return {"object": "list", "url": url, "has_more": len(rows) > limit, "data": rows[:limit]}

    def checkout_session_create(self, params: dict) -> dict:
        for name in ("mode", "success_url"):
            if not params.get(name):
                raise StripeError(400, f"Missing required param: {name}.", param=name)
        line_items = params.get("line_items") or []
        if params["mode"] == "subscription" and not line_items:
            raise StripeError(400, "Missing required param: line_items.", param="line_items")
        if params.get("customer") and params["customer"] not in self.objects:
            raise StripeError(400, f"No such customer: '{params['customer']}'", param="customer")
        session_id = self.new_id("cs_test")
        obj = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "customer": params.get("customer"),
            "subscription": None,
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata") or {},
            "subscription_data": params.get("subscription_data") or {},
            "line_items": line_items,
            "success_url": params["success_url"],
            "cancel_url": params.get("cancel_url"),
            "created": self.now(),
            "expires_at": self.now() + 24 * 3600,
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "livemode": False,
        }
        with self.lock:
            self.objects[session_id] = obj
        return obj

    def complete_checkout(self, session_id: str) -> tuple[dict, dict]:
        """The customer pays: a subscription (with the session's subscription_data metadata)."""
        with self.lock:
            session = self.objects[session_id]
            sub = self.subscription_create(
                customer=session["customer"],
                metadata=(session.get("subscription_data") or {}).get("metadata")
                or session["metadata"],
            )
            session.update(status="complete", payment_status="paid", subscription=sub["id"])
            return json.loads(json.dumps(session)), sub

    def portal_session_create(self, params: dict) -> dict:
        if not params.get("customer"):
            raise StripeError(400, "Missing required param: customer.", param="customer")
        if params["customer"] not in self.objects:
            raise StripeError(400, f"No such customer: '{params['customer']}'", param="customer")
        session_id = self.new_id("bps")
        return {
            "id": session_id,
            "object": "billing_portal.session",
            "customer": params["customer"],
            "return_url": params.get("return_url"),
            "created": self.now(),
            "url": f"https://billing.stripe.com/p/session/{session_id}",
            "livemode": False,
        }

    def refund_create(self, params: dict) -> dict:
        pi_id = params.get("payment_intent")
        if not pi_id:
            raise StripeError(400, "One of `charge` or `payment_intent` is required.")
        pi = self.retrieve(pi_id, "payment_intent")
        with self.lock:
            refunded = sum(
                o["amount"]
                for o in self.objects.values()
                if o["object"] == "refund"
                and o["payment_intent"] == pi_id
                and o["status"] not in ("failed", "canceled")
            )
            remaining = pi["amount_received"] - refunded
            amount = int(params.get("amount") or remaining)
            if amount <= 0 or amount > remaining:
                raise StripeError(
                    400,
                    f"Refund amount (${amount / 100:.2f}) is greater than unrefunded amount "
                    f"on charge (${remaining / 100:.2f})",
                    code="amount_too_large",
                    param="amount",
                )
            obj = {
                "id": self.new_id("re"),
                "object": "refund",
                "amount": amount,
                "currency": pi["currency"],
                "payment_intent": pi_id,
                "charge": None,
                "reason": params.get("reason"),
                "status": "pending",
                "metadata": params.get("metadata") or {},
                "created": self.now(),
            }
            self.objects[obj["id"]] = obj
            return json.loads(json.dumps(obj))


def _invoice_subscription(obj: dict) -> str | None:
    parent = obj.get("parent") or {}
    return (parent.get("subscription_details") or {}).get("subscription")


def _handler_for(fake: FakeStripe):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            params = decode_form(body if method == "POST" else parts.query)
            key = self.headers.get("Idempotency-Key")
            fake._maybe_wait(parts.path)
            with fake.lock:
                fake.calls.append(
                    Call(method, parts.path, params, key, self.headers.get("Stripe-Version"))
                )
            auth = self.headers.get("Authorization", "")
            try:
                if auth != f"Bearer {SECRET_KEY}":
                    raise StripeError(
                        401, "Invalid API Key provided.", type="invalid_request_error"
                    )
                fake._maybe_fail(parts.path)
                status, answer = fake.handle(method, parts.path, params, key)
            except StripeError as exc:
                status, answer = exc.status, exc.body
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Request-Id", f"req_{fake.new_id('x')}")
            self.send_header("Stripe-Version", API_VERSION)
            if key:
                self.send_header("Idempotency-Key", key)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def do_DELETE(self):
            self._serve("DELETE")

        def log_message(self, format, *args):  # keep test output quiet
            return

    return Handler


def start(fake: FakeStripe) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    serve_in_thread(server)
    return server


def sign(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header, computed by stripe-python's own signing code."""
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)


@pytest.fixture
def fake_stripe(settings) -> Iterator[FakeStripe]:
    """A running fake, with the STRIPE_* settings pointed at it."""
    fake = FakeStripe()
    server = start(fake)
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_PRICE_ID = PRICE_ID
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
