"""The thread of a consensus group in web pages: read, post, and the author's edit and delete.

Plain HTML forms that work without JavaScript (each POST redirects back to the thread page).
The reading view shows a thread inline: it loads ``?fragment=thread`` and sends the same forms
with ``inline=1``, and gets the re-rendered thread back instead of a redirect (errors shown in
it, with a 400).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from annotator.errors import AnnotationInputError, NotAllowedError
from annotator.models import Consensus

from . import services
from .models import Comment
from .selectors import thread, thread_context, visible_comment

THREAD_TEMPLATE = "annotator/discussion/_thread.html"


def _error_text(error) -> str:
    if isinstance(error, AnnotationInputError):
        return " ".join(" ".join(problems) for problems in error.errors.values())
    return str(error)


def _answer(request, group, *, anchor: str = "", error=None):
    """After a write: the re-rendered thread for the inline view, else a redirect."""
    if request.POST.get("inline"):
        context = thread_context(request.user, group, inline=True)
        context["error"] = _error_text(error) if error else ""
        return render(request, THREAD_TEMPLATE, context, status=400 if error else 200)
    if error:
        messages.error(request, _("Not saved: %(error)s") % {"error": _error_text(error)})
    return redirect(reverse("discussion-thread", args=[group.pk]) + anchor)


@login_required
def thread_page(request, consensus_id: int):
    group = get_object_or_404(
        Consensus.objects.select_related("document", "claim"), pk=consensus_id
    )
    comments = thread(request.user, group)
    if comments is None:
        raise Http404(_("No such thread (judge this group yourself first)."))
    if request.method == "POST":
        reply_to = None
        if request.POST.get("reply_to", "").isdigit():
            reply_to = Comment.objects.filter(pk=int(request.POST["reply_to"])).first()
        try:
            comment = services.post_comment(
                author=request.user,
                consensus=group,
                body=request.POST.get("body"),
                reply_to=reply_to,
            )
        except (AnnotationInputError, NotAllowedError) as error:
            return _answer(request, group, error=error)
        return _answer(request, group, anchor=f"#comment-{comment.pk}")
    if request.GET.get("fragment") == "thread":
        return render(request, THREAD_TEMPLATE, thread_context(request.user, group, inline=True))
    return render(
        request, "annotator/discussion/thread_page.html", {"group": group, "comments": comments}
    )


def _own_comment(request, comment_id: int) -> Comment:
    comment = visible_comment(request.user, comment_id)
    if comment is None:
        raise Http404(_("No such comment."))
    return comment


@require_POST
@login_required
def comment_edit(request, comment_id: int):
    comment = _own_comment(request, comment_id)
    try:
        services.edit_comment(comment, by=request.user, body=request.POST.get("body"))
    except (AnnotationInputError, NotAllowedError) as error:
        return _answer(request, comment.consensus, error=error)
    return _answer(request, comment.consensus, anchor=f"#comment-{comment.pk}")


@require_POST
@login_required
def comment_delete(request, comment_id: int):
    comment = _own_comment(request, comment_id)
    try:
        services.delete_comment(comment, by=request.user)
    except (AnnotationInputError, NotAllowedError) as error:
        return _answer(request, comment.consensus, error=error)
    return _answer(request, comment.consensus, anchor=f"#comment-{comment.pk}")
