"""Searching the index: BM25 with the idf computed per query (two small indexed queries)."""

import math

from sqlalchemy import case, false, func, literal, or_, select

from ..extensions import db
from ..workflow.models import Proposal
from .indexer import K1
from .models import SearchDocument, SearchPosting
from .segment import query_terms, tokens


def idf(n_docs, df):
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def term_idfs(terms):
    """term → idf for the terms present in the index (absent terms are left out)."""
    if not terms:
        return {}
    n_docs = db.session.scalar(select(func.count()).select_from(SearchDocument)) or 0
    rows = db.session.execute(
        select(SearchPosting.term, func.count())
        .where(SearchPosting.term.in_(terms))
        .group_by(SearchPosting.term)
    ).all()
    return {term: idf(max(n_docs, df), df) for term, df in rows}


def _weighted_sum(factors):
    """sum(weight * factor[term]) as SQL."""
    if len(factors) == 1:
        (value,) = factors.values()
        return func.sum(SearchPosting.weight * literal(value))
    return func.sum(
        SearchPosting.weight
        * case(
            {term: literal(value) for term, value in factors.items()},
            value=SearchPosting.term,
            else_=literal(0.0),
        )
    )


def scores(factors, require=None):
    """A subquery (proposal_id, score) over the postings of ``factors`` (term → multiplier);
    ``require``: how many of the terms a proposal must have (all, for a search)."""
    sub = (
        select(
            SearchPosting.proposal_id.label("proposal_id"), _weighted_sum(factors).label("score")
        )
        .where(SearchPosting.term.in_(list(factors)))
        .group_by(SearchPosting.proposal_id)
    )
    if require:
        sub = sub.having(func.count() >= require)
    return sub


def _like(q):
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def apply_search(query, q):
    """Narrow ``query`` (a select of Proposal, already scoped and filtered) to the proposals
    matching ``q``; returns (query, relevance ordering).

    Every term must match; when no proposal in ``query`` has them all, any term will do (the
    ranking puts those with more and rarer terms first). A query without index terms (only
    single characters or stop words, or a number like "100%") is a substring search over
    titles and texts, titles first."""
    terms = query_terms(q)
    if not terms:
        words = [w for w in q.split() if w][:6] or [q]
        for word in words:
            like = _like(word)
            query = query.where(
                or_(
                    Proposal.title.like(like, escape="\\"),
                    Proposal.analysis.like(like, escape="\\"),
                    Proposal.suggestions.like(like, escape="\\"),
                )
            )
        in_title = case((Proposal.title.like(_like(words[0]), escape="\\"), 0), else_=1)
        return query, [in_title.asc()]
    idfs = term_idfs(terms)
    if len(idfs) < len(terms):  # a term nobody wrote: all terms can match nothing
        matching = None
    else:
        matching = scores(idfs, require=len(terms)).subquery("search_all")
        narrowed = query.join(matching, matching.c.proposal_id == Proposal.id)
        if db.session.scalar(select(narrowed.exists())):
            return narrowed, [matching.c.score.desc()]
    if not idfs:
        return query.where(false()), []
    matching = scores(idfs).subquery("search_any")
    return (query.join(matching, matching.c.proposal_id == Proposal.id), [matching.c.score.desc()])


# ---------------------------------------------------------------- similar proposals

MAX_QUERY_TERMS = 24
CANDIDATES = 60


def text_vector(title, text):
    """term → weighted count for a draft: the same weighting as indexed documents."""
    from .indexer import TITLE_WEIGHT

    counts = {}
    for term in tokens(title or ""):
        counts[term] = counts.get(term, 0.0) + TITLE_WEIGHT
    for term in tokens(text or ""):
        counts[term] = counts.get(term, 0.0) + 1.0
    return counts


def similar_scores(title, text, where=(), limit=10, min_score=0.0):
    """[(proposal_id, score)] best first: BM25 of the draft's most telling terms (each weighted
    by its saturated count in the draft), divided by the best possible score, so 0 … 1."""
    counts = text_vector(title, text)
    if not counts:
        return []
    idfs = term_idfs(list(counts))
    if not idfs:
        return []
    factors = {t: idfs[t] * (counts[t] * (K1 + 1) / (counts[t] + K1)) for t in idfs}
    top = dict(sorted(factors.items(), key=lambda kv: -kv[1])[:MAX_QUERY_TERMS])
    best = sum(top.values()) * (K1 + 1)
    sub = scores(top).subquery("similar")
    query = (
        select(sub.c.proposal_id, sub.c.score)
        .join(Proposal, Proposal.id == sub.c.proposal_id)
        .where(*where)
        .order_by(sub.c.score.desc(), sub.c.proposal_id.desc())
        .limit(limit)
    )
    out = []
    for pid, score in db.session.execute(query):
        value = round(min(1.0, float(score) / best), 4) if best else 0.0
        if value >= min_score:
            out.append((pid, value))
    return out
