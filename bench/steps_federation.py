"""The federation step (issue 15, item 5): bench/federation_bench.py."""

from __future__ import annotations

from bench.steps import SELF_CHECKED, Context, Outcome, step

SELF_CHECKED.add("federation")


@step(
    "federation",
    "federation page over 100 associations on PostgreSQL (own database parcours_federation_"
    "<size>, spans by the batch engine, COPY): seconds = the page with 10 associations "
    "changed since the figures were stored; cold, warm and 1 changed in the notes; figures "
    "checked equal to DuckDB",
    sizes="L",
    arrow=False,
)
def federation_step(ctx: Context) -> Outcome:
    from bench.federation_bench import run

    return run(ctx)
