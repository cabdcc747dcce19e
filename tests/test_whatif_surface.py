"""Notebook HTML, charts and command-line surface of the what-if layer."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from netcap.cli import load_strategy
from netcap.dealer.lockup import simulate_lockup
from netcap.dealer.portfolio import combine
from netcap.dealer.registration import analyze
from netcap.dealer.screen import DealerFacts, screen
from tests.conftest import FIXTURES, CliRun, run_cli

TABLE9 = FIXTURES / "table9"


def cli(*args: str) -> CliRun:
    return run_cli(*args)


def test_analysis_html_shows_requirement_limit_and_crossovers() -> None:
    page = analyze(load_strategy(TABLE9 / "strategy_07.json"))._repr_html_()
    assert "$3,725,000" in page  # 100k + 7.25% x 50mm
    assert "262.50%" in page  # limit 0.0725 / 0.02 - 1
    assert "$360,360.36" in page  # 100k / (0.35 - 0.0725)


def test_combination_and_lockup_and_screen_html() -> None:
    c = combine(
        [load_strategy(TABLE9 / "strategy_07.json"), load_strategy(TABLE9 / "strategy_08.json")]
    )
    assert "148.75%" in c._repr_html_()
    lock = simulate_lockup(
        pd.DataFrame(
            {"a": [70, 30], "b": [30, 70]}, index=pd.to_datetime(["2024-01-02", "2024-01-03"])
        )
    )
    assert "1.40x" in lock._repr_html_()
    assert "not legal advice" in screen(DealerFacts())._repr_html_()


def test_plots_write_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from netcap.report.plot import plot_combination, save_strategy_figure  # noqa: PLC0415 (optional)

    out = save_strategy_figure(
        analyze(load_strategy(TABLE9 / "strategy_08.json")), tmp_path / "s.png"
    )
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ax = plot_combination(
        combine(
            [load_strategy(TABLE9 / "strategy_07.json"), load_strategy(TABLE9 / "strategy_08.json")]
        )
    )
    assert len(ax.patches) == 8  # 4 rows (2 strategies, their sum, combined) x 2 bars


def test_cli_strategy_plot(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    png = tmp_path / "s7.png"
    out = cli("strategy", str(TABLE9 / "strategy_07.json"), "--plot", str(png))
    assert out.returncode == 0, out.stderr
    assert png.stat().st_size > 10_000


def test_cli_combine_json() -> None:
    out = cli(
        "combine", str(TABLE9 / "strategy_07.json"), str(TABLE9 / "strategy_08.json"), "--json"
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["combined_increase_pct"] == pytest.approx(148.75)
    assert data["rows"][-1]["dealer"] == 4_975_000


def test_cli_sweep_reports_crossovers() -> None:
    out = cli("sweep", str(TABLE9 / "strategy_07.json"), "--n", "3")
    assert out.returncode == 0, out.stderr
    assert "[285714.29, 360360.36]" in out.stderr


def test_cli_lockup(tmp_path: Path) -> None:
    path = tmp_path / "reqs.csv"
    path.write_text("date,treasury,equity\n2024-06-03,70,30\n2024-06-04,30,70\n")
    out = cli("lockup", str(path))
    assert out.returncode == 0, out.stderr
    assert '"peak_separate": 140.0' in out.stdout


def test_cli_dealer_screen_bad_field(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps({"total_assets": "lots"}))
    out = cli("dealer-screen", str(path))
    assert out.returncode == 2
    assert "field total_assets" in out.stderr
