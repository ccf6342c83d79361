"""SQL building blocks shared by the statistics: conditional sums, rates, latest-row lookups
and the end of a local day, written once for SQLite and PostgreSQL."""

from sqlalchemy import DateTime, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class end_of_local_day(FunctionElement):
    """The UTC moment at which a local (Asia/Shanghai) date ends: the date at 16:00 UTC.
    China has kept UTC+8 without daylight saving since 1991, so the offset is fixed."""

    type = DateTime()
    inherit_cache = True
    name = "end_of_local_day"


@compiles(end_of_local_day, "sqlite")
def _end_of_local_day_sqlite(element, compiler, **kw):
    return f"datetime({compiler.process(element.clauses, **kw)}, '+16 hours')"


@compiles(end_of_local_day)
def _end_of_local_day_default(element, compiler, **kw):  # PostgreSQL
    return f"({compiler.process(element.clauses, **kw)} + INTERVAL '16 hours')"


def conditional_sum(condition):
    """How many rows meet ``condition`` (0, never NULL)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def flag(condition):
    """1 where ``condition`` holds, else 0."""
    return case((condition, 1), else_=0)


def rate(part, whole):
    """A fraction rounded to 4 places; None when the denominator is 0."""
    return round(part / whole, 4) if whole else None


def latest(column, *conditions, order_by):
    """The value of ``column`` on the latest row matching ``conditions`` (a correlated scalar
    subquery: an index lookup per outer row, whatever the planner thinks of the sizes)."""
    return select(column).where(*conditions).order_by(order_by.desc()).limit(1).scalar_subquery()


class Section:
    """One branch of the single statement of annual_figures: a name, an optional integer key,
    text and integer columns (padded with typed NULLs to a common shape, so that the branches
    can be joined by UNION ALL on SQLite and PostgreSQL), and ``shape`` adding the FROM, WHERE
    and GROUP BY to ``select(columns)``."""

    def __init__(self, name, *, key=None, texts=(), ints=(), shape=lambda s: s):
        self.name, self.key, self.texts, self.ints, self.shape = (
            name,
            key,
            list(texts),
            list(ints),
            shape,
        )


def union_of_sections(sections):
    """The sections as one UNION ALL, each row: section, k, s0…, n0…"""
    from sqlalchemy import Integer, String, cast, literal, null, union_all

    n_texts = max(len(s.texts) for s in sections)
    n_ints = max(len(s.ints) for s in sections)
    branches = []
    for s in sections:
        columns = [
            cast(literal(s.name), String).label("section"),
            (s.key if s.key is not None else cast(null(), Integer)).label("k"),
        ]
        texts = s.texts + [cast(null(), String)] * (n_texts - len(s.texts))
        ints = s.ints + [cast(null(), Integer)] * (n_ints - len(s.ints))
        columns += [t.label(f"s{n}") for n, t in enumerate(texts)]
        columns += [v.label(f"n{n}") for n, v in enumerate(ints)]
        branches.append(s.shape(select(*columns)))
    return union_all(*branches)


class SectionRow:
    """A row of a section: its key, its texts and its integers."""

    __slots__ = ("k", "texts", "ints")

    def __init__(self, k, texts, ints):
        self.k, self.texts, self.ints = k, texts, ints


def section_rows(result):
    """The rows of a union_of_sections statement's result: section → [SectionRow]."""
    rows, n_texts = {}, None
    for row in result:
        if n_texts is None:
            n_texts = sum(1 for name in row._fields if name.startswith("s") and name[1:].isdigit())
        values = tuple(row)
        rows.setdefault(values[0], []).append(
            SectionRow(values[1], values[2 : 2 + n_texts], values[2 + n_texts :])
        )
    return rows
