"""Chinese full-text search and similar proposals.

Design: one portable inverted index in two ordinary tables, the same on SQLite and PostgreSQL.

- ``search_documents`` (one row per proposal) and ``search_postings`` (term, proposal_id, tf,
  weight), primary key (term, proposal_id): a term's postings are one index range (on SQLite
  the table is WITHOUT ROWID, i.e. clustered on it), and ``proposal_id`` has its own index for
  re-indexing.
- Terms come from jieba in search mode (segment.py): titles, 情况分析, 具体建议 and the texts of
  delivered replies (only those: a reply draft must not be findable by the proposer), lower-
  cased, synonyms folded, stop words and single characters dropped. A title word counts
  TITLE_WEIGHT times, so a title match ranks above a body match.
- Ranking is BM25: ``weight`` is the term-frequency part, computed at index time with a fixed
  average length, so a query is SUM(weight × idf) grouped by proposal over the postings of its
  terms. idf comes from the posting counts of those terms (one small grouped index scan).
  Every term must match (HAVING count = n terms); if nothing in the caller's list has them
  all, any term matches. A query with no index term (single characters, "100%") is a
  substring search over the texts, titles first.
- Why not FTS5 and tsvector: two engines would rank differently on the two databases (tests and
  users would see different orders), Chinese needs our own segmentation anyway, and similar
  proposals need the same term statistics as search. Portable tables give one ranking, one
  code path, and the needed indexes on both.
- The search only narrows and orders the caller's list: workflow/queries.py applies it to the
  query that visible_filter() has already scoped.
- The index follows proposals and replies through session events (events.py) in the same
  transaction; ``flask search reindex`` rebuilds everything (the migration does it once).
- Similar proposals (similar.py): the draft's (or proposal's) most telling terms, weighted by
  their count in it (title weighted), scored with BM25 against every indexed proposal; the
  score is divided by the best possible one, so it lies between 0 and 1.
"""

from .highlight import highlight, snippet  # noqa: F401
from .query import apply_search  # noqa: F401
