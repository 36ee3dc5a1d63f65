"""Settings for the test suite: the real settings, with a fast password hasher."""

import os

os.environ.setdefault("PARCOURS_ENV", "test")

from parcours.config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
