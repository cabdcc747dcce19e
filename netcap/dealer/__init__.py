"""Dealer registration (Rules 3a5-4 / 3a44-2): what registering costs a strategy.

``strategy`` (legs sized in P), ``piecewise`` (exact piecewise-linear functions of
P), ``curves`` (each requirement as such a function), ``registration`` (the
method of Release 34-99477 section III.C.2.b: non-dealer margin against the
dealer's requirement, crossovers, P to infinity), ``portfolio`` (strategies
combined), ``lockup`` (capital held across days) and ``screen`` (whether the
rules' tests are met).
"""
