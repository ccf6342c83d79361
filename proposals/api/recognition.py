"""Year-end recognition (docs/api.md): the secretariat's nominations of excellent proposals and
outstanding units, and their decisions. Reading and changing are the secretariat's alone."""

from flask import jsonify

from ..committee.calendar import local_date, utcnow
from ..errors import NotFound, ValidationError
from ..i18n import _
from ..inputs import MAX_YEAR, MIN_YEAR, boolean, identifier, int_arg, text
from ..recognition import queries
from ..recognition import service as ops
from ..recognition.models import RECOGNITION_KINDS, RECOGNITION_STATES
from .common import answer, authenticated, bp, json_body, paginate, read_again
from .serializers import ts


def integer(value):
    """A JSON integer (its range is the operation's to check)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    return _("应为整数")


def recognition_json(r):
    p = r.proposal
    return {
        "id": r.id,
        "year": r.year,
        "kind": r.kind,
        "kind_label": _(RECOGNITION_KINDS[r.kind]),
        "state": r.state,
        "state_label": _(RECOGNITION_STATES[r.state]),
        "proposal": None
        if p is None
        else {
            "id": p.id,
            "number": p.number,
            "number_label": p.number_label,
            "title": p.title,
            "proposer": p.proposer.username,
            "proposer_name": p.proposer.name,
            "session": p.session_id,
            "session_label": p.session.label,
        },
        "department": r.department.code if r.department else None,
        "department_name": r.department.name if r.department else None,
        "reason": r.reason,
        "nominated_by": r.nominated_by.username,
        "nominated_by_name": r.nominated_by.name,
        "nominated_at": ts(r.nominated_at),
        "decided_by": r.decided_by.username if r.decided_by else None,
        "decided_by_name": r.decided_by.name if r.decided_by else None,
        "decided_at": ts(r.decided_at),
        "decision_comment": r.decision_comment,
    }


def load_recognition(recognition_id):
    found = queries.load(recognition_id)
    if found is None:
        raise NotFound(_("提名记录不存在"))
    return found


def done(recognition, status=200):
    read_again()
    return answer(recognition_json(load_recognition(recognition.id)), status)


@bp.get("/recognitions")
@authenticated
def recognitions(user):
    """Query: year (default this year), page, per_page."""
    ops.require_secretariat(user)
    errors = {}
    year = int_arg(errors, "year", MIN_YEAR, MAX_YEAR, default=local_date(utcnow()).year)
    if errors:
        raise ValidationError(fields=errors)
    return jsonify(paginate(queries.recognitions_query(year), recognition_json))


@bp.post("/recognitions")
@authenticated
def nominate(user):
    ops.require_secretariat(user)
    data = json_body(
        year=integer,
        kind=text,
        proposal_id=identifier,
        number=integer,
        department=text,
        reason=text,
    )
    return done(ops.nominate(user, data), 201)


@bp.post("/recognitions/<int:recognition_id>/decision")
@authenticated
def decision(user, recognition_id):
    ops.require_secretariat(user)
    recognition = load_recognition(recognition_id)
    data = json_body(award=boolean, comment=text)
    return done(ops.decide(user, recognition, data))


__all__ = ["recognition_json"]
