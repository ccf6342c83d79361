"""The secretariat's annual figures (docs/domain.md), computed by the database.

Every figure is an SQL aggregate (conditional sums, GROUP BY, subqueries) over the proposals of
a period, as they stood at the end of a day: ONE statement computes them all whether the
period holds ten proposals or a million (:func:`figures_statement`: the counted proposals and
their unit-items as materialised CTEs, computed once, and every aggregate over them as a
branch of a UNION ALL; the reference tables are joined in). Each figure is defined once, here
and in intake.py and handling.py, for any period and any as-of date alike.

Definitions (the dict's keys are those of GET /api/v1/stats/annual, docs/api.md):

- **Period**: a year counts the proposals whose (last) submission falls in that calendar year
  in Asia/Shanghai; a session counts the proposals of that session. A proposal returned for
  revision (退回修改) and resubmitted counts once, in the period of its last submission; while
  it is back with its proposer (returned and not yet resubmitted) it is a draft and not counted.
  (Only the last submission time is stored, so as of a date before the resubmission such a
  proposal counts from its last submission on.)
- **As of** a date (default today; a later date counts as today): what had happened by the
  end of that day (Asia/Shanghai). A proposal's bucket is its latest review decision by then
  (review_decisions), or withdrawn if the proposer withdrew it by then, else pending review;
  filed covers filed, assigned and closed. Merged proposals count as merged, not filed.
- **Unit-items** (``assignment_items``): the live assignments of the filed proposals, co-units
  (会办) included; a reassigned one (ended by an approved reassignment) is replaced by its
  successor. The reply figures count only the items that owe a reply (lead or split).
- **Replied**: an item with a reply delivered by the date; a proposal is replied (办复) when all
  its items that owe a reply are (a re-handled item stays replied: it had its reply). A filed
  proposal not yet assigned is not replied.
- **On time** (in total, reply letters): a delivered reply (first and re-handled replies each
  count) delivered on or before the deadline in force at delivery, extension included
  (``replies.due_on``); ``on_time_rate`` = replies_on_time / replies_delivered.
- **Per unit**: ``assigned`` counts its items (co-handling too, also in ``co_handled``),
  ``replied`` its items with a reply, ``on_time`` its replied items whose every reply was on
  time (items too, so never more than ``replied``), ``replies_delivered`` its reply letters (a
  re-handled item has two); ``on_time_rate`` = on_time / replied.
- **Results**: the latest reply delivered by the date of each replied item, for every code of
  the settings (``result_codes``, in order), A, B and C always, then any code replies still
  carry that the settings no longer list.
- **Satisfaction**: with the setting rating_by 'first' (``rating_basis``), each replied item
  once, by its latest rating from the first proposer (or the organisation) by the date;
  ratings by proposers of merged proposals are not counted. ``unrated`` is the replied items
  without such a rating (closed as unrated, or still within the rating window:
  ``awaiting_rating`` of them); rated + unrated = replied items. With 'all', every proposer's
  rating (first proposer and accepted co-signers) of each item's latest rated reply counts
  once: ``rated`` and the rates count ratings, ``unrated`` still counts items.
- **Overdue** (as of the date): an item owing a reply whose deadline of the round it was in
  (extended if an extension had been approved by then) had passed with no reply delivered for
  that round.
- **Participation**: active individual members (role member, not organisation accounts) who
  were first proposer of a counted proposal or accepted (by the date) to co-sign one, over all
  active individual members.
- **Key proposals** (重点提案): the counted ones marked key, with their units and, per item,
  replied / overdue / result / rating; ``rating`` is the least satisfied of the items' latest
  ratings, ``state`` the bucket, or assigned / closed as of the date for a filed one.
- **Monthly**: the period's proposals by month of submission, and their replies by month of
  delivery, for the twelve months of the period's year.
- **Recognitions** (优秀提案, 先进承办单位): the nominations of the period's year awarded by the
  date, with who decided and when (recognition/figures.py); a list, not a count.
"""

from ..committee import settings as committee_settings
from ..extensions import db
from ..recognition.figures import SECTION as RECOGNITION
from ..recognition.figures import awarded, awarded_section
from .handling import (
    handling_summary,
    key_proposals,
    key_sections,
    monthly,
    monthly_section,
    replied_proposals,
    replied_section,
    result_codes,
    result_section,
    unit_items,
    unit_section,
)
from .headline import headline
from .intake import (
    by_category,
    by_sector,
    category_section,
    intake_section,
    intake_summary,
    participation,
    participation_section,
    received_select,
    sector_section,
)
from .period import make_window, read_period_args
from .sql import rate, section_rows, union_of_sections

__all__ = ["annual_figures", "read_period_args"]


def figures_statement(window, rating_basis="first"):
    """The one statement behind annual_figures: the counted proposals and their unit-items,
    each computed once (materialised CTEs), and every aggregate over them as a branch of a
    UNION ALL (see sql.Section). ``rating_basis``: the setting rating_by (handling.unit_items)."""
    received = received_select(window).cte("received").prefix_with("MATERIALIZED")
    items = unit_items(window, received, rating_basis).cte("items").prefix_with("MATERIALIZED")
    sections = [
        intake_section(window, received),
        category_section(received),
        sector_section(received),
        participation_section(window, received),
        unit_section(items),
        result_section(items),
        replied_section(items),
        monthly_section(window, items),
        *key_sections(window, received, items),
        awarded_section(window),
    ]
    return union_of_sections(sections)


def annual_figures(*, year=None, session_id=None, as_of=None):
    """The figures of docs/domain.md for a year (default: this year) or a session, as of the end
    of ``as_of`` (default today; a later date is taken as today: what has not happened yet
    cannot be counted). Raises ValidationError for an unknown session or a bad year.

    Two statements whatever the size (a session's period adds one): the settings (the result
    codes, whose ratings count: rating_by), and the one statement that computes every figure.
    PostgreSQL sessions run with JIT off (config.py): compiling this statement's few hundred
    expressions took longer than running them."""
    window = make_window(year, session_id, as_of)
    values = committee_settings.all_settings()
    configured = list(committee_settings.result_labels(values))
    basis = values["rating_by"]
    rows = section_rows(db.session.execute(figures_statement(window, basis)))
    out = _figures(window, configured, rows)
    out["rating_basis"] = basis  # the satisfaction figures count: 'first' or 'all' proposers
    return out


def _figures(window, configured, rows):
    out = {
        "year": window.year,
        "as_of": window.as_of.isoformat(),
        "period": {
            "kind": window.kind,
            "year": window.year,
            "session": window.session_id,
            "label": window.label,
        },
    }
    out.update(intake_summary(window, rows["intake"]))
    out["by_category"] = by_category(rows.get("category", []))
    out["by_sector"] = by_sector(rows.get("sector", []))
    out["participation"] = participation(rows["participation"])
    result_rows = rows.get("unit_result", [])
    codes = result_codes(configured, result_rows)
    out.update(handling_summary(rows.get("unit", []), result_rows, codes))
    out["monthly"] = monthly(rows["monthly"], out.pop("_received_by_month"))
    replied, replied_by_year_end = replied_proposals(rows["replied"])
    out["replied_proposals"] = replied
    out["replied_proposals_by_year_end"] = replied_by_year_end
    out["reply_rate"] = rate(replied, out["filed"])
    out["key_proposals"] = key_proposals(rows.get("key", []), rows.get("key_item", []))
    out["recognitions"] = awarded(rows.get(RECOGNITION, []))
    out["headline"] = headline(out)
    return out
