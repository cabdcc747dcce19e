"""Reports: workbooks a controller can audit (XlsxWriter, every formula with its value)."""

from netcap.report.focus_workbook import export_computation
from netcap.report.strategy_workbook import export_strategies

__all__ = ["export_computation", "export_strategies"]
