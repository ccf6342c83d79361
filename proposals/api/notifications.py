from flask import jsonify

from ..notifications import preferences, service
from .common import answer, authenticated, bp, json_body, paginate
from .serializers import ts


def notification_json(n):
    return {
        "id": n.id,
        "kind": n.kind,
        "text": n.text,
        "link": n.link,
        "deadline": n.deadline.isoformat() if n.deadline else None,  # events have none
        "proposal_id": n.proposal_id,
        "created_at": ts(n.created_at),
        "read": n.read_at is not None,
    }


@bp.get("/notifications")
@authenticated
def notifications(user):
    return jsonify(paginate(service.own_notifications(user), notification_json))


@bp.post("/notifications/<int:notification_id>/read")
@authenticated
def read_notification(user, notification_id):
    n = service.mark_read(user, notification_id)
    return answer(notification_json(n))


@bp.get("/me/notification-preferences")
@authenticated
def notification_preferences(user):
    return jsonify(preferences.as_json(user))


@bp.put("/me/notification-preferences")
@authenticated
def save_notification_preferences(user):
    return answer(preferences.save(user, json_body()))
