"""Domain errors raised by operations; the API maps each to its status and code (docs/api.md).
Messages are translated where they are raised (proposals.i18n: Chinese outside a request)."""

from .i18n import _


class DomainError(Exception):
    status = 400
    code = "error"

    def __init__(self, message, fields=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationError(DomainError):
    """Bad or missing input; nothing changed."""

    status = 400
    code = "validation_error"

    def __init__(self, message=None, fields=None):
        fields = dict(fields or {})
        if message is None:
            message = _("；").join(f"{k}: {v}" for k, v in fields.items()) or _("输入有误")
        super().__init__(message, fields)


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class NotPermitted(DomainError):
    """The role, unit or person may not do this to this record."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """No such record, or one the caller may not even see."""

    status = 404
    code = "not_found"


class InvalidState(DomainError):
    """The action is not allowed in the record's current state."""

    status = 409
    code = "invalid_state"


class Conflict(DomainError):
    """Someone else changed the record first."""

    status = 409
    code = "conflict"
