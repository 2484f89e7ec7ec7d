def test_world_has_one_person_per_role(world):
    """TEAM-1: the seven roles exist as groups and the fixture gives one person per role."""
    # the agency client's read-only role (DATA-6) has no person here: tests/analytics/test_weekly.py gives it one
    assert set(world.people) == set(world.roles) - {"client"}
    assert world.people["manager"].all_shops
    assert not world.people["cs"].all_shops
