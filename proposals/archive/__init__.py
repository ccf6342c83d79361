"""Proposals of earlier years (历年提案) imported from a spreadsheet, so that year-on-year
statistics and the similar-proposal search cover them from the first day: ``sheet.py`` reads
the file, ``checks.py`` checks every row against the reference data, ``writer.py`` writes the
closed proposals, ``service.py`` does the three in that order. The rules: docs/domain.md,
"Proposals of earlier years"."""

from .service import Report, import_archive, may_import

__all__ = ["Report", "import_archive", "may_import"]
