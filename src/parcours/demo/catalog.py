"""Fixed vocabularies of the synthetic association (seed article: ../shared/seed).

The association offers families in precarity "a place to be heard, to share, for activities,
training and participation" (un lieu d'écoute, de partage, d'activités diverses, de formation
et de participation). Its activities, groups, quartiers and roles are fixed lists so that
every size of generated data speaks the same language. Codes are indices into these tuples.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY = "Lille"
POSTCODES = ("59000", "59000", "59800", "59000", "59000", "59000", "59000", "59000")

# Eight plausible quartiers of one French city.
NEIGHBOURHOODS: tuple[str, ...] = (
    "Wazemmes",
    "Moulins",
    "Fives",
    "Lille-Sud",
    "Faubourg de Béthune",
    "Bois-Blancs",
    "Vauban-Esquermes",
    "Saint-Maurice Pellevoisin",
)
# Flagged as priority neighbourhoods (quartiers prioritaires) on the association's settings page.
PRIORITY_NEIGHBOURHOODS: tuple[str, ...] = ("Moulins", "Fives", "Lille-Sud", "Faubourg de Béthune")
NEIGHBOURHOOD_WEIGHTS = (0.18, 0.16, 0.15, 0.17, 0.10, 0.08, 0.08, 0.08)

# Activity categories: the five things the seed association offers.
CATEGORIES: dict[str, tuple[str, str]] = {
    "listening": ("Écoute", "Listening"),
    "sharing": ("Partage", "Sharing"),
    "activity": ("Activités", "Activities"),
    "training": ("Formation", "Training"),
    "participation": ("Participation", "Participation"),
}


@dataclass(frozen=True)
class Activity:
    """A recurring activity: sessions every ``period_days`` on each of ``weekdays`` (0 = Monday)."""

    id: int
    name_fr: str
    name_en: str
    category: str
    weekdays: tuple[int, ...]
    period_days: int
    popularity: float


ACTIVITIES: tuple[Activity, ...] = (
    Activity(1, "Café des parents", "Parents' café", "sharing", (1, 3), 7, 1.6),
    Activity(2, "Groupe de parole", "Talking group", "listening", (3,), 7, 1.0),
    Activity(3, "Permanence d'écoute", "Listening drop-in", "listening", (0, 2), 7, 0.8),
    Activity(4, "Atelier cuisine", "Cooking workshop", "activity", (2,), 7, 1.5),
    Activity(5, "Sortie familles", "Family outing", "activity", (5,), 28, 1.2),
    Activity(6, "Atelier couture", "Sewing workshop", "activity", (4,), 7, 0.9),
    Activity(7, "Atelier français", "French class", "training", (1, 4), 7, 1.4),
    Activity(8, "Formation informatique", "Computer skills training", "training", (4,), 7, 0.8),
    Activity(9, "Aide aux devoirs", "Homework club", "activity", (0, 1, 3), 7, 1.3),
    Activity(10, "Jardin partagé", "Shared garden", "activity", (5,), 7, 0.7),
    Activity(11, "Atelier budget", "Budget workshop", "training", (3,), 14, 0.6),
    Activity(12, "Atelier parentalité", "Parenting workshop", "sharing", (0,), 14, 0.7),
    Activity(13, "Comité des familles", "Families' committee", "participation", (3,), 28, 0.0),
)
COMMITTEE_ACTIVITY_ID = 13

# Groups of families (communities of practice): one theme per activity family, per quartier.
GROUP_THEMES: tuple[tuple[str, str, int], ...] = (
    ("Les cuisinières", "The cooks", 4),
    ("Club couture", "Sewing club", 6),
    ("Parents solidaires", "Parents together", 1),
    ("Groupe jardin", "Garden group", 10),
    ("Entraide français", "French mutual help", 7),
    ("Collectif devoirs", "Homework collective", 9),
    ("Groupe numérique", "Digital group", 8),
    ("Groupe des mamans", "Mothers' group", 2),
)

# Roles a household can take on (engagement).
ROLES: tuple[tuple[str, str, str], ...] = (
    ("committee_member", "Membre du comité", "Committee member"),
    ("activity_leader", "Animateur·rice d'activité", "Activity leader"),
    ("project_lead", "Porteur·se de projet", "Project lead"),
)

# How a household first heard of the association; the entry path decides which.
ENTRY_PATHS: tuple[str, ...] = ("outreach", "info_request", "peer")
CHANNELS: tuple[tuple[str, str, str, int], ...] = (
    # key, fr, en, entry path code
    ("door_to_door", "Porte-à-porte", "Door to door", 0),
    ("street_stand", "Stand sur le marché", "Market stand", 0),
    ("partner", "Orientée par un partenaire (centre social)", "Referred by a partner", 0),
    ("school", "Rencontre à la sortie de l'école", "Met outside school", 0),
    ("info_centre", "Centre d'information", "Information centre", 1),
    ("phone", "Téléphone", "Phone", 1),
    ("web", "Site web", "Website", 1),
    ("town_hall", "Mairie / CCAS", "Town hall / social services", 1),
    ("peer_family", "Une famille de l'association", "A member family", 2),
)

NEEDS: tuple[tuple[str, str], ...] = (
    ("Rompre l'isolement", "Break isolation"),
    ("Apprendre le français", "Learn French"),
    ("Aide aux démarches administratives", "Help with paperwork"),
    ("Soutien à la parentalité", "Parenting support"),
    ("Recherche d'emploi", "Job search"),
    ("Logement", "Housing"),
    ("Aide alimentaire", "Food aid"),
    ("Accès aux droits", "Access to rights"),
    ("Santé", "Health"),
    ("Loisirs pour les enfants", "Leisure for the children"),
)

# Languages spoken besides French (ISO 639-1), with the share of households speaking each.
LANGUAGES: tuple[tuple[str, float], ...] = (
    ("ar", 0.22),
    ("tr", 0.05),
    ("pt", 0.05),
    ("ro", 0.04),
    ("wo", 0.04),
    ("en", 0.08),
    ("es", 0.03),
    ("ru", 0.03),
    ("ber", 0.04),
    ("ta", 0.02),
)

RELATIONS: tuple[tuple[str, str], ...] = (
    ("parent", "parent"),
    ("enfant", "child"),
    ("grand-parent", "grandparent"),
)
