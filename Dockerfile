# The web service: gunicorn serving Django, static files through whitenoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app

# Dependencies first, so that code changes do not reinstall them.
COPY pyproject.toml constraints.txt ./
RUN pip install -c constraints.txt .

# GNU gettext's msgfmt compiles the interface translations (locale/) during the build.
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

COPY . .
# collectstatic needs settings to load; this key exists only during the build.
RUN SECRET_KEY=build-only-key-not-used-at-runtime-0123456789abcdef \
    python manage.py compilemessages --ignore=.venv \
    && SECRET_KEY=build-only-key-not-used-at-runtime-0123456789abcdef \
    python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app annotator

USER annotator
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["gunicorn", "config.wsgi:application", "--config", "config/gunicorn.conf.py"]
