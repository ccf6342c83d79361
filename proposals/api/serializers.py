"""Records as the API shows them, trimmed to what the viewer is entitled to."""

from flask import has_request_context, request

from ..attachments.responses import CACHE as FILES_CACHE
from ..attachments.responses import attachment_json, files_of
from ..attachments.service import grouped_for_many
from ..committee import settings as committee_settings
from ..committee.calendar import LOCAL_TZ, local_date, utcnow
from ..handling.ratings import enterers
from ..i18n import _
from ..workflow.access import (
    can_view_contact_details,
    can_view_internal,
    can_view_reply,
    history_comment,
)
from ..workflow.core import STATE_LABELS
from ..workflow.timeline import timeline

ENTERERS_CACHE = "proposals.rating_enterers"  # request.environ: {user id: (username, name)}


def ts(value):
    return value.astimezone(LOCAL_TZ).isoformat() if value else None


def ds(value):
    return value.isoformat() if value else None


def user_json(user):
    return {
        "username": user.username,
        "name": user.name,
        "role": user.role,
        "department": user.department.code if user.department else None,
        "kind": user.kind,
        "org_type": user.org_type,
        "sector": user.sector,
    }


def person(user, viewer=None):
    out = {"username": user.username, "name": user.name}
    if viewer is not None and can_view_contact_details(viewer):
        out.update(phone=user.phone, email=user.email)
    return out


def preload(rows):
    """Before serializing a page of rows: the attachments of every reply shown (reply_json)
    in one statement for the page instead of one per proposal. files_of() then
    reads them from the request's cache."""
    from ..handling.models import Assignment, Reply

    if not has_request_context():
        return
    ids = set()
    for row in rows:
        if isinstance(row, Assignment):
            ids.add(row.proposal_id)
        elif isinstance(row, Reply):
            ids.add(row.assignment.proposal_id)
    cache = request.environ.setdefault(FILES_CACHE, {})
    missing = [pid for pid in sorted(ids) if pid not in cache]
    if missing:
        cache.update(grouped_for_many(missing))


def proposal_summary(p):
    return {
        "id": p.id,
        "version": p.version,
        "state": p.state,
        "state_label": _(STATE_LABELS[p.state]),
        "number": p.number,
        "number_label": p.number_label,
        "receipt_serial": p.receipt_serial,
        "title": p.title,
        "category": p.category.code,
        "category_name": p.category.name,
        "kind": p.kind,
        "session": p.session_id,
        "session_label": p.session.label,
        "proposer": p.proposer.username,
        "proposer_name": p.proposer.name,
        "submitted_at": ts(p.submitted_at),
        "is_key": p.is_key,
        "is_plenary": p.is_plenary,
    }


def proposal_detail(p, viewer):
    today = local_date(utcnow())
    labels = committee_settings.result_labels()
    internal = can_view_internal(viewer, p)
    out = proposal_summary(p)
    out.update(
        analysis=p.analysis,
        suggestions=p.suggestions,
        proposers={
            "first": person(p.proposer, viewer),
            "cosigners": [
                dict(person(c.user, viewer), state=c.state, expires_on=ds(c.expires_on))
                for c in p.cosigners
            ],
        },
        suggested_departments=[d.code for d in p.suggested_departments],
        filed_at=ts(p.filed_at),
        closed_at=ts(p.closed_at),
        created_at=ts(p.created_at),
        review_comment=p.review_comment,
        not_filed_reason=p.not_filed_reason.code if p.not_filed_reason else None,
        not_filed_reason_name=p.not_filed_reason.name if p.not_filed_reason else None,
        disposition=p.not_filed_disposition,
        merged_into=p.merged_into_id,
        merged=[{"id": m.id, "title": m.title, "proposer": m.proposer.username} for m in p.merged],
        withdraw_reason=p.withdraw_reason,
        supervisor=person(p.supervisor) if p.supervisor else None,
        consultation_due=p.consultation_due,
        consultation_note=p.consultation_note,
        assignments=[assignment_json(a, viewer, today, labels) for a in p.assignments],
        history=[history_json(h, viewer, internal) for h in timeline(p.history)],
    )
    out["replies"] = [r for a in out["assignments"] for r in a["replies"]]
    out["attachments"] = [attachment_json(f) for f in files_of(p)]
    out["ratings"] = [rt for r in out["replies"] for rt in r["ratings"]]
    return out


