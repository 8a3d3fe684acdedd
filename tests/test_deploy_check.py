"""Production settings pass `check --deploy` and refuse to start when unsafe."""

import os
import secrets

import pytest

from tests.probes import run_python


def run_with_production_settings(code: str, **env_overrides: str | None):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    for name, value in env_overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return run_python("-c", code, env=env)


def random_secret_key() -> str:
    return secrets.token_urlsafe(64)[:50]


DEPLOY_CHECK = """
import django
from django.core.management import call_command
django.setup()
call_command("check", deploy=True, fail_level="WARNING")
"""


def test_deploy_check_passes_with_no_warnings():
    result = run_with_production_settings(DEPLOY_CHECK, SECRET_KEY=random_secret_key(), DEBUG=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_deploy_check_fails_when_a_protection_is_switched_off():
    """The check really inspects these settings: turning HSTS off makes it fail."""
    result = run_with_production_settings(
        DEPLOY_CHECK, SECRET_KEY=random_secret_key(), SECURE_HSTS_SECONDS="0"
    )
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("secret_key", "debug", "expected"),
    [
        (None, None, "SECRET_KEY"),
        ("insecure-development-key-do-not-use-in-production", None, "SECRET_KEY"),
        ("too-short", None, "SECRET_KEY"),
        ("use-a-valid-key-" + "x" * 40, "true", "DEBUG must be off"),
    ],
    ids=["unset-key", "default-key", "short-key", "debug-on"],
)
def test_production_settings_refuse_unsafe_configuration(secret_key, debug, expected):
    result = run_with_production_settings(
        "import django; django.setup()", SECRET_KEY=secret_key, DEBUG=debug
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert expected in result.stderr


def test_production_settings_start_with_a_random_key():
    result = run_with_production_settings(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        SECRET_KEY=random_secret_key(),
        DEBUG=None,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
