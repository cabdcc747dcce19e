"""Reports: workbooks a controller can audit (openpyxl)."""

from netcap.report.strategy_workbook import export_strategies

__all__ = ["export_strategies"]
