"""Reviewer web UI."""

urlpatterns = []
