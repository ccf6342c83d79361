"""The words of official documents (公文): dates, numbers and names as an official text writes
them, shared by every kind of document (and by the demo's reply letters, so that a letter's
salutation is written one way only).

Official text puts no space between a number (or a Latin code) and the Chinese around it:
"立案246件", "A类", "2026年12月6日". The app's own sentences (the statistics headline) are
written with those spaces for the screen; :func:`official` takes them out.
"""

import re
from datetime import date, datetime

from ..committee.calendar import local_date
from ..committee.models import chinese_number
from ..i18n import _
from ..workflow.models import number_label
from ..workflow.states import CosignerState

# Chinese characters, CJK punctuation and full-width forms
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_NARROW = "0-9A-Za-z%.)"
_SPACES = "[ \u00a0\u2002\u2009]+"
_AFTER_CJK = re.compile(f"(?<=[{_CJK}]){_SPACES}(?=[{_NARROW}(])")
_BEFORE_CJK = re.compile(f"(?<=[{_NARROW}]){_SPACES}(?=[{_CJK}])")


def official(text):
    """``text`` without the spaces between a digit or Latin letter and a Chinese character:
    "共接受提案 267 件" → "共接受提案267件"; a space between two Latin words stays."""
    if not text:
        return text or ""
    return _BEFORE_CJK.sub("", _AFTER_CJK.sub("", str(text)))


def chinese_date(day):
    """2026年12月6日; a datetime is taken on its date in Beijing time."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = local_date(day)
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return _("%(year)d年%(month)d月%(day)d日", year=day.year, month=day.month, day=day.day)


def percent(rate):
    """A rate (0–1) to one decimal place: 0.9213 → "92.1%"; None (no denominator) → "—"."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}%"


def shares(counts):
    """The percentages (one decimal) of each of ``counts`` in their total, rounded by the
    largest remainder so that they add up to exactly 100.0%; every share is "—" when the total
    is 0. In tenths of a percent: each part gets the floor of its exact share, and the tenths
    still missing go to the parts with the largest remainders (the earlier on a tie)."""
    counts = [int(c or 0) for c in counts]
    total = sum(counts)
    if total <= 0:
        return ["—" for _c in counts]
    exact = [c * 1000 / total for c in counts]
    tenths = [int(e) for e in exact]
    missing = 1000 - sum(tenths)
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - tenths[i]), i))
    for i in order[:missing]:
        tenths[i] += 1
    return [f"{t // 10}.{t % 10}%" for t in tenths]


def session_label(term, meeting):
    """政协第十届第三次会议: always in Chinese numerals (an official document is Chinese)."""
    return _(
        "政协第%(term)s届第%(meeting)s次会议",
        term=chinese_number(term),
        meeting=chinese_number(meeting),
    )


def proposal_label(proposal):
    """第0012号 (the proposal's number as the lists show it; empty before filing)."""
    return number_label(proposal.number) or ""


def _titled(name):
    """A member's name already written with its title (the name 李委员) is not titled twice."""
    return name.endswith(_("委员"))


def addressee(person):
    """张三委员; an organisation (集体提案) by its name alone."""
    if person.org_type or _titled(person.name):
        return person.name
    return _("%(name)s委员", name=person.name)


def salutation(people):
    """The opening line of a letter to every proposer, in order: "张三委员：", "张三委员并李四、
    王五委员：", "民盟临江市委：". The first proposer is named in full; the others follow
    after 并, members named together before one 委员, an organisation by its name (and a
    name that already ends in 委员 as it is)."""
    people = list(people)
    if not people:
        return ""
    first, rest = addressee(people[0]), people[1:]
    if not rest:
        return _("%(first)s：", first=first)
    parts, members = [], []
    for person in rest:
        if person.org_type or _titled(person.name):
            if members:
                parts.append(_("%(names)s委员", names=_("、").join(members)))
                members = []
            parts.append(person.name)
        else:
            members.append(person.name)
    if members:
        parts.append(_("%(names)s委员", names=_("、").join(members)))
    return _("%(first)s并%(others)s：", first=first, others=_("、").join(parts))


def proposers(proposal):
    """The proposal's proposers: the first proposer, then each co-signer who accepted (the
    proposal's co-signers must be loaded)."""
    return [proposal.proposer] + [
        c.user for c in proposal.cosigners if c.state == CosignerState.ACCEPTED
    ]


def paragraphs(text):
    """A text as paragraphs: split on line breaks, blank lines and surrounding spaces left
    out."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def official_values(value):
    """Every text in a document's fields (dicts and lists walked) through :func:`official`."""
    if isinstance(value, str):
        return official(value)
    if isinstance(value, dict):
        return {key: official_values(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [official_values(item) for item in value]
    return value
