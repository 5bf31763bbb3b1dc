import pytest

from tests.factories import FaqFactory

pytestmark = pytest.mark.django_db


def test_the_faq_is_public_in_sort_order_with_unordered_entries_last(
    client, django_assert_num_queries
):
    unordered = FaqFactory(sort_order=None, question="Anything else?")
    second = FaqFactory(sort_order=2)
    first = FaqFactory(sort_order=1)

    with django_assert_num_queries(1):
        response = client.get("/api/faq")

    assert response.status_code == 200
    body = response.json()
    assert [entry["id"] for entry in body] == [first.pk, second.pk, unordered.pk]
    assert set(body[0]) == {"id", "question", "answer", "sort_order", "updated_at"}


def test_the_faq_is_read_only(client):
    response = client.post("/api/faq", {})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
