"""Settings for the test suite: the real settings, with a fast password hasher."""

import os

os.environ.setdefault("PARCOURS_ENV", "test")

from parcours.config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Background tasks run at once, inside the call that queues them (parcours.background.services).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# The dashboard page counts the current data: tests reuse association ids across rolled-back
# transactions, and a page allowed older figures could show another test's (the age is tested
# on its own, tests/analytics/test_cache.py).
ANALYTICS_MAX_AGE = 0
