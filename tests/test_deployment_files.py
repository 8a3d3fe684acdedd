"""No Docker engine runs here, so the deployment files are checked by parsing them."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_postgres_16_with_a_named_volume_and_a_healthcheck():
    services = compose()["services"]
    db = services["db"]
    assert db["image"].startswith("postgres:16")
    volume, target = db["volumes"][0].split(":", 1)
    assert volume in compose()["volumes"]
    assert target == "/var/lib/postgresql/data"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_web_is_built_from_the_dockerfile_and_waits_for_db_and_migrations():
    services = compose()["services"]
    web = services["web"]
    assert web["build"] == "."
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "migrate --noinput" in " ".join(services["migrate"]["command"])
    assert web["ports"] == ["${WEB_PORT:-8000}:8000"]
    assert "/readyz" in " ".join(web["healthcheck"]["test"])


def test_environment_wires_the_database_and_secrets():
    services = compose()["services"]
    env = services["web"]["environment"]
    assert env == services["migrate"]["environment"]
    db_env = services["db"]["environment"]
    match = re.fullmatch(
        r"postgres://(\w+):\$\{POSTGRES_PASSWORD\}@db:5432/(\w+)", env["DATABASE_URL"]
    )
    assert match, env["DATABASE_URL"]
    assert match.group(1) == db_env["POSTGRES_USER"]
    assert match.group(2) == db_env["POSTGRES_DB"]
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    assert services["web"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "redis-cli" in " ".join(services["redis"]["healthcheck"]["test"])
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"):
        assert name in env
    assert ":?" in env["SECRET_KEY"], "compose must refuse to start without a SECRET_KEY"


def test_dockerfile_runs_gunicorn_with_production_settings_and_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert '"gunicorn", "config.wsgi:application"' in dockerfile
    assert (ROOT / "config" / "wsgi.py").is_file()
    assert (
        "whitenoise.middleware.WhiteNoiseMiddleware"
        in (ROOT / "config" / "settings" / "base.py").read_text()
    )
