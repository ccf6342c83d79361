"""The secretariat's annual figures (DOMAIN.md §5), computed by the database.

Every figure is an SQL aggregate (conditional sums, GROUP BY, subqueries) over the proposals of
a period, as they stood at the end of a day: :func:`annual_figures` issues the same dozen
statements whether the period holds ten proposals or a million. Reference tables (categories,
units, settings) are read whole.

Definitions where DOMAIN.md leaves a choice (the dict's keys are those of API.md's
/stats/annual example plus the extras agreed with the dashboard and the exports):

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
- **On time**: a delivered reply (first and re-handled replies each count) delivered on or
  before the deadline in force at delivery, extension included (``replies.due_on``).
- **Per unit**: ``assigned`` counts its items (co-handling too, also in ``co_handled``),
  ``replied`` its items with a reply, ``replies_delivered``/``on_time`` its replies (a
  re-handled item has two); ``on_time_rate`` = on_time / replies_delivered.
- **Results** (A/B/C): the latest reply delivered by the date of each replied item.
- **Satisfaction**: each replied item once, by its latest rating from the first proposer (or
  the organisation) by the date; ratings by proposers of merged proposals are not counted.
  ``unrated`` is the replied items without such a rating (closed as unrated, or still within
  the rating window: ``awaiting_rating`` of them); rated + unrated = replied items.
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
"""
from ..committee import settings as committee_settings
from .handling import handling_summary, key_proposals, monthly, replied_proposals, unit_items
from .headline import headline
from .intake import (by_category, by_sector, intake_summary, participation,
                     received_proposals)
from .period import make_window, read_period_args
from .sql import rate

__all__ = ["annual_figures", "read_period_args", "received_proposals", "make_window"]

# the names exports.py imports; received_proposals and make_window are the ones to use
_received, _window = received_proposals, make_window


def annual_figures(*, year=None, session_id=None, as_of=None):
    """The figures of DOMAIN.md §5 for a year (default: this year) or a session, as of the end
    of ``as_of`` (default today; a later date is taken as today: what has not happened yet
    cannot be counted). Raises ValidationError for an unknown session or a bad year."""
    window = make_window(year, session_id, as_of)
    received = received_proposals(window)
    items = unit_items(window, received)
    codes = list(dict.fromkeys(["A", "B", "C"] + list(
        committee_settings.all_settings()["result_codes"])))  # always one query

    out = {"year": window.year, "as_of": window.as_of.isoformat(),
           "period": {"kind": window.kind, "year": window.year, "session": window.session_id,
                      "label": window.label}}
    out.update(intake_summary(window, received))
    out["by_category"] = by_category(received)
    out["by_sector"] = by_sector(received)
    out["participation"] = participation(window, received)
    out.update(handling_summary(window, items, codes))
    out["monthly"] = monthly(window, items, out.pop("_received_by_month"))
    replied, replied_by_year_end = replied_proposals(items)
    out["replied_proposals"] = replied
    out["replied_proposals_by_year_end"] = replied_by_year_end
    out["reply_rate"] = rate(replied, out["filed"])
    out["key_proposals"] = key_proposals(window, received)
    out["headline"] = headline(out)
    return out
