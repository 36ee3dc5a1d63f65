"""Columnar touchpoints: the shared shape between the generator, the batch engine and bench/.

A touchpoint log for many households is held as parallel numpy arrays, sorted by
(household, day). Days are integers: days since 1970-01-01 (``date.toordinal() - EPOCH``).
Missing activity or reference is -1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

# Stable touchpoint kinds of ../shared/docs/journey.md; the code is the index in this tuple.
KINDS: tuple[str, ...] = (
    "outreach_contact",
    "info_request",
    "peer_contact",
    "appointment_booked",
    "intake_visit",
    "attendance",
    "group_joined",
    "group_left",
    "sponsor_assigned",
    "sponsor_ended",
    "support_opened",
    "support_closed",
    "communication",
    "referral_made",
    "absent_visit",
    "activity_led",
    "project_proposed",
    "role_started",
    "role_ended",
)
KIND_CODE: dict[str, int] = {k: i for i, k in enumerate(KINDS)}

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day_number(d: date) -> int:
    """Days since 1970-01-01."""
    return d.toordinal() - EPOCH_ORDINAL


def day_date(n: int) -> date:
    """Inverse of :func:`day_number`."""
    return date.fromordinal(int(n) + EPOCH_ORDINAL)


@dataclass(frozen=True)
class TouchpointColumns:
    """Touchpoints of many households as parallel arrays sorted by (household, day).

    household: int64 household id
    day: int32 days since 1970-01-01
    kind: int8 index into KINDS
    activity: int64 activity id, -1 when none (attendance, activity_led carry one)
    ref: int64 id of the episode the touchpoint opens or closes, -1 when none
         (support case for support_opened/closed, group for group_joined/left,
          sponsorship for sponsor_assigned/ended, role for role_started/ended,
          referred household for referral_made)
    """

    household: npt.NDArray[np.int64]
    day: npt.NDArray[np.int32]
    kind: npt.NDArray[np.int8]
    activity: npt.NDArray[np.int64]
    ref: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.household.shape[0])
