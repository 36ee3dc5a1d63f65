"""Journey versions for the access matrix (URL_KWARGS): each association's rules edited once
(versions 1, shipped, and 2), so version 1 is an older one an administrator may restore."""

from __future__ import annotations

from django_scopes import scopes_disabled


def version(world, which):
    from parcours.journey_editor.models import JourneyVersion
    from parcours.journey_editor.rules import with_values
    from parcours.journey_editor.services import journey_version_save, shipped_rules

    association = world.a if which == "a" else world.b
    with scopes_disabled():
        found = JourneyVersion.objects.filter(association=association, number=1).first()
        if found is None:
            rules = with_values(
                shipped_rules(association.journey), {"statuses[0].condition.window_days": 40}
            )
            journey_version_save(actor=None, association=association, rules=rules, why="matrix")
            found = JourneyVersion.objects.get(association=association, number=1)
        return found


URL_KWARGS = {"version_pk": version}
