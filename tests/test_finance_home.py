"""The finance home (FIN-1..3): the finance role and the manager open it and see the sections they may use; the
other roles are refused."""

import pytest


@pytest.mark.parametrize("role", ["manager", "finance"])
def test_finance_and_the_manager_open_the_finance_home_FIN_2(world, client_for, role):
    answer = client_for(world.people[role]).get("/finance/")
    assert answer.status_code == 200
    assert "快递费对账" in answer.content.decode()


@pytest.mark.parametrize("role", ["cs", "warehouse", "designer", "marketing"])
def test_other_roles_may_not_open_the_finance_home_FIN_2(world, client_for, role):
    assert client_for(world.people[role]).get("/finance/").status_code == 403
