"""Building the index rows of proposals (Core only: works on any connection, including the
migration's and a flush's)."""

from collections import Counter
from datetime import UTC

from sqlalchemy import column, delete, insert, select, table

from .segment import tokens

TITLE_WEIGHT = 4.0  # a title word counts four body words
REPLY_WEIGHT = 0.5  # delivered replies: supplementary text
K1, B, AVG_LENGTH = 1.2, 0.75, 160.0  # BM25; the average length is fixed (no global state)
DELIVERED = ("delivered", "rated", "unrated")  # replies the proposers may read
BATCH = 400

proposals_t = table(
    "proposals", column("id"), column("title"), column("analysis"), column("suggestions")
)
assignments_t = table("assignments", column("id"), column("proposal_id"))
replies_t = table("replies", column("assignment_id"), column("text"), column("state"))
documents_t = table(
    "search_documents", column("proposal_id"), column("length"), column("indexed_at")
)
postings_t = table(
    "search_postings", column("term"), column("proposal_id"), column("tf"), column("weight")
)


def weighted_terms(title, body_texts=(), reply_texts=()):
    """term → weighted count, and the weighted length."""
    counts = Counter()
    for term in tokens(title):
        counts[term] += TITLE_WEIGHT
    for text in body_texts:
        for term in tokens(text):
            counts[term] += 1.0
    for text in reply_texts:
        for term in tokens(text):
            counts[term] += REPLY_WEIGHT
    return counts, float(sum(counts.values()))


def bm25_tf(tf, length):
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / AVG_LENGTH))


def index_proposals(conn, ids, now=None):
    """(Re)build the rows of the proposals ``ids``; ids no longer in the table are dropped."""
    from ..accounts.models import utcnow

    ids = sorted(set(ids))
    now = (now or utcnow()).astimezone(UTC).replace(tzinfo=None)  # naive UTC column
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = conn.execute(select(proposals_t).where(proposals_t.c.id.in_(chunk))).all()
        replies = {}
        for pid, text in conn.execute(
            select(assignments_t.c.proposal_id, replies_t.c.text)
            .join(assignments_t, assignments_t.c.id == replies_t.c.assignment_id)
            .where(assignments_t.c.proposal_id.in_(chunk), replies_t.c.state.in_(DELIVERED))
        ):
            replies.setdefault(pid, []).append(text)
        conn.execute(delete(postings_t).where(postings_t.c.proposal_id.in_(chunk)))
        conn.execute(delete(documents_t).where(documents_t.c.proposal_id.in_(chunk)))
        docs, posts = [], []
        for row in rows:
            counts, length = weighted_terms(
                row.title, (row.analysis, row.suggestions), replies.get(row.id, ())
            )
            docs.append({"proposal_id": row.id, "length": length, "indexed_at": now})
            posts.extend(
                {"term": term, "proposal_id": row.id, "tf": tf, "weight": bm25_tf(tf, length)}
                for term, tf in counts.items()
            )
        if docs:
            conn.execute(insert(documents_t), docs)
        if posts:
            conn.execute(insert(postings_t), posts)


def reindex_all(conn, progress=None):
    """Every proposal, in batches; returns how many."""
    ids = [r[0] for r in conn.execute(select(proposals_t.c.id).order_by(proposals_t.c.id))]
    conn.execute(delete(postings_t).where(~postings_t.c.proposal_id.in_(select(proposals_t.c.id))))
    conn.execute(
        delete(documents_t).where(~documents_t.c.proposal_id.in_(select(proposals_t.c.id)))
    )
    for start in range(0, len(ids), BATCH):
        index_proposals(conn, ids[start : start + BATCH])
        if progress:
            progress(min(start + BATCH, len(ids)), len(ids))
    return len(ids)
