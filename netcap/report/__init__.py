"""Reports: workbooks a controller can audit (openpyxl)."""

from netcap.report.focus_workbook import export_computation
from netcap.report.strategy_workbook import export_strategies

__all__ = ["export_computation", "export_strategies"]
