"""Reviews: write one, answer one.

POST  /api/reviews                    a signed-in, email-verified user reviews a studio
PATCH /api/reviews/{id}               its writer changes it (until answered; back to PENDING)
DELETE /api/reviews/{id}              its writer withdraws it
GET   /api/user/reviews               your own reviews in every state (?studio_id=)
POST  /api/reviews/{id}/response      the studio's owner answers an approved review
PATCH /api/reviews/{id}/response      … rewords the answer; DELETE withdraws it

The moderation queue (/api/admin/reviews) is moderation/api.py's; it shows reviews with
ModeratedReviewSerializer from here.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.openapi import error_responses
from common.pagination import PageFilterSerializer, PageSerializer, paginate
from directory.api.studio_pages import PersonSerializer, ReviewResponseSerializer
from directory.models import Review, ReviewStatus
from directory.permissions import IsAuthenticated, IsEmailVerified
from directory.selectors.reviews import reviews_of_reviewer
from directory.services.reviews import (
    CONTENT_MAX,
    CONTENT_MIN,
    RESPONSE_MAX,
    review_create,
    review_delete,
    review_respond,
    review_response_delete,
    review_response_update,
    review_update,
)

_DT = serializers.DateTimeField()


def _response_of(review: Review):
    try:
        return review.response
    except Review.response.RelatedObjectDoesNotExist:
        return None


@extend_schema_serializer(component_name="OwnReview")
class OwnReviewSerializer(serializers.Serializer):
    """A review as its writer sees it right after writing: PENDING until moderated."""

    id = serializers.IntegerField()
    studio_id = serializers.IntegerField()
    rating = serializers.IntegerField()
    content = serializers.CharField(allow_null=True)
    is_anonymous = serializers.BooleanField()
    status = serializers.ChoiceField(ReviewStatus.choices)
    created_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="StudioRef")
class StudioRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="ModeratedReview")
class ModeratedReviewSerializer(serializers.Serializer):
    """Everything a moderator needs, the reviewer of an anonymous review included."""

    id = serializers.IntegerField()
    studio = StudioRefSerializer()
    reviewer = PersonSerializer()
    owner = PersonSerializer()
    rating = serializers.IntegerField()
    content = serializers.CharField(allow_null=True)
    is_anonymous = serializers.BooleanField()
    status = serializers.ChoiceField(ReviewStatus.choices)
    is_flagged = serializers.BooleanField(help_text="The content matched the blocklist.")
    flagged_terms = serializers.ListField(child=serializers.CharField())
    moderated_by = PersonSerializer(allow_null=True)
    moderated_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    response = ReviewResponseSerializer(allow_null=True)

    def to_representation(self, review: Review) -> dict:
        response = _response_of(review)
        return {
            "id": review.pk,
            "studio": {"id": review.studio_id, "name": review.studio.name},
            "reviewer": PersonSerializer(review.reviewer).data,
            "owner": PersonSerializer(review.owner).data,
            "rating": review.rating,
            "content": review.content,
            "is_anonymous": review.is_anonymous,
            "status": review.status,
            "is_flagged": review.is_flagged,
            "flagged_terms": list(review.flagged_terms or []),
            "moderated_by": PersonSerializer(review.moderated_by).data
            if review.moderated_by
            else None,
            "moderated_at": _DT.to_representation(review.moderated_at)
            if review.moderated_at
            else None,
            "created_at": _DT.to_representation(review.created_at),
            "response": ReviewResponseSerializer(response).data if response else None,
        }


@extend_schema_serializer(component_name="MyReview")
class MyReviewSerializer(serializers.Serializer):
    """One of your own reviews, in any state, with the studio and the owner's answer."""

    id = serializers.IntegerField()
    studio = StudioRefSerializer()
    rating = serializers.IntegerField()
    content = serializers.CharField(allow_null=True)
    is_anonymous = serializers.BooleanField()
    status = serializers.ChoiceField(ReviewStatus.choices)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    response = ReviewResponseSerializer(allow_null=True)

    def to_representation(self, review: Review) -> dict:
        response = _response_of(review)
        return {
            "id": review.pk,
            "studio": {"id": review.studio_id, "name": review.studio.name},
            "rating": review.rating,
            "content": review.content,
            "is_anonymous": review.is_anonymous,
            "status": review.status,
            "created_at": _DT.to_representation(review.created_at),
            "updated_at": _DT.to_representation(review.updated_at),
            "response": ReviewResponseSerializer(response).data if response else None,
        }


@extend_schema_serializer(component_name="MyReviewPage")
class MyReviewPageSerializer(PageSerializer):
    results = MyReviewSerializer(many=True)


