"""The JSON API v1: token auth, error shape, pagination (common.py); the views, one module per
area, parse the request, call one operation and answer."""

# the view modules, imported for the routes they add to bp
from . import (
    attachments,
    auth,
    documents,
    exports,
    handling,
    notifications,
    openapi,
    plans,
    proposals,
    recognition,
    reference,
    search,
    stats,
    stats_files,
)
from .common import bp

__all__ = ["bp"]
