"""Rule 15c3-1 itself: one module per concept of the computation.

``computation`` runs the stages in the order of the FOCUS computation of net
capital: ``net_worth`` and the (c)(2) deductions (``receivables``, ``fails``,
``repos``, ``secured_demand_notes``, ``commitments``), the haircuts of
(c)(2)(vi) and the appendices (``haircuts``, one module per paragraph),
``indebtedness`` ((c)(1)), ``requirements`` ((a)), ``market_maker`` ((a)(4),
(a)(6)) and ``early_warning`` (Rule 17a-11).  ``tables`` reads the rule's
parameters from ``haircut_tables/``; ``lines`` is the line every stage returns.
"""
