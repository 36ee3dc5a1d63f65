"""The objects of the association settings routes, per association (access matrix)."""

from __future__ import annotations

import io

from django_scopes import scopes_disabled
from PIL import Image

from parcours.association_settings.models import ActivityType, ContactChannel, Neighbourhood
from tests.outreach.factories import _cached


def png_bytes(size=(40, 20), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def _association(world, which):
    return world.a if which == "a" else world.b


def neighbourhood(world, which):
    def build():
        with scopes_disabled():
            return Neighbourhood.objects.get_or_create(
                association=_association(world, which), name=f"Quartier {which.upper()}"
            )[0]

    return _cached(world, "neighbourhood", which, build)


def activity_type(world, which):
    with scopes_disabled():
        return ActivityType.objects.get(association=_association(world, which), key="sharing")


def contact_channel(world, which):
    with scopes_disabled():
        return ContactChannel.objects.get(association=_association(world, which), key="militant")


def logo_of(world, which):
    """The association (its id names its logo), with a logo."""
    from parcours.association_settings.models import AssociationLogo

    def build():
        association = _association(world, which)
        with scopes_disabled():
            AssociationLogo.objects.get_or_create(
                association=association,
                defaults={"image": png_bytes(), "content_type": "image/png", "width": 40,
                          "height": 20},
            )  # fmt: skip
        return association

    return _cached(world, "logo_of", which, build)


URL_KWARGS = {
    "neighbourhood_pk": neighbourhood,
    "activity_type_pk": activity_type,
    "contact_channel_pk": contact_channel,
    "logo_of": logo_of,
}
