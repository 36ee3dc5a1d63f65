"""Settings for the test suite: the real settings, with a fast password hasher."""

import os

os.environ.setdefault("PARCOURS_ENV", "test")

from parcours.config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Background tasks run at once, inside the call that queues them (parcours.background.services).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
