"""The thread page of a consensus group: read and post (plain HTML forms)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from annotator.errors import AnnotationInputError, NotAllowedError
from annotator.models import Consensus

from . import services
from .models import Comment
from .selectors import thread


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
            text = error.errors if isinstance(error, AnnotationInputError) else str(error)
            messages.error(request, _("Your comment was not posted: %(reason)s") % {"reason": text})
            return redirect("discussion-thread", consensus_id=group.pk)
        return redirect(f"{request.path}#comment-{comment.pk}")
    return render(
        request, "annotator/discussion/thread_page.html", {"group": group, "comments": comments}
    )
