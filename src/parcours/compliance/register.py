"""The register of processing activities (GDPR art. 30), generated on each request from the
association's settings and from Parcours' data model, so it never falls behind the code.

Each Django app of Parcours that holds personal data is one processing activity: its purpose is
written below (an app without a written purpose still appears, flagged, with its data). Its data
are read from the models (fields and their labels); sensitive ones are marked.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.accounts.roles import ROLE_CAPABILITIES, Capability, Role
from parcours.compliance.models import Processor
from parcours.compliance.selectors import policy_for

# Purpose and data subjects of each app's processing; the legal basis is the association's
# choice (consent, or legitimate interest for its members): it is written in its notice.
PURPOSES = {
    "households": gettext_lazy(
        "Know the families the association accompanies: household, members, contact details, "
        "needs, and every dated contact with them (the journey's evidence)."
    ),
    "outreach": gettext_lazy(
        "Organise proximity actions in the neighbourhoods and record the families reached."
    ),
    "frontdesk": gettext_lazy(
        "Welcome families: information requests, appointments, welcome visits and their "
        "individual listening."
    ),
    "activities": gettext_lazy("Run activities and sessions, and record attendance."),
    "community": gettext_lazy(
        "Family participation: groups of families, sponsorships, referrals, visits to absent "
        "families, roles, projects and messages sent to families."
    ),
    "support": gettext_lazy(
        "Personalised support of a family through a breakdown: case, follow-ups, outcome."
    ),
    "journey": gettext_lazy(
        "Place each household on the association's journey and explain why (stages, statuses)."
    ),
    "worklists": gettext_lazy(
        "Tell the team what to do next for each family (tasks), match sponsors, send digests."
    ),
    "accounts": gettext_lazy("Give the association's team access to Parcours, by role."),
    "audit": gettext_lazy(
        "Keep track of who changed or read personal data (accountability, security)."
    ),
    "compliance": gettext_lazy(
        "Apply the retention periods and answer for them (extensions, archive reads)."
    ),
    "privacy": gettext_lazy(
        "Answer the rights of the persons: access, portability, erasure, with a trace."
    ),
    "consent": gettext_lazy("Record the lawful basis of each family's data and its withdrawal."),
}
SUBJECT_FAMILIES = gettext_lazy("Families accompanied and their members")
SUBJECT_TEAM = gettext_lazy("The association's team (staff, volunteers, peer families, board)")
# Sensitive by nature (GDPR art. 9 and social data the CNIL treats as highly personal).
SENSITIVE_APPS = frozenset({"support"})
SENSITIVE_FIELDS = {
    "households.household": {"needs"},
    "households.touchpoint": {"note"},
}
SKIP_FIELDS = frozenset({"id", "association"})


@dataclass
class DataField:
    name: str
    label: str
    sensitive: bool


@dataclass
class DataCategory:
    model: str  # app_label.modelname
    label: str
    fields: list[DataField]

    @property
    def sensitive(self) -> bool:
        return any(f.sensitive for f in self.fields)


@dataclass
class Processing:
    app_label: str
    name: str
    purpose: str
    subjects: list[str]
    categories: list[DataCategory]
    purpose_missing: bool = False

    @property
    def sensitive(self) -> bool:
        return any(c.sensitive for c in self.categories)


@dataclass
class Recipient:
    role: str
    label: str
    sees_sensitive: bool
    aggregates_only: bool
    capabilities: list[str]


@dataclass
class Register:
    controller: str
    processings: list[Processing]
    recipients: list[Recipient]
    retention: list[tuple[str, str]]
    security: list[str]
    processors: list[Processor]


def _points_to_subject(model) -> str | None:
    """Whose data a model holds: the families (a link to a household or a person), or the
    team (a user); None if neither (reference data such as activities)."""
    labels = {"households.household", "households.person"}
    if model._meta.label_lower in labels:
        return "families"
    for f in model._meta.get_fields():
        related = f.related_model if f.is_relation and f.concrete else None
        if related is not None and related._meta.label_lower in labels:
            return "families"
    for f in model._meta.get_fields():
        if f.is_relation and f.concrete and f.related_model is settings_user_model():
            return "team"
    return None


def settings_user_model():
    from django.contrib.auth import get_user_model

    return get_user_model()


def _is_sensitive(model, name: str) -> bool:
    if model._meta.app_label in SENSITIVE_APPS:
        return name not in ("household", "opened_on", "closed_on", "day", "created_at")
    declared = set(getattr(model, "SENSITIVE_FIELDS", ())) | SENSITIVE_FIELDS.get(
        model._meta.label_lower, set()
    )
    return name in declared


def _category(model) -> DataCategory:
    fields = [
        DataField(f.name, str(f.verbose_name), _is_sensitive(model, f.name))
        for f in model._meta.concrete_fields
        if f.name not in SKIP_FIELDS
    ]
    label = str(model._meta.verbose_name_plural)
    return DataCategory(model._meta.label_lower, label[:1].upper() + label[1:], fields)


def processings() -> list[Processing]:
    """One processing per Parcours app holding personal data, read from the models."""
    out = []
    for config in apps.get_app_configs():
        if not config.name.startswith("parcours."):
            continue
        subjects, categories = set(), []
        for model in config.get_models():
            subject = _points_to_subject(model)
            if subject is None:
                continue
            subjects.add(subject)
            categories.append(_category(model))
        if config.label == "accounts":
            subjects.add("team")
            categories.append(_category(settings_user_model()))
        if not categories:
            continue
        purpose = PURPOSES.get(config.label)
        out.append(
            Processing(
                app_label=config.label,
                name=str(config.verbose_name),
                purpose=str(purpose) if purpose else _("Purpose to describe"),
                subjects=[
                    str(SUBJECT_FAMILIES if s == "families" else SUBJECT_TEAM)
                    for s in sorted(subjects)
                ],
                categories=categories,
                purpose_missing=purpose is None,
            )
        )
    return out


def recipients() -> list[Recipient]:
    labels = dict(Capability.choices)
    out = []
    for role in Role:
        caps = ROLE_CAPABILITIES.get(role, frozenset())
        out.append(
            Recipient(
                role=role.value,
                label=str(role.label),
                sees_sensitive=Capability.VIEW_SENSITIVE in caps,
                aggregates_only=caps <= {Capability.VIEW_AGGREGATES},
                capabilities=[str(labels[c]) for c in Capability.values if c in caps],
            )
        )
    return out


def _months(n: int) -> str:
    return _("%(n)s months") % {"n": n}


def retention_rows(association) -> list[tuple[str, str]]:
    p = policy_for(association)
    return [
        (
            _("Families' records (active base)"),
            _("%(active)s after the last contact coming from the family")
            % {"active": _months(p.active_months)},
        ),
        (
            _("Intermediate archive"),
            _("%(archive)s more, readable by administrators only, with a reason; then anonymised")
            % {"archive": _months(p.archive_months)},
        ),
        (
            _("Listening and support notes"),
            _("%(notes)s, then blanked") % {"notes": _months(p.notes_months)},
        ),
        (_("Audit log"), _months(p.audit_months)),
        (_("Team accounts"), _("As long as the person is a member of the association")),
    ]


def _installed(*names: str) -> bool:
    return any(n in settings.INSTALLED_APPS for n in names)


def security_measures() -> list[str]:
    """What Parcours does, read from the running configuration where it can be."""
    out = [
        _("Each association's data is separated from the others' on every query (tenancy)."),
        _(
            "Access by role, refused by default; needs, listening notes and support only for "
            "the roles that accompany families."
        ),
        _("Every change to personal data is recorded in an audit log (field names, never values)."),
        _("Passwords are stored hashed (%(hasher)s) and must be at least 10 characters long.")
        % {"hasher": settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1]},
    ]
    if _installed("axes"):
        out.append(_("Sign-in is locked after repeated failures."))
    if _installed("allauth.mfa", "django_otp"):
        out.append(
            _(
                "Two-factor authentication is required for administrators, coordinators and "
                "social workers."
            )
        )
    middleware = " ".join(settings.MIDDLEWARE)
    if "csp" in middleware.lower():
        out.append(_("A Content Security Policy forbids scripts from elsewhere."))
    if getattr(settings, "SESSION_COOKIE_SECURE", False) or getattr(
        settings, "SECURE_PROXY_SSL_HEADER", None
    ):
        out.append(_("Encryption in transit: HTTPS through the reverse proxy, secure cookies."))
    else:
        out.append(
            _(
                "Encryption in transit: to be provided by the HTTPS reverse proxy in front of "
                "Parcours (this installation does not require it yet)."
            )
        )
    out.append(
        _(
            "Retention periods applied every day: archive, anonymisation, notes blanked, "
            "audit log purged."
        )
    )
    return out


def register_for(association) -> Register:
    return Register(
        controller=association.name,
        processings=processings(),
        recipients=recipients(),
        retention=retention_rows(association),
        security=security_measures(),
        processors=list(Processor.objects.with_scopes_disabled().filter(association=association)),
    )
