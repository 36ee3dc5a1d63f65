from parcours.accounts.roles import ROLE_CAPABILITIES


def membership(request):
    m = getattr(request, "membership", None)
    return {
        "membership": m,
        "association": m.association if m else None,
        "capabilities": ROLE_CAPABILITIES.get(m.role, frozenset()) if m else frozenset(),
    }
