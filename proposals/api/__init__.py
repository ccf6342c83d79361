"""The JSON API v1: token auth, error shape, pagination (common.py); the views, one module per
area, parse the request, call one operation and answer."""

from . import (
    attachments,
    auth,
    handling,
    notifications,
    openapi,
    proposals,
    reference,
    search,
    stats,
    stats_files,
)
from .common import bp

# the modules whose views are routes of bp (imported for that)
VIEWS = (
    attachments,
    auth,
    handling,
    notifications,
    openapi,
    proposals,
    reference,
    search,
    stats,
    stats_files,
)

__all__ = ["bp"]