def assignment_json(a, viewer, today=None, labels=None):
    today = today or local_date(utcnow())
    labels = committee_settings.result_labels() if labels is None else labels
    internal = can_view_internal(viewer, a.proposal)
    out = {
        "id": a.id,
        "version": a.version,
        "proposal_id": a.proposal_id,
        "department": a.department.code,
        "department_name": a.department.name,
        "role": a.role,
        "state": a.state,
        "state_label": _(STATE_LABELS[a.state]),
        "round": a.round,
        "assigned_at": ts(a.assigned_at),
        "accepted_at": ts(a.accepted_at),
        "accept_due": ds(a.accept_due),
        "contact_due": ds(a.contact_due),
        "opinion_due": ds(a.opinion_due),
        "reply_due": ds(a.reply_due),
        "extended_to": ds(a.extended_to),
        "due": ds(a.effective_due),
        "overdue": a.is_overdue(today),
        "days_left": (a.effective_due - today).days,
        "follow_up_open": a.follow_up_open,
        "contacts": [{"mode": c.mode, "date": ds(c.day), "summary": c.summary} for c in a.contacts],
        "follow_ups": [
            {"text": f.text, "done": f.done, "created_at": ts(f.created_at)} for f in a.follow_ups
        ],
        "replies": [reply_json(r, viewer, labels) for r in a.replies if can_view_reply(viewer, r)],
    }
    if internal:
        out["opinion"] = (
            {"text": a.opinion.text, "created_at": ts(a.opinion.created_at)} if a.opinion else None
        )
        out["reassignment_reason"] = a.reassignment_reason
        out["extension_requests"] = [
            {
                "id": e.id,
                "round": e.round,
                "until": ds(e.until),
                "reason": e.reason,
                "state": e.state,
                "comment": e.comment,
            }
            for e in a.extension_requests
        ]
    return out


def reply_json(r, viewer, labels=None):
    """``labels``: committee_settings.result_labels(), read once by a caller showing many."""
    labels = committee_settings.result_labels() if labels is None else labels
    out = {
        "id": r.id,
        "version": r.version,
        "assignment_id": r.assignment_id,
        "proposal_id": r.assignment.proposal_id,
        "department": r.assignment.department.code,
        "round": r.round,
        "state": r.state,
        "state_label": _(STATE_LABELS[r.state]),
        "result": r.result,
        "result_label": labels.get(r.result),
        "text": r.text,
        "signer": r.signer,
        "contact": r.contact,
        "promised_date": ds(r.promised_date),
        "created_at": ts(r.created_at),
        "delivered_at": ts(r.delivered_at),
        "rating_due": ds(r.rating_due),
        "ratings": [rating_json(rt, r.id) for rt in r.ratings],
    }
    out["attachments"] = [attachment_json(f) for f in files_of(r)]
    if viewer.role == "secretariat" or viewer.is_unit_staff:
        out["return_comment"] = r.return_comment
    return out


def rating_json(rt, reply_id):
    """One rating: ``source`` 'online', or 'paper' with ``entered_by``, the username of the
    secretariat user who entered it (one statement per answer for their names)."""
    cache = request.environ.setdefault(ENTERERS_CACHE, {}) if has_request_context() else None
    entered_by = enterers([rt], cache).get(rt.entered_by_id) if rt.entered_by_id else None
    return {
        "reply_id": reply_id,
        "rater": rt.rater.username,
        "rating": rt.rating,
        "comment": rt.comment,
        "primary": rt.is_primary,
        "source": rt.source,
        "entered_by": entered_by[0] if entered_by else None,
        "created_at": ts(rt.created_at),
    }


def history_json(h, viewer, internal=None):
    return {
        "action": h.action,
        "actor": h.actor.username if h.actor else None,
        "actor_name": h.actor.name if h.actor else _("系统"),
        "from_state": h.from_state,
        "to_state": h.to_state,
        "comment": history_comment(viewer, h.proposal, h, internal),
        "assignment_id": h.assignment_id,
        "reply_id": h.reply_id,
        "created_at": ts(h.created_at),
    }
