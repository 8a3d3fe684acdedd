"""The public fact-check pages: anonymous, read-only, built from FactCheck rows only."""

import datetime

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from annotator.exports.formats import dumps
from annotator.exports.links import Links

from .claimreview import claim_review
from .models import FactCheck


def _live():
    return FactCheck.objects.filter(retracted_at__isnull=True).select_related("claim")


def fact_check_index(request):
    return render(request, "annotator/factchecks/index.html", {"fact_checks": _live()[:200]})


def fact_check_page(request, slug):
    fact_check = get_object_or_404(FactCheck.objects.select_related("claim"), slug=slug)
    if not fact_check.is_live:
        return render(
            request, "annotator/factchecks/gone.html", {"fact_check": fact_check}, status=410
        )
    markup = claim_review(fact_check)
    # A JSON-LD data block is not executed; every "<" is escaped (\\u003c, same JSON value) so
    # no text from a claim or a headline can end the element or open a comment in it.
    json_ld = dumps(markup).replace("<", "\\u003c")
    return render(
        request,
        "annotator/factchecks/detail.html",
        {"fact_check": fact_check, "json_ld": json_ld, "url": markup["url"]},
    )


class StableAtomFeed(Atom1Feed):
    """Atom, with a feed-level ``updated`` that changes only when the fact-checks do.

    Django's generator stamps an empty feed with the time of the request, so readers (and the
    non-interference test) would see a new feed on every fetch.
    """

    EMPTY_FEED_UPDATED = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

    def latest_post_date(self):
        if not self.items:
            return self.EMPTY_FEED_UPDATED
        return super().latest_post_date()


class FactCheckFeed(Feed):
    """Atom feed of the published fact-checks, newest first."""

    feed_type = StableAtomFeed
    title = "Fact-checks"
    subtitle = "Verdicts published from reviewers' consensus"

    def link(self):
        return Links.from_settings().base_url + reverse("fact-check-index")

    def items(self):
        return _live()[:50]

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return f"{item.rating_text}. {item.summary}"

    def item_link(self, item):
        return Links.from_settings().fact_check(item.slug)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at
