"""The bundled sample firm exercises every security class and every haircut paragraph."""

from __future__ import annotations

from netcap import compute, load_book
from netcap.model import SecurityClass
from tests.conftest import FIXTURES

SAMPLE = FIXTURES / "sample_firm" / "book.json"


def test_sample_holds_every_security_class() -> None:
    loaded = load_book(SAMPLE)
    assert set(loaded.positions["security_class"]) == {c.value for c in SecurityClass}
    assert len(loaded.positions) >= 300


def test_sample_reaches_every_paragraph_and_reconciles() -> None:
    loaded = load_book(SAMPLE)
    r = compute(loaded.book, positions=loaded.positions)
    detail = r.haircuts.detail
    assert sorted(detail["id"]) == sorted(loaded.positions["id"])  # each position once
    cited = set(detail["paragraph"]) | set(detail["add_on_paragraph"])
    for paragraph in ("(A)", "(B)", "(C)", "(D)", "(E)", "(F)", "(G)", "(H)", "(J)", "(M)"):
        assert any(f"15c3-1(c)(2)(vi){paragraph}" in c for c in cited), paragraph
    assert any(c.startswith("15c3-1(c)(2)(vii)") for c in cited)
    assert any(c.startswith("15c3-1b(a)(3)") for c in cited)
    assert any(c == "15c3-1(c)(2)(iv)" for c in cited)  # the non-security crypto asset
    aged = set(r.lines["citation"])
    assert {"15c3-1(c)(2)(ix)", "15c3-1(c)(2)(v)(A)", "15c3-1(c)(2)(iv)(E)"} <= aged
    assert r.net_capital < r.tentative_net_capital
