"""Statistics for the secretariat's annual report (docs/domain.md): figures.py computes them in
the database, headline.py words the report's opening sentence."""

from .figures import annual_figures, read_period_args  # noqa: F401

__all__ = ["annual_figures", "read_period_args"]
