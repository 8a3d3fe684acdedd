"""Small HTTP helpers shared by the API tests."""

from rest_framework.test import APIClient


def logged_in(user) -> APIClient:
    """An API client with ``user``'s session (as the web UI calls the API)."""
    client = APIClient()
    client.force_login(user)
    return client


def body(response) -> str:
    """The text of a streamed export response."""
    return b"".join(response.streaming_content).decode("utf-8")
