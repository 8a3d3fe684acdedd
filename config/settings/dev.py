"""Local development: DEBUG on by default, embedded SQLite, the insecure key allowed."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
