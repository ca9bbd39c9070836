"""The tests' servers are given ports no other server of the run is given."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from tests import helpers


class _Unbound:
    """A socket whose every bind succeeds: the ports below may be a test server's of another worker."""

    def __enter__(self) -> _Unbound:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def bind(self, address: tuple[str, int]) -> None:
        return None


def test_a_port_is_never_handed_out_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    # A slice of ten ports: drawing all ten gives ten different ones, the eleventh has none left.
    monkeypatch.setattr(helpers, "_worker_ports", lambda: range(20000, 20010))
    monkeypatch.setattr(helpers, "socket", SimpleNamespace(socket=_Unbound))
    monkeypatch.setattr(helpers, "_HANDED_OUT", set())
    drawn = [helpers.free_port() for _ in range(10)]
    assert sorted(drawn) == list(range(20000, 20010))
    with pytest.raises(RuntimeError, match="no free port between 20000 and 20009"):
        helpers.free_port()


def test_workers_draw_from_slices_that_do_not_meet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "4")
    slices = []
    for index in range(4):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", f"gw{index}")
        slices.append(set(helpers._worker_ports()))
    assert all(len(s) == 3000 for s in slices)
    assert len(set().union(*slices)) == 12000


def test_without_workers_the_whole_range_is_drawn_from(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    assert helpers._worker_ports() == range(20000, 32000)