class ReviewCreateApi(APIView):
    permission_classes = [IsAuthenticated, IsEmailVerified]

    @extend_schema_serializer(component_name="ReviewCreate")
    class InputSerializer(serializers.Serializer):
        studio_id = serializers.IntegerField(min_value=1)
        rating = serializers.IntegerField(min_value=1, max_value=5)
        content = serializers.CharField(min_length=CONTENT_MIN, max_length=CONTENT_MAX)
        is_anonymous = serializers.BooleanField(default=False)

    @extend_schema(
        operation_id="review_create",
        summary="Review a studio",
        description=(
            "Signed in with a verified email (403 `email_unverified` otherwise); not your own "
            "studio (403 `own_studio`); once per studio (409 `already_reviewed`). The review "
            "is PENDING until a moderator approves it."
        ),
        request=InputSerializer,
        responses={201: OwnReviewSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=["reviews"],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = review_create(reviewer=request.user, **serializer.validated_data)
        return Response(OwnReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewRespondApi(APIView):
    permission_classes = [IsAuthenticated, IsEmailVerified]

    @extend_schema_serializer(component_name="ReviewRespond")
    class InputSerializer(serializers.Serializer):
        content = serializers.CharField(max_length=RESPONSE_MAX)

    @extend_schema(
        operation_id="review_respond",
        summary="Answer a review of your studio",
        description=(
            "Only the studio's owner (403 `not_studio_owner`), once per review (409 "
            "`already_responded`), on an approved review. The reviewer is notified."
        ),
        request=InputSerializer,
        responses={201: ReviewResponseSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=["reviews"],
    )
    def post(self, request, review_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = review_respond(
            review_id=review_id, author=request.user, **serializer.validated_data
        )
        return Response(ReviewResponseSerializer(response).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="review_response_update",
        summary="Reword your answer to a review",
        description=(
            "Only the studio's owner (403 `not_studio_owner`); 404 when the review has no "
            "answer. The reviewer is not notified again."
        ),
        request=InputSerializer,
        responses={200: ReviewResponseSerializer, **error_responses(400, 401, 403, 404)},
        tags=["reviews"],
    )
    def patch(self, request, review_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = review_response_update(
            review_id=review_id, author=request.user, **serializer.validated_data
        )
        return Response(ReviewResponseSerializer(response).data)

    @extend_schema(
        operation_id="review_response_delete",
        summary="Withdraw your answer to a review",
        description="Only the studio's owner (403 `not_studio_owner`); 404 without an answer.",
        responses={204: None, **error_responses(401, 403, 404)},
        tags=["reviews"],
    )
    def delete(self, request, review_id: int):
        review_response_delete(review_id=review_id, author=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReviewDetailApi(APIView):
    permission_classes = [IsAuthenticated, IsEmailVerified]

    @extend_schema_serializer(component_name="ReviewUpdate")
    class InputSerializer(serializers.Serializer):
        rating = serializers.IntegerField(min_value=1, max_value=5, required=False)
        content = serializers.CharField(
            min_length=CONTENT_MIN, max_length=CONTENT_MAX, required=False
        )
        is_anonymous = serializers.BooleanField(required=False)

    @extend_schema(
        operation_id="review_update",
        summary="Change your review",
        description=(
            "Only its writer (404 for anyone else), until the studio's owner has answered it "
            "(409 `review_answered`). The changed review is PENDING again: off the studio "
            "page until a moderator approves it."
        ),
        request=InputSerializer,
        responses={200: MyReviewSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=["reviews"],
    )
    def patch(self, request, review_id: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = review_update(
            review_id=review_id, reviewer=request.user, **serializer.validated_data
        )
        review = reviews_of_reviewer(user_id=request.user.pk).get(pk=review.pk)
        return Response(MyReviewSerializer(review).data)

    @extend_schema(
        operation_id="review_delete",
        summary="Withdraw your review",
        description="Only its writer (404 for anyone else), in any state; its answer goes too.",
        responses={204: None, **error_responses(401, 403, 404)},
        tags=["reviews"],
    )
    def delete(self, request, review_id: int):
        review_delete(review_id=review_id, reviewer=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserReviewListApi(APIView):
    """Your reviews in every state: the studio page shows yours while it is pending."""

    permission_classes = [IsAuthenticated]

    class FilterSerializer(PageFilterSerializer):
        studio_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)

    @extend_schema(
        operation_id="user_review_list",
        summary="Your reviews, newest first (PENDING and REJECTED included)",
        parameters=[FilterSerializer],
        responses={200: MyReviewPageSerializer, **error_responses(400, 401, 403)},
        tags=["reviews"],
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        page = paginate(
            reviews_of_reviewer(user_id=request.user.pk, studio_id=data.get("studio_id")),
            page=data["page"],
            page_size=data["page_size"],
        )
        return Response(page.as_dict(MyReviewSerializer(page.results, many=True).data))
