"""Writes of the browser flow: an uploaded file kept until imported, its column mapping
(remembered for the association's next file), and its commit. Atomic and audited."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path

from django.db import transaction

from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.consent.basis import Basis
from parcours.imports import services
from parcours.imports.fields import header_key
from parcours.imports.models import ColumnMemory, ImportFile
from parcours.imports.plan import Plan
from parcours.imports.reading import Layout


@contextmanager
def _on_disk(content: bytes, suffix: str):
    with tempfile.NamedTemporaryFile(suffix=suffix) as fh:
        fh.write(content)
        fh.flush()
        yield Path(fh.name)


def remembered(association) -> dict[str, str]:
    memory = ColumnMemory.objects.filter(association=association).first()
    return memory.columns if memory else {}


def read(import_file: ImportFile, *, mapping: list[str] | None = None) -> tuple[Layout, Plan]:
    """The file's layout and plan (the dry run: nothing written). Raises FileRefused."""
    suffix = Path(import_file.filename).suffix[:8]
    with _on_disk(bytes(import_file.content), suffix) as path:
        return services.read_plan(
            path, mapping=mapping if mapping is not None else import_file.mapping or None,
            remembered=remembered(import_file.association), region=import_file.region,
        )  # fmt: skip


@transaction.atomic
def import_file_create(*, actor, association, upload, region: str, lawful_basis: Basis):
    """Keep the uploaded file; read its layout first (FileRefused: nothing is kept)."""
    content = b"".join(upload.chunks())
    row = ImportFile(
        association=association, created_by=actor, filename=upload.name[:200],
        size=len(content), content=content, region=region,
        lawful_basis={
            "basis": lawful_basis.basis, "day": lawful_basis.day.isoformat(),
            "purposes": sorted(lawful_basis.purposes),
            "collected_by_name": lawful_basis.collected_by_name,
        },
    )  # fmt: skip
    layout, plan = read(row)
    row.layout = asdict(layout)
    row.mapping = plan.mapping
    row.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=row, fields=["filename"])
    return row


@transaction.atomic
def import_file_map(*, actor, import_file: ImportFile, mapping: list[str]) -> ImportFile:
    """Set the file's column mapping and remember it for the association's next files."""
    import_file.mapping = mapping
    import_file.save(update_fields=["mapping"])
    memory, _ = ColumnMemory.objects.get_or_create(association=import_file.association)
    headers = import_file.layout.get("headers", [])
    memory.columns = memory.columns | {
        header_key(h): target for h, target in zip(headers, mapping, strict=False)
    }
    memory.save()
    return import_file


def basis_of(import_file: ImportFile) -> Basis:
    b = import_file.lawful_basis
    return Basis(
        b["basis"], date.fromisoformat(b["day"]), frozenset(b["purposes"]), b["collected_by_name"]
    )


@transaction.atomic
def import_file_commit(*, actor, import_file: ImportFile, plan: Plan, decisions: dict[str, str]):
    """Write the plan, all or nothing; then forget the file's content (personal data).
    A file is imported once: a second commit (a double submit, two jobs) is refused."""
    locked = ImportFile.objects.select_for_update().filter(pk=import_file.pk)
    if locked.values_list("state", flat=True).first() != ImportFile.State.UPLOADED:
        raise ValueError("this file was already imported")
    report = services.import_commit(
        actor=actor, association=import_file.association, plan=plan, decisions=decisions,
        lawful_basis=basis_of(import_file),
    )  # fmt: skip
    from parcours.background.services import job_start
    from parcours.imports.tasks import KIND, import_tasks

    job = job_start(
        actor=actor, association=import_file.association, kind=KIND.key, task=import_tasks,
        kwargs={"association_id": import_file.association_id,
                "household_ids": report.touched_ids},
    )  # fmt: skip
    import_file.report = report.as_dict() | {"job_id": job.pk}
    import_file.state = ImportFile.State.DONE
    import_file.content = b""
    import_file.save(update_fields=["report", "state", "content"])
    return report
