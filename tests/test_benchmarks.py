"""The synthetic books and the benchmark rows: contents and labels, never speed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import netcap
from benchmarks import bench_pretrade
from benchmarks.__main__ import Timing, _reference_rows
from benchmarks.bench_load import compute_folder, load_rows, write_csv_book
from benchmarks.synthetic import AS_OF, book_for, synthetic_book, synthetic_frame
from netcap.book.frame import OPTION_COLUMNS, validate_frame


def test_book_for_sets_net_worth_from_gross_value() -> None:
    raw = pd.DataFrame(
        {
            "id": ["a", "b"],
            "security_class": ["equity", "equity"],
            "side": ["long", "short"],
            "market_value": [1_000.0, 500.0],
        }
    )
    # gross market value 1,000 + 500 = 1,500; a fifth of it is 300
    assert book_for(validate_frame(raw, AS_OF)).balance_sheet.net_worth == 300.0


def test_options_are_paired_with_their_underlying_row() -> None:
    frame = synthetic_book(5_000).frame
    opt = frame[frame["instrument"] == "option"]
    assert len(opt) > 0
    assert (opt["security_class"] == "equity").all()
    paired = opt[opt["offsets"].notna()]
    assert len(paired) > 0
    under = frame.set_index("id").loc[paired["offsets"]]
    assert (under["instrument"] == "cash").all()
    assert (under["security_class"] == "equity").all()
    # the underlying row holds exactly the units the option covers, in the issue it names
    np.testing.assert_array_equal(under["quantity"].to_numpy(), paired["units"].to_numpy())
    np.testing.assert_array_equal(
        under["security_id"].to_numpy(dtype=object), paired["underlying"].to_numpy(dtype=object)
    )


def test_without_options_the_frame_has_no_option_rows() -> None:
    raw = synthetic_frame(2_000, options=False)
    assert not (raw["instrument"] == "option").any()
    assert not set(OPTION_COLUMNS) & set(validate_frame(raw, AS_OF).columns)


def test_synthetic_book_is_solvent_with_appendix_a_charges() -> None:
    sb = synthetic_book(5_000)
    r = netcap.compute(sb.book, positions=sb.frame)
    # haircuts well under tentative net capital: net capital positive with a margin
    assert 0.2 < r.haircuts.total / r.tentative_net_capital < 0.6
    assert r.net_capital > 0
    # every option row is charged under Appendix A
    detail = r.haircuts.detail.set_index("id")
    opt = sb.frame[sb.frame["instrument"] == "option"]
    assert detail.loc[opt["id"], "paragraph"].str.startswith("15c3-1a").all()
    # (M) fires: the book's largest issues exceed 10% of tentative net capital
    assert (r.haircuts.detail["add_on_paragraph"].fillna("").str.endswith("(vi)(M)")).any()


def test_timing_shows_wall_and_cpu() -> None:
    assert Timing(1.2345, 0.5).show() == "1.234 s wall (0.500 s CPU)"


def test_reference_rows_name_the_size_used() -> None:
    rows = _reference_rows(500, repeat=1)
    assert [r["figure"] for r in rows] == [
        "compute, 500 positions (no options)",
        "reference (per-position loop), 500 positions (no options)",
        "speed-up engine vs reference, 500 positions (no options)",
    ]
    assert rows[2]["target"] == ">= 50x"
    assert rows[2]["met"] in {"yes", "NO"}


def test_pretrade_run_gives_a_figure_with_target() -> None:
    out = bench_pretrade.run(1_000, checks=30, prepare_samples=30)
    assert out["target"] == "<= 1 ms (median)"
    assert out["met"] == ("yes" if float(str(out["median_check_ms"])) <= 1.0 else "NO")
    assert "median" in str(out["value"])
    assert "p99" in str(out["value"])


def test_load_rows_run_netcap_compute_on_a_csv_book_folder(tmp_path: Path) -> None:
    folder = write_csv_book(tmp_path / "book", 500)
    assert sorted(p.name for p in folder.iterdir()) == ["firm.csv", "positions.csv"]
    # the folder is a book netcap computes: the text report names the firm's net capital
    assert "net capital" in compute_folder(folder).lower()
    rows = load_rows([500], 1, memory=False)
    assert [r["figure"].split(",")[0] for r in rows] == [
        "load + validate",
        "netcap compute DIR (load + compute + report)",
    ]
    assert all(r["target"] == "-" for r in rows)  # the targets are set at 1M positions
