"""Public fact-check URLs: the index, its Atom feed and one page per fact-check."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.fact_check_index, name="fact-check-index"),
    path("feed.atom", views.FactCheckFeed(), name="fact-check-feed"),
    path("<slug:slug>/", views.fact_check_page, name="fact-check"),
]
