from flask import jsonify
from sqlalchemy import select

from ..accounts.models import Department
from ..committee.models import Category, CommitteeSession, NotFiledReason
from ..extensions import db
from .common import authenticated, bp


@bp.get("/departments")
@authenticated
def departments(user):
    rows = db.session.scalars(select(Department).where(Department.active).order_by(Department.code))
    return jsonify([{"code": d.code, "name": d.name} for d in rows])


@bp.get("/categories")
@authenticated
def categories(user):
    rows = db.session.scalars(select(Category).where(Category.active).order_by(Category.id))
    return jsonify([{"code": c.code, "name": c.name} for c in rows])


@bp.get("/sessions")
@authenticated
def sessions(user):
    rows = db.session.scalars(
        select(CommitteeSession).order_by(CommitteeSession.year.desc(), CommitteeSession.id.desc())
    )
    return jsonify(
        [
            {
                "id": s.id,
                "label": s.label,
                "year": s.year,
                "current": s.is_current,
                "plenary_start": s.plenary_start.isoformat(),
                "plenary_end": s.plenary_end.isoformat(),
                "collection_start": s.collection_start.isoformat(),
                "collection_end": s.collection_end.isoformat(),
            }
            for s in rows
        ]
    )


@bp.get("/not-filed-reasons")
@authenticated
def not_filed_reasons(user):
    rows = db.session.scalars(
        select(NotFiledReason).where(NotFiledReason.active).order_by(NotFiledReason.id)
    )
    return jsonify([{"code": r.code, "name": r.name} for r in rows])
