"""The labelled evaluation of similar proposals (tests/data/similar_pairs.json): load every
proposal of the set, index it, and for each pair ask for the proposals similar to one side;
the other side should be in the top 3. Used by scripts/similar_eval.py and
tests/search/test_similar.py.
"""

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from proposals.accounts.models import User
from proposals.committee.models import Category, CommitteeSession
from proposals.extensions import db
from proposals.search.similar import similar_to
from proposals.workflow.models import Proposal

DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "similar_pairs.json"


def load_set(path=None):
    return json.loads(Path(path or DATA).read_text(encoding="utf-8"))


def _load(data):
    """Insert the set's proposals (submitted, one proposer); returns (viewer, pairs of ids)."""
    session = db.session.scalar(select(CommitteeSession).order_by(CommitteeSession.id))
    if session is None:
        session = CommitteeSession(
            term=90,
            meeting=1,
            year=2020,
            plenary_start=date(2020, 1, 10),
            plenary_end=date(2020, 1, 14),
            collection_start=date(2019, 10, 10),
            collection_end=date(2020, 1, 14),
        )
        db.session.add(session)
    category = db.session.scalar(select(Category).order_by(Category.id))
    proposer = User(username="similar-eval-member", name="评测委员", role="member")
    viewer = User(username="similar-eval-sec", name="评测秘书处", role="secretariat")
    for u in (proposer, viewer):
        u.password_hash = "!"
        db.session.add(u)
    db.session.flush()
    serial = (
        db.session.scalar(
            select(db.func.max(Proposal.receipt_serial)).where(Proposal.session_id == session.id)
        )
        or 0
    )

    def add(doc):
        nonlocal serial
        serial += 1
        p = Proposal(
            session_id=session.id,
            proposer_id=proposer.id,
            category_id=category.id,
            state="submitted",
            receipt_serial=serial,
            title=doc["title"],
            analysis=doc["analysis"],
            suggestions=doc["suggestions"],
        )
        db.session.add(p)
        return p

    pairs = [(add(item["a"]), add(item["b"])) for item in data["pairs"]]
    for item in data["non_pairs"]:
        add(item)
    db.session.flush()  # the session events index them
    return viewer, [(a.id, b.id) for a, b in pairs]


def evaluate(path=None, both_ways=True):
    """{"pairs", "queries", "top1", "top3", "misses"}; leaves the rows in the open transaction
    (the caller commits or rolls back)."""
    data = load_set(path)
    viewer, pairs = _load(data)
    queries = top1 = top3 = 0
    misses = []
    for a, b in pairs:
        for query, target in [(a, b), (b, a)] if both_ways else [(a, b)]:
            found = [
                p.id for p, _score in similar_to(viewer, db.session.get(Proposal, query), limit=3)
            ]
            queries += 1
            top1 += bool(found[:1] == [target])
            top3 += target in found
            if target not in found:
                misses.append(
                    (db.session.get(Proposal, query).title, db.session.get(Proposal, target).title)
                )
    return {
        "pairs": len(pairs),
        "non_pairs": len(data["non_pairs"]),
        "queries": queries,
        "top1": top1 / queries,
        "top3": top3 / queries,
        "misses": misses,
    }
