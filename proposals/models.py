"""Imports every model so that the metadata (and Alembic) sees all tables."""
from .accounts.models import ApiToken, Department, User  # noqa: F401
from .committee.models import (Category, CommitteeSession, Counter, Holiday,  # noqa: F401
                               NotFiledReason, Setting)
from .handling.models import (Assignment, Contact, ExtensionRequest, FollowUp,  # noqa: F401
                              Opinion, Rating, Reply)
from .workflow.models import Cosigner, HistoryEntry, Proposal, ReviewDecision  # noqa: F401
from .notifications.models import Delivery, JobRun, Notification  # noqa: F401
