from parcours.accounts.roles import ROLE_CAPABILITIES
from parcours.accounts.signin import second_factor_required


def membership(request):
    m = getattr(request, "membership", None)
    return {
        "membership": m,
        "association": m.association if m else None,
        "capabilities": ROLE_CAPABILITIES.get(m.role, frozenset()) if m else frozenset(),
        "second_factor_required": second_factor_required(m),
    }
