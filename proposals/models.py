"""Imports every model so that the metadata (and Alembic) sees all tables."""

from .accounts.models import ApiToken, Department, User  # noqa: F401
from .attachments.models import Attachment  # noqa: F401
from .committee.models import (
    Holiday,  # noqa: F401
)
from .disclosure import models as _disclosure_indexes  # noqa: F401,E402  (an index on replies)
from .documents.models import DocumentTemplate, Export  # noqa: F401
from .handling.models import (
    FollowUp,  # noqa: F401
)
from .notifications.models import Delivery, JobRun, Notification  # noqa: F401
from .plans.models import AssignmentPlan  # noqa: F401
from .recognition.models import Recognition  # noqa: F401
from .search.models import SearchDocument, SearchPosting  # noqa: F401
from .security.models import AuditEvent, LoginSession  # noqa: F401
from .workflow.models import Cosigner, HistoryEntry, Proposal, ReviewDecision  # noqa: F401
