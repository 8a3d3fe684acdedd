"""Settings come from the environment; production refuses unsafe defaults."""

import os
import subprocess

import pytest

from tests.probes import run_python

GOOD_KEY = "k" * 20 + "-production-secret-for-tests-0123456789"


def load_settings(module: str, **env) -> subprocess.CompletedProcess:
    """Import a settings module in a clean interpreter and print the database settings."""
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = module
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "db = settings.DATABASES['default']; "
        "print(db['ENGINE'], db['NAME'], db.get('HOST', ''), db.get('PORT', ''), settings.DEBUG)"
    )
    return run_python("-c", code, env=clean, timeout=60)


def test_sqlite_is_the_embedded_default():
    result = load_settings("config.settings.dev")
    assert result.returncode == 0, result.stderr
    engine, name, *_rest, debug = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name.endswith("db.sqlite3")
    assert debug == "True"


def test_database_url_selects_postgresql_through_psycopg():
    result = load_settings(
        "config.settings.dev", DATABASE_URL="postgres://u:p@db.example:6543/annotations"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:4] == [
        "django.db.backends.postgresql",
        "annotations",
        "db.example",
        "6543",
    ]


def test_production_refuses_the_default_secret_key():
    result = load_settings("config.settings.production")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = load_settings("config.settings.production", SECRET_KEY=GOOD_KEY, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


def test_production_starts_with_a_real_key():
    result = load_settings("config.settings.production", SECRET_KEY=GOOD_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "False"


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_malformed_boolean_is_a_clear_error(value):
    result = load_settings("config.settings.dev", DEBUG=value)
    assert result.returncode != 0
    assert f"DEBUG={value!r} is not a boolean" in result.stderr


def redis_reachable(host="127.0.0.1", port=6379) -> bool:
    import socket

    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def test_redis_url_gives_a_cache_shared_between_processes():
    """Throttle counts must be shared by every worker: two processes see one counter."""
    if not redis_reachable():
        pytest.skip("needs Redis on 127.0.0.1:6379 (CI has it); this machine has none running")
    key = f"shared-test-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}}
    env.update(REDIS_URL="redis://127.0.0.1:6379/15", DJANGO_SETTINGS_MODULE="config.settings.dev")
    code = (
        "import django, sys; django.setup(); from django.core.cache import cache; "
        "from django.conf import settings; "
        "assert settings.CACHES['default']['BACKEND'].endswith('RedisCache'); "
        f"cache.add({key!r}, 0, 60); print(cache.incr({key!r}))"
    )
    counts = [run_python("-c", code, env=env, timeout=60) for _ in range(2)]
    assert [c.returncode for c in counts] == [0, 0], [c.stderr for c in counts]
    assert [c.stdout.strip() for c in counts] == ["1", "2"]
