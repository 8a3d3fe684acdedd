"""Template context shared by every reviewer page."""

THEMES = ("light", "dark")


def theme(request) -> dict:
    """The colour theme the reader chose (a cookie set by app.js), or "" to follow the system.

    Rendered on ``<html data-theme>`` by the server, so the page paints in the right colours
    at once without an inline script (the CSP allows none).
    """
    chosen = request.COOKIES.get("theme", "")
    return {"theme": chosen if chosen in THEMES else ""}
