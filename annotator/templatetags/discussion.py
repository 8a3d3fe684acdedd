"""``{% discussion_thread group %}`` and ``{% discussion_index document %}`` for the pages that
show consensus: the reading view, the claim page and the adjudication page."""

from django import template
from django.db.models import Count, Q

from annotator.discussion.selectors import thread_context
from annotator.models import Consensus
from annotator.visibility import visible_consensus

register = template.Library()


@register.inclusion_tag("annotator/discussion/_thread.html", takes_context=True)
def discussion_thread(context, group, admin=False):
    shown = thread_context(context["request"].user, group, admin=admin)
    return {**shown, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("annotator/discussion/_index.html", takes_context=True)
def discussion_index(context, document):
    """The passage threads of ``document`` that hold comments, among the groups the reader may
    see. (Every passage's thread is one click away on its Discuss badge; listing all of them
    here cost a 1,000-passage page a third of its time.)"""
    user = context["request"].user
    groups = (
        visible_consensus(user, Consensus.objects.filter(document=document, kind="passage"))
        .select_related("passage")
        .annotate(comment_count=Count("comments", filter=Q(comments__hidden_at__isnull=True)))
        .filter(comment_count__gt=0)
        .order_by("start")
    )
    return {"groups": list(groups)}
