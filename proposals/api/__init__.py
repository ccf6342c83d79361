"""The JSON API v1: token auth, error shape, pagination (common.py); the views, one module per
area, parse the request, call one operation and answer."""

from . import (
    attachments,
    auth,
    handling,
    notifications,
    openapi,
    proposals,  # noqa: F401
    reference,
    search,
    stats,
    stats_files,
)
from .common import bp

__all__ = ["bp"]
