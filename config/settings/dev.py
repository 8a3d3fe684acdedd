"""Local development: DEBUG on by default, embedded SQLite, the insecure key allowed."""

import os

from .base import *  # noqa: F403
from .base import LOGGING, env_bool

DEBUG = env_bool("DEBUG", True)

# Human-readable log lines in a terminal unless LOG_FORMAT asks otherwise (production: JSON).
LOGGING["handlers"]["console"]["formatter"] = os.environ.get("LOG_FORMAT", "plain")
