"""The typed domain-event catalogue (rule 2 of the house): every event has a listener and a publisher, every
listener listens to an event of the catalogue, and the catalogue says who they are. Runs after Django's set-up, so
every app's ready() has subscribed its listeners."""

import dataclasses
import importlib
import inspect

import pytest

from zhanggui.core import domain_events as de


@pytest.mark.parametrize("kind", de.CATALOGUE, ids=lambda k: k.__name__)
def test_every_event_has_its_listeners_and_its_publisher(kind):
    assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen
    assert kind.__doc__ and kind.listeners, f"{kind.__name__}: say who publishes and who listens"
    handlers = de.subscribers(kind)
    assert handlers, f"{kind.__name__} has no listener"
    assert {h.__module__ for h in handlers} == set(kind.listeners)
    publisher = inspect.getsource(importlib.import_module(kind.publisher))
    assert f"{kind.__name__}(" in publisher, f"{kind.publisher} does not publish {kind.__name__}"


def test_nobody_listens_outside_the_catalogue():
    assert set(de._SUBSCRIBERS) <= set(de.CATALOGUE)
    assert set(de.DomainEvent.__subclasses__()) == set(de.CATALOGUE)
    with pytest.raises(TypeError):
        de.subscribe("order_moved", lambda event: None)  # the old string names are gone
    with pytest.raises(TypeError):
        de.publish(de.OrderMove(order=None, before="", to="closed"))  # a payload part, not an event
