"""Bulk assignment (交办方案): the secretariat's whole plan as a spreadsheet, checked row by row
and applied in one transaction."""
