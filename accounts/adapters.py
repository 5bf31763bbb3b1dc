"""django-allauth adapters: where allauth's flows meet our user model and rules.

- A suspended account cannot log in, by password or by a provider (`pre_login`).
- `display_name` is filled at signup (the username, or the provider's name).
- Headless responses describe the user with role and verification state too.
"""

from __future__ import annotations

import dataclasses
from http import HTTPStatus
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.headless.adapter import DefaultHeadlessAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from common.api import error_body, is_api_request
from common.auth import suspended_error, suspension_details, user_is_suspended
from common.errors import DomainError
from common.mail import send_after_commit

from .models import User
from .services.profiles import profile_get_or_create

DISPLAY_NAME_MAX_LENGTH = User._meta.get_field("display_name").max_length
HEADLESS_PREFIX = "/_allauth/"


class _NoPhoneField(forms.CharField):
    def validate(self, value: str) -> None:
        super().validate(value)
        raise forms.ValidationError(
            "Phone numbers are not used to sign in; add yours to your profile instead.",
            code="phone_not_supported",
        )


def user_display(user: User) -> str:
    """settings.ACCOUNT_USER_DISPLAY: how allauth names a user in pages and emails."""
    return user.display_name or user.username


def is_headless_request(request: HttpRequest) -> bool:
    """allauth marks requests to its /_allauth/ views (request.allauth.headless)."""
    return getattr(getattr(request, "allauth", None), "headless", None) is not None


def headless_error_response(error: DomainError) -> JsonResponse:
    """A domain error in allauth's headless shape, so clients parse one format there:
    {"status": 403, "errors": [{"code": ..., "message": ..., <fields>}]}."""
    body = {
        "status": error.status,
        "errors": [{"code": error.code, "message": error.message, **error.fields}],
    }
    return JsonResponse(body, status=error.status)


def suspended_response(request: HttpRequest, user: User) -> HttpResponse:
    """The one 403 a suspended user gets, in the caller's language: the API's JSON error
    under /api/, allauth's JSON for headless clients, the "suspended" page else. Used by
    login (`AccountAdapter.pre_login`) and by every later request (SuspensionMiddleware)."""
    error = suspended_error(user)
    if is_api_request(request):
        return JsonResponse(
            error_body(error.code, error.message, error.fields), status=error.status
        )
    if is_headless_request(request) or request.path.startswith(HEADLESS_PREFIX):
        return headless_error_response(error)
    return TemplateResponse(
        request,
        "account/suspended.html",
        {"suspension": suspension_details(user), "message": error.message},
        status=HTTPStatus.FORBIDDEN,
    ).render()  # rendered here: a middleware's answer is not rendered by the handler


class AccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request: HttpRequest, user, **kwargs: Any) -> HttpResponse | None:
        response = super().pre_login(request, user, **kwargs)
        if response is None and user_is_suspended(user):
            # Forget the half-finished login, so no session (or token) comes out of it.
            request.session.flush()
            response = suspended_response(request, user)
            if is_headless_request(request):
                # Headless login views turn returned responses into a plain 401;
                # raising makes the 403 and its reason reach the client.
                raise ImmediateHttpResponse(response)
        return response

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth renders, then calls `.send()` on the result: that call queues the
        message for a Celery worker after commit instead of talking SMTP in the request."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        message.send = lambda fail_silently=False: send_after_commit(message)
        return message

    # Phone numbers are not a way to sign in here (profiles have a contact phone, which
    # is not allauth's). allauth's phone endpoints exist regardless: these make them
    # answer "none" and refuse any number with a 400 instead of raising NotImplementedError.
    def get_phone(self, user) -> None:
        return None

    def get_user_by_phone(self, phone: str) -> None:
        return None

    def phone_form_field(self, **kwargs: Any) -> forms.Field:
        return _NoPhoneField(**kwargs)

    def save_user(self, request: HttpRequest, user: User, form, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        if not user.display_name:
            user.display_name = user.username[:DISPLAY_NAME_MAX_LENGTH]
        if commit:
            user.save()
            profile_get_or_create(user=user)
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request: HttpRequest, sociallogin, data: dict) -> User:
        user = super().populate_user(request, sociallogin, data)
        name = (data.get("name") or "").strip()
        if not name:
            name = " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
        user.display_name = (name or data.get("username") or "")[:DISPLAY_NAME_MAX_LENGTH]
        return user

    def save_user(self, request: HttpRequest, sociallogin, form=None) -> User:
        user = sociallogin.user
        if not user.display_name:
            user.display_name = (user.username or "")[:DISPLAY_NAME_MAX_LENGTH]
        user = super().save_user(request, sociallogin, form)
        profile_get_or_create(user=user)
        return user


class HeadlessAdapter(DefaultHeadlessAdapter):
    """Adds `role` and `email_verified` to the user object of every headless response
    (and to allauth's OpenAPI description of it)."""

    def get_user_dataclass(self):
        role = dataclasses.field(
            default="", metadata={"description": "USER, STUDIO_OWNER or ADMIN.", "example": "USER"}
        )
        email_verified = dataclasses.field(
            default=False,
            metadata={"description": "The primary email address is verified.", "example": True},
        )
        return dataclasses.make_dataclass(
            "User",
            [("role", str, role), ("email_verified", bool, email_verified)],
            bases=(super().get_user_dataclass(),),
        )

    def user_as_dataclass(self, user: User):
        return dataclasses.replace(
            super().user_as_dataclass(user),
            role=getattr(user, "role", ""),
            email_verified=bool(getattr(user, "email_verified", False)),
        )
