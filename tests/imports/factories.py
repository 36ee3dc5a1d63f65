"""An uploaded file per association, for the access matrix (URL_KWARGS)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from parcours.imports import flow
from tests.basis import BASIS
from tests.imports import corpus


def import_file(world, which):
    cache = world.__dict__.setdefault("_objects", {})
    if ("import_file", which) not in cache:
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as d:
            content = corpus.write_csv(Path(d) / "familles.csv").read_bytes()
        with scopes_disabled():
            cache[("import_file", which)] = flow.import_file_create(
                actor=None, association=world.a if which == "a" else world.b,
                upload=SimpleUploadedFile("familles.csv", content), region="FR",
                lawful_basis=BASIS,
            )  # fmt: skip
    return cache[("import_file", which)]


URL_KWARGS = {"import_pk": import_file}
