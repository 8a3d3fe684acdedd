"""A real OpenID Connect provider for the SSO tests: django-oauth-toolkit in its own process.

``serve.py`` migrates a throw-away SQLite database, creates the users and the client it is
given (JSON in ``OIDC_PROVIDER_SPEC``), and serves on 127.0.0.1 at a free port, which it
prints. ``/login-as/<username>/`` signs a user in at the provider (the test's stand-in for the
provider's own login page).
"""
