"""A plain, per-position reference computation of the haircuts, for agreement tests.

Written from the rule text, independently of :mod:`netcap.rule.haircuts`: a Python
loop over positions with dicts, the percentages typed in from 17 CFR
240.15c3-1(c)(2)(vi)-(vii) and Appendix B.  It is deliberately slow and plain.
"""

from tests.oracle.reference import reference_haircuts

__all__ = ["reference_haircuts"]
