"""directory.permissions: the role classes other apps' views list."""

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIRequestFactory

from directory.permissions import (
    IsAdmin,
    IsOwnerOrAdmin,
    IsStudioOwnerOrAdmin,
    ReadOnlyOrAuthenticated,
)
from tests.factories import StudioFactory, UserFactory

pytestmark = pytest.mark.django_db

factory = APIRequestFactory()


def request_as(user, method="get"):
    request = getattr(factory, method)("/")
    request.user = user
    return request


class View:
    owner_field = "owner_id"


@pytest.fixture
def people():
    return {
        "anonymous": AnonymousUser(),
        "user": UserFactory(),
        "owner": UserFactory(owner=True),
        "admin": UserFactory(admin=True),
    }


@pytest.mark.parametrize(
    ("permission", "allowed"),
    [
        (IsAdmin, {"admin"}),
        (IsStudioOwnerOrAdmin, {"owner", "admin"}),
    ],
)
def test_role_classes(people, permission, allowed):
    for name, user in people.items():
        assert permission().has_permission(request_as(user), View()) is (name in allowed), name


def test_read_only_or_authenticated(people):
    for name, user in people.items():
        assert ReadOnlyOrAuthenticated().has_permission(request_as(user), View())
        writes = ReadOnlyOrAuthenticated().has_permission(request_as(user, "post"), View())
        assert writes is (name != "anonymous"), name


def test_is_owner_or_admin_on_objects(people):
    studio = StudioFactory(owner=people["owner"])
    permission = IsOwnerOrAdmin()
    assert permission.has_object_permission(request_as(people["owner"]), View(), studio)
    assert permission.has_object_permission(request_as(people["admin"]), View(), studio)
    assert not permission.has_object_permission(request_as(people["user"]), View(), studio)
    assert not permission.has_permission(request_as(people["anonymous"]), View())


def test_is_owner_or_admin_reads_the_views_owner_field(people):
    class ReviewView:
        owner_field = "reviewer_id"

    class Review:
        reviewer_id = people["user"].pk
        owner_id = people["owner"].pk

    permission = IsOwnerOrAdmin()
    assert permission.has_object_permission(request_as(people["user"]), ReviewView(), Review())
    assert not permission.has_object_permission(request_as(people["owner"]), ReviewView(), Review())
