"""Journey versions for the access matrix and the crawlers (URL_KWARGS): each association's
versions 1 (shipped) and 2 (edited), written directly: no recomputation nor new task as a side
effect of naming a URL."""

from __future__ import annotations

from django_scopes import scopes_disabled


def version(world, which):
    from parcours.journey_editor.models import JourneyVersion
    from parcours.journey_editor.rules import validate, with_values
    from parcours.journey_editor.services import shipped_rules

    association = world.a if which == "a" else world.b
    with scopes_disabled():
        found = JourneyVersion.objects.filter(association=association, number=1).first()
        if found is None:
            shipped = shipped_rules(association.journey)
            edited = with_values(shipped, {"statuses[0].condition.window_days": 40})
            for number, rules, origin in ((1, shipped, "shipped"), (2, edited, "edited")):
                version = JourneyVersion.objects.create(
                    association=association,
                    number=number,
                    journey=association.journey,
                    rules=rules,
                    definition_version=validate(
                        association.journey, rules, association.vocabulary
                    ).version,
                    origin=origin,
                    why="matrix" if number == 2 else "",
                )
                found = found or version
        return found


URL_KWARGS = {"version_pk": version}
