"""Every dotted path a setting names imports on its own, first, in a fresh interpreter.

Django's system checks import some of them (the CSRF failure view) in an order that depends on
hashing, so an import cycle shows up only in some runs. Importing each one first, in its own
process, finds such a cycle every time.
"""

import subprocess
import sys

import pytest
from django.conf import settings


def _dotted_paths_named_by_settings() -> list[str]:
    paths = [settings.CSRF_FAILURE_VIEW, settings.ROOT_URLCONF]
    for value in settings.REST_FRAMEWORK.values():
        if isinstance(value, str) and "." in value and not value.startswith("/"):
            paths.append(value)
        elif isinstance(value, (list, tuple)):
            paths += [item for item in value if isinstance(item, str) and "." in item]
    return sorted(set(paths))


@pytest.mark.parametrize("dotted_path", _dotted_paths_named_by_settings())
def test_setting_target_imports_first_in_a_fresh_process(dotted_path):
    program = (
        "import django, os\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.test'\n"
        "django.setup()\n"
        "from importlib import import_module\n"
        f"path = {dotted_path!r}\n"
        "try:\n"
        "    import_module(path)\n"
        "except ModuleNotFoundError:\n"
        "    module, _, name = path.rpartition('.')\n"
        "    getattr(import_module(module), name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
