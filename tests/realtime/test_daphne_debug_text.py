"""autobahn's debug lines build their arguments on every frame, logged or not; served by
Daphne, that text is made only when a line is written (realtime/daphne.py)."""

from __future__ import annotations

import pprint

import click
import pytest
from autobahn.twisted import websocket as twisted_websocket
from autobahn.util import hltype, hlval
from autobahn.websocket import protocol

from realtime import daphne

MODULES = (protocol, twisted_websocket)


@pytest.fixture
def lazy_debug_text(monkeypatch):
    for module in MODULES:  # restored after the test
        for name in ("hltype", "hlval", "pformat"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, getattr(module, name))
    monkeypatch.setattr(protocol.Timings, "__str__", protocol.Timings.__str__)
    daphne._lazy_debug_formatting()
    daphne._lazy_debug_formatting()  # twice: not wrapped twice
    return MODULES


def test_a_frame_colours_nothing_until_its_line_is_logged(lazy_debug_text, monkeypatch):
    coloured = []
    style = click.style
    monkeypatch.setattr(click, "style", lambda *a, **k: coloured.append(a) or style(*a, **k))
    method = protocol.WebSocketProtocol.sendData
    for module in lazy_debug_text:
        assert module.hltype.__wrapped__ is hltype
        assert module.hlval.__wrapped__ is hlval
        type_text, value_text = module.hltype(method), module.hlval(1234)
        assert coloured == []
        # Written out, the text is autobahn's own.
        assert str(type_text) == hltype(method)
        assert f"{value_text}" == hlval(1234)
        assert f"{value_text:>40}" == format(hlval(1234), ">40")
        assert coloured
        coloured.clear()


def test_the_two_argument_form_is_autobahns_at_once(lazy_debug_text):
    assert protocol.hlval(5, color="green") == hlval(5, color="green")


def test_the_option_set_is_pretty_printed_only_when_logged(lazy_debug_text, monkeypatch):
    printed = []

    def pformat(obj):
        printed.append(obj)
        return pprint.pformat(obj)

    monkeypatch.setattr(protocol, "pformat", pformat)  # as autobahn imports it
    daphne._lazy_debug_formatting()
    options = {"autoPingInterval": 0, "utf8validateIncoming": True}
    text = protocol.pformat(options)
    assert printed == []
    assert f"{text}" == pprint.pformat(options)
    assert printed == [options]


def test_tracked_timings_still_print(lazy_debug_text):
    """autobahn's Timings (trackTimings) returns pformat() from __str__: it must stay a str."""
    timings = protocol.Timings()
    timings.track("onOpen")
    assert str(timings) == pprint.pformat(timings._timings)
