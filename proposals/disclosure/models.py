"""The portal's index: published replies are found by their delivery time."""

from sqlalchemy import Index

from ..handling.models import Reply

Index("ix_replies_delivered_at", Reply.__table__.c.delivered_at)
