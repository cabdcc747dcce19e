"""Pre-trade checks: net capital after adding or removing one trade, without a full recompute.

`PreTradeState` is built once from a book (one full `netcap.compute`).
It then keeps the haircut total as a sum over independent *pools* and, for each
pool, the few sums its charge depends on.  A trade touches at most three pools
(its own paragraph's pool, the Appendix B futures pool, its (M) issue), so a
check costs O(1) in the size of the book:

=================== ======================================= ============================
pool                sufficient statistics                   charge
=================== ======================================= ============================
(A), (C)            net value per subcategory; gross        (A)(1) category netting (or
                    charge per category and citation         (A)(2)), x 0.75 under (A)(5)
(B)(1), (B)(2),     long and short value per bucket, and     rate x greater side,
(D), (E), (E)(6),   per side and citation                   allocated to its rows
(F)/(G), (H)
(J) with (G)        total long and short, per citation      rate x G + excess rate x
                                                            max(0, L - ratio x G)
(K), (vii), crypto  none (each position stands alone)       rate x value
commodities         net value per commodity                 20% of the net
Appendix B futures  gross margin charge per citation         gross less the account equity
                                                            proviso, pro rata
(M) per issue       net value, members (for the maxima)     rate x (net - threshold)
=================== ======================================= ============================

A proprietary trade at market value exchanges cash for a security of the same
value, so capital before the position deductions, aggregate indebtedness, the
requirement ((a)(1), (a)(4), (a)(8)) and the alternative standard's debit items
do not move.  Only the position charges do.

Tentative net capital (15c3-1(c)(15)) is that capital less the deductions of
non-security crypto ((c)(2)(iv)) and securities with no ready market
((c)(2)(vii)), and the (M) threshold is 10% of tentative net capital less the
Appendix B charges ((c)(2)(vi)(M)(1)); see `netcap.rule.haircuts.tentative`.
A trade whose charge is not under (c)(2)(vi) or Appendix A (crypto, (vii),
futures, commodities, a government future's Appendix B add-on) moves those
bases, and so every (M) issue's threshold: it is handled by a full recompute
(``method="full"``).  Every other trade leaves both bases where they are.
Option trades (Appendix A, 15c3-1a) take the full recompute too: an option's
charge carries the (b)(2)(ii) add-on and may pair with other rows through
``offsets``, which no pool keeps.

Links between positions (covered futures through ``deliverable_position``,
(F)(2) hedges through ``hedge_with``, option pairs through ``offsets``) and the
elections that name position ids ((A)(3) pairs, (L) reductions) tie the charge
of one position to another.  Such
*linked* positions already in the book enter their pools as the full
computation treats them, and stay fixed there: a covered position with the
value left after cover (15c3-1b(a)(3)(ix)(A)), its futures margin charge on the
uncovered value; an (F)(2)-hedged debt position with its unhedged remainder in
its (F)(1) bucket and its (F)(3)/(F)(4) charge on the hedged amount as a fixed
charge; the hedge with the value left after the hedge; a paired or reduced
position with the bucket or rate the election gives it.  Only a trade that
itself carries a link, whose id an election names, or the removal of a linked
position is handled by a full recompute of the haircuts (``method="full"``).

Modules, in the order a check runs through them:

=============== ===========================================================
`state`          `PreTradeState`: the build over a book, and the trade API
`trades`         a trade validated as a book row, as a one-row frame
`templates`      fast prepare of a trade from an earlier trade's routing
`prepared`       `PreparedTrade`: a trade validated and routed once
`facts`          each position's pool keys and contributions (vectorized)
`row`            `PoolRow`: one position's facts
`parameters`     the schedules and elections the pools read
`links`          linked positions; the (F)(2) hedge split
`pools`          the pools by key, filled from the facts
`government`     (A)/(C) category netting
`buckets`        greater-of pools by bucket, (J) with its excess
`standalone`     stand-alone charges, fixed charges, commodity inventory
`futures`        Appendix B margin charges, cover, account-equity proviso
`concentration`  (M) per issue
`check`          the incremental check: the touched pools, updated on copies
`recompute`      the trades a full recompute checks (options, non-(c)(2)(vi))
`flags`          early-warning flags before and after
`result`         `PreTradeResult` and the paragraphs a trade changed
`positions`      the book as it stands: rows built on, added, removed
=============== ===========================================================
"""

from __future__ import annotations

from netcap.pretrade.prepared import PreparedTrade
from netcap.pretrade.recompute import OPTIONS_PREFIX as OPTIONS_PREFIX
from netcap.pretrade.result import ParagraphChange, PreTradeResult
from netcap.pretrade.state import PreTradeState
from netcap.pretrade.trades import TradeInput

__all__ = ["ParagraphChange", "PreTradeResult", "PreTradeState", "PreparedTrade", "TradeInput"]
