"""PostgreSQL changes an association's data stamp once per transaction (analytics.stamps):
updating the one stamp row at every statement of a bulk writer piled up row versions that each
later update walked, so 500,000 one-row inserts took the better part of an hour. Inside the
writing transaction the stamp it reads still changes with each of its writes (a value local to
the transaction), so what it computes is keyed by its own state; a savepoint rolled back takes
that value back with the data."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django_scopes import scopes_disabled

from parcours.analytics import stamps

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite stamps by a statement wrapper"
)


def _stamp_row_writes() -> int:
    """Inserts and updates of the stamp row in the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_ins + n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = %s",
            [stamps.STAMP_TABLE],
        )
        return cursor.fetchone()[0]


def _households(association, n: int, start: int = 0) -> None:
    """n one-row INSERT statements, as a bulk writer's executemany sends them."""
    from parcours.households.models import Household

    with scopes_disabled():
        for i in range(n):
            Household.objects.create(association=association, name=f"Famille {start + i}")


@pytest.mark.django_db(transaction=True)
def test_many_statements_stamp_once_and_the_next_transaction_stamps_again():
    from parcours.accounts.models import Association

    with scopes_disabled():
        association = Association.objects.create(name="Une fois", slug="une-fois")
    committed = stamps.stamps_read([association.pk])[association.pk]
    assert committed[1] is False
    with transaction.atomic():
        before = _stamp_row_writes()
        _households(association, 200)
        assert _stamp_row_writes() - before == 1  # 200 statements, one write of the stamp row
        first, own = stamps.stamps_read([association.pk])[association.pk]
        assert own and first is not None and first < 0  # the transaction's own value
        _households(association, 1, start=200)
        second, _ = stamps.stamps_read([association.pk])[association.pk]
        assert second not in (first, None)  # each write still shows to the writer
        assert _stamp_row_writes() - before == 1
    after = stamps.stamps_read([association.pk])[association.pk]
    assert after[1] is False and after[0] != committed[0] and after[0] >= 0
    with transaction.atomic():
        _households(association, 1, start=201)
    assert stamps.token(association.pk) not in (after[0], None)


@pytest.mark.django_db(transaction=True)
def test_a_savepoint_rolled_back_takes_the_writers_stamp_back_with_the_data():
    from parcours.accounts.models import Association

    with scopes_disabled():
        association = Association.objects.create(name="Retour", slug="retour")
    with transaction.atomic():
        _households(association, 1)
        mine = stamps.token(association.pk)
        with pytest.raises(RuntimeError), transaction.atomic():
            _households(association, 1, start=1)
            assert stamps.token(association.pk) != mine
            raise RuntimeError
        assert stamps.token(association.pk) == mine  # the same data, the same token
        _households(association, 1, start=2)
        assert stamps.token(association.pk) != mine


@pytest.mark.django_db(transaction=True)
def test_another_transaction_sees_the_committed_stamp_only():
    from django.db import connections

    from parcours.accounts.models import Association

    with scopes_disabled():
        association = Association.objects.create(name="Autre", slug="autre")
    _households(association, 1)  # autocommit: the stamp row exists
    committed = stamps.token(association.pk)
    other = connections.create_connection("default")
    try:
        with transaction.atomic():
            _households(association, 3)
            with other.cursor() as cursor:
                cursor.execute(
                    f"SELECT token FROM {stamps.STAMP_TABLE} WHERE association_id = %s",
                    [association.pk],
                )
                assert cursor.fetchone()[0] == committed  # not before the commit
    finally:
        other.close()
    assert stamps.token(association.pk) != committed
