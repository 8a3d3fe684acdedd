"""/api/v1/comments/: threads on consensus groups, through the visibility policy."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.api.views import ApiViewMixin
from annotator.models import Consensus
from annotator.validators import MAX_ID
from annotator.visibility import may_see_group

from . import services
from .models import Comment
from .selectors import present, thread, visible_comment


def _body(request) -> dict:
    return request.data if isinstance(request.data, dict) else {}


def _int(value, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: ["An integer id is required."]}) from None
    if not 0 < number <= MAX_ID:
        raise ValidationError({field: ["No such id."]})
    return number


def _visible_group(user, consensus_id) -> Consensus:
    row = Consensus.objects.filter(pk=consensus_id).first()
    if row is None or not may_see_group(user, row):
        raise NotFound("No such consensus group (or you have not judged it yet).")
    return row


def _visible_comment(user, comment_id) -> Comment:
    """One 404 whether the comment does not exist, is hidden, or sits in a group the user
    may not see: the answer must not tell these apart (blind review)."""
    comment = visible_comment(user, comment_id)
    if comment is None:
        raise NotFound("No such comment.")
    return comment


class CommentsView(ApiViewMixin, APIView):
    @extend_schema(
        summary="The thread of a consensus group",
        operation_id="comments_list",
        parameters=[OpenApiParameter("consensus", OpenApiTypes.INT, required=True)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        group = _visible_group(
            request.user, _int(request.query_params.get("consensus"), "consensus")
        )
        comments = thread(request.user, group) or []
        return Response({"results": [present(comment, request.user) for comment in comments]})

    @extend_schema(
        summary="Comment in a thread (body, optional reply_to); @username mentions",
        request=OpenApiTypes.OBJECT,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        data = _body(request)
        group = _visible_group(request.user, _int(data.get("consensus"), "consensus"))
        reply_to = None
        if data.get("reply_to") is not None:
            reply_to = Comment.objects.filter(pk=_int(data["reply_to"], "reply_to")).first()
            if reply_to is None:
                raise ValidationError({"reply_to": ["No such comment."]})
        comment = services.post_comment(
            author=request.user, consensus=group, body=data.get("body"), reply_to=reply_to
        )
        return Response(present(comment, request.user), status=status.HTTP_201_CREATED)


class CommentView(ApiViewMixin, APIView):
    @extend_schema(summary="One comment", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: str):
        return Response(present(_visible_comment(request.user, pk), request.user))

    @extend_schema(
        summary="Edit your comment (within the edit window)",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
    )
    def patch(self, request, pk: str):
        comment = services.edit_comment(
            _visible_comment(request.user, pk), by=request.user, body=_body(request).get("body")
        )
        return Response(present(comment, request.user))

    @extend_schema(summary="Delete your comment (within the edit window)", responses={204: None})
    def delete(self, request, pk: str):
        services.delete_comment(_visible_comment(request.user, pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentHideView(ApiViewMixin, APIView):
    @extend_schema(
        summary="Hide a comment (moderators; reason required, audited)",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request, pk: str):
        comment = services.hide_comment(
            _visible_comment(request.user, pk),
            moderator=request.user,
            reason=_body(request).get("reason"),
        )
        return Response(present(comment, request.user))
