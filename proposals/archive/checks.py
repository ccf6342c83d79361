"""Checking every row of the sheet before anything is written: each problem is one message
naming its line, and the rows that pass become Entries, ready for writer.py.

Reference data is read once (sessions, categories, units, the numbers in use, the members with
the names the sheet gives), so that a sheet of thousands of rows costs a handful of queries."""

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ..accounts.models import ORG_TYPE_LABELS, ORG_TYPES, Department, User
from ..committee.models import Category, CommitteeSession
from ..extensions import db
from ..handling.models import RATINGS
from ..i18n import _, join
from ..inputs import MAX_ID, MAX_YEAR, MIN_YEAR
from ..security.text_input import BAD
from ..workflow.models import Proposal
from .sheet import label

TITLE_MAX = Proposal.__table__.c.title.type.length  # 案由: one line of at most 200 characters
NAME_MAX = User.__table__.c.name.type.length
REPLY_MAX = 20000  # as for a unit's reply (handling/operations.py draft_reply)
LOOKUP_BATCH = 500

NAME_SEPARATORS = re.compile(r"[、；;，,\n]")
UNIT_SEPARATORS = re.compile(r"[、；;，,\n]")
YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔"}
NO = {"", "否", "n", "no", "false", "0", "×", "✗"}
RATING_WORDS = {
    **{str(word): key for key, word in RATINGS.items()},
    **{key: key for key in RATINGS},
    "未测评": None,
    "unrated": None,
    "": None,
}
ORG_WORDS = {
    **{str(word): key for key, word in ORG_TYPE_LABELS.items()},
    **{key: key for key in ORG_TYPES},
}
NUMERALS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
NUMERALS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_N = r"([0-9]{1,4}|[零〇一二两三四五六七八九十]{1,3})"
SESSION_RE = re.compile(rf"第?{_N}届(?:委员会)?第?{_N}次(?:全体)?(?:会议)?")
DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
NUMBER_RE = re.compile(r"第?\s*0*([0-9]{1,10})\s*号?")


@dataclass
class NewAccount:
    """A proposer no member account matches (or several do): an inactive account is made."""

    name: str
    org_type: str | None
    line: int  # where it was first named
    user: User | None = None  # once written


@dataclass
class Entry:
    """One row that passed every check."""

    line: int
    session: CommitteeSession
    number: int
    title: str
    proposers: list  # [User | NewAccount], the first proposer first
    kind: str
    category: Category
    lead: Department
    co: list
    result: str
    reply: str
    rating: str | None
    submitted_on: date
    replied_on: date | None  # None: not given, the reply deadline (see writer.py)
    promised_on: date | None
    is_plenary: bool | None
    analysis: str = ""
    suggestions: str = ""
    new_accounts: list = field(default_factory=list)


def chinese_int(text):
    """十 → 10, 十三 → 13, 二十一 → 21, 3 → 3 (enough for 届 and 次); None if not a number."""
    if text.isascii() and text.isdigit():
        return int(text)
    if "十" not in text:
        return NUMERALS.get(text) if len(text) == 1 else None
    tens, _sep, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    t = NUMERALS.get(tens) if tens else 1
    o = NUMERALS.get(ones) if ones else 0
    return None if t is None or o is None else t * 10 + o


def parse_date(text):
    """A date from 2023-03-05, 2023/3/5, 2023.3.5, 2023年3月5日 (an Excel date cell arrives as
    the first); None if the text is no date."""
    match = DATE_RE.fullmatch(text.strip())
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _split(text, separators):
    return [" ".join(part.split()) for part in separators.split(text) if part.strip()]


class Checker:
    """Reads the reference data once, then checks the rows one by one (``check``)."""

    def __init__(self, rows, conf, today):
        self.conf, self.today = conf, today
        self.codes = list(conf["result_codes"])
        self.code_of_label = dict(zip(conf["result_code_labels"], self.codes))
        sessions = db.session.scalars(select(CommitteeSession)).all()
        self.sessions = {(s.term, s.meeting): s for s in sessions}
        self.by_year = {}
        for s in sorted(sessions, key=lambda s: (s.term, s.meeting)):
            self.by_year.setdefault(s.year, []).append(s)
        categories = db.session.scalars(select(Category).order_by(Category.id)).all()
        self.category_names = [c.name for c in categories if c.active]
        self.categories = {c.code.lower(): c for c in categories}
        self.categories.update({c.name: c for c in categories})
        units = db.session.scalars(select(Department)).all()
        self.units = {d.code.lower(): d for d in units}
        self.units.update({d.name: d for d in units})
        self.taken = {
            (session_id, number)
            for session_id, number in db.session.execute(
                select(Proposal.session_id, Proposal.number).where(Proposal.number.is_not(None))
            )
        }
        self.members = self._members(rows)
        self.new_accounts = {}  # name -> NewAccount, shared by the rows that name it
        self.numbers = {}  # (session id, number) -> the line that uses it

    def _members(self, rows):
        names = sorted(
            {n for _line, data in rows for n in _split(data.get("proposers", ""), NAME_SEPARATORS)}
        )
        found = {}
        for start in range(0, len(names), LOOKUP_BATCH):
            chunk = names[start : start + LOOKUP_BATCH]
            for user in db.session.scalars(
                select(User).where(User.role == "member", User.name.in_(chunk))
            ):
                found.setdefault(user.name, []).append(user)
        return found

    # --- one row -----------------------------------------------------------------------------

    def check(self, line, data):
        """(Entry or None, [problems of this row])."""
        unstorable = [key for key, value in data.items() if BAD.search(value)]
        if unstorable:
            columns = join(label(key) for key in unstorable)
            return None, [_("%(columns)s含有无法保存的字符（如 NUL）", columns=columns)]
        problems = []
        session = self._session(data, problems)
        number = self._number(data, session, line, problems)
        title = self._title(data, problems)
        category = self._category(data, problems)
        lead, co = self._units(data, problems)
        result = self._result(data, problems)
        reply = data.get("reply", "").strip()
        if not reply:
            problems.append(_("缺少%(column)s", column=label("reply")))
        elif len(reply) > REPLY_MAX:
            problems.append(_("%(column)s不能超过 %(n)d 个字", column=label("reply"), n=REPLY_MAX))
        rating = self._rating(data, problems)
        submitted = self._date(data, "submitted_on", problems)
        replied = self._date(data, "replied_on", problems)
        promised = self._date(data, "promised_on", problems)
        plenary = self._yes_no(data, "plenary", problems)
        proposers, kind, new = self._proposers(data, line, problems)
        if submitted is None and not data.get("submitted_on", "").strip() and session:
            submitted = session.plenary_start  # not given: the plenary's first day
            if submitted > self.today:
                problems.append(
                    _(
                        "未填%(column)s时按大会开幕日 %(day)s 计，晚于今天：请填写%(column)s",
                        column=label("submitted_on"),
                        day=submitted.isoformat(),
                    )
                )
        if submitted and replied and replied < submitted:
            problems.append(
                _(
                    "%(replied)s %(r)s 早于%(submitted)s %(s)s",
                    replied=label("replied_on"),
                    r=replied.isoformat(),
                    submitted=label("submitted_on"),
                    s=submitted.isoformat(),
                )
            )
        if problems:
            return None, problems
        if plenary is None and data.get("submitted_on"):
            plenary = session.in_collection_window(submitted)
        entry = Entry(
            line=line,
            session=session,
            number=number,
            title=title,
            proposers=proposers,
            kind=kind,
            category=category,
            lead=lead,
            co=co,
            result=result,
            reply=reply,
            rating=rating,
            submitted_on=submitted,
            replied_on=replied,
            promised_on=promised,
            is_plenary=plenary,
            analysis=data.get("analysis", "").strip(),
            suggestions=data.get("suggestions", "").strip(),
            new_accounts=new,
        )
        for account in new:
            self.new_accounts.setdefault(account.name, account)
        return entry, []

    def _session(self, data, problems):
        text = " ".join(data.get("session", "").split())
        year = None
        year_text = data.get("year", "").strip().removesuffix("年").strip()
        if year_text:
            if (
                year_text.isascii()
                and year_text.isdigit()
                and MIN_YEAR <= int(year_text) <= MAX_YEAR
            ):
                year = int(year_text)
            else:
                problems.append(
                    _(
                        "%(column)s“%(value)s”应为四位数的年份",
                        column=label("year"),
                        value=year_text,
                    )
                )
                return None
        hint = _("请先用 sessions create 命令（或管理员的会次页面）创建该会次")
        if text:
            match = SESSION_RE.search(text.replace(" ", ""))
            term, meeting = (chinese_int(g) for g in match.groups()) if match else (None, None)
            if term is None or meeting is None:
                problems.append(
                    _(
                        "%(column)s“%(value)s”应写作“第十届第三次会议”",
                        column=label("session"),
                        value=text,
                    )
                )
                return None
            session = self.sessions.get((term, meeting))
            if session is None:
                problems.append(_("会次“%(value)s”不存在：%(hint)s", value=text, hint=hint))
                return None
            if year is not None and session.year != year:
                problems.append(
                    _(
                        "会次“%(value)s”是 %(session_year)d 年的会次，与%(column)s %(year)d 不符",
                        value=text,
                        session_year=session.year,
                        column=label("year"),
                        year=year,
                    )
                )
                return None
            return session
        if year is None:
            problems.append(
                _("缺少%(year)s或%(session)s", year=label("year"), session=label("session"))
            )
            return None
        found = self.by_year.get(year, [])
        if not found:
            problems.append(_("没有 %(year)d 年度的会次：%(hint)s", year=year, hint=hint))
            return None
        if len(found) > 1:
            problems.append(
                _(
                    "%(year)d 年度有多个会次（%(labels)s），请填写%(column)s",
                    year=year,
                    labels=join(s.label for s in found),
                    column=label("session"),
                )
            )
            return None
        return found[0]

    def _number(self, data, session, line, problems):
        text = data.get("number", "").strip()
        if not text:
            problems.append(_("缺少%(column)s", column=label("number")))
            return None
        match = NUMBER_RE.fullmatch(text)
        number = int(match.group(1)) if match else None
        if number is None or not 0 < number <= MAX_ID:
            problems.append(
                _("%(column)s“%(value)s”应为正整数", column=label("number"), value=text)
            )
            return None
        if session is None:
            return number
        earlier = self.numbers.setdefault((session.id, number), line)
        if earlier != line:
            problems.append(
                _(
                    "%(column)s %(number)d 与第 %(line)d 行重复（同一会次）",
                    column=label("number"),
                    number=number,
                    line=earlier,
                )
            )
        elif (session.id, number) in self.taken:
            problems.append(
                _(
                    "%(session)s的%(column)s %(number)d 已被使用（此前导入或立案）",
                    session=session.label,
                    column=label("number"),
                    number=number,
                )
            )
        return number

    def _title(self, data, problems):
        title = " ".join(data.get("title", "").split())  # one line, as when drafted
        if not title:
            problems.append(_("缺少%(column)s", column=label("title")))
        elif len(title) > TITLE_MAX:
            problems.append(
                _(
                    "%(column)s不能超过 %(max)d 个字（现有 %(n)d 个字）",
                    column=label("title"),
                    max=TITLE_MAX,
                    n=len(title),
                )
            )
        return title

    def _category(self, data, problems):
        text = " ".join(data.get("category", "").split())
        if not text:
            problems.append(_("缺少%(column)s", column=label("category")))
            return None
        category = self.categories.get(text) or self.categories.get(text.lower())
        if category is None:
            problems.append(
                _(
                    "未知的提案类别“%(value)s”（可填：%(names)s）",
                    value=text,
                    names=join(self.category_names),
                )
            )
        return category

    def _unit(self, text, problems):
        unit = self.units.get(text) or self.units.get(text.lower())
        if unit is None:
            problems.append(_("未知的承办单位“%(value)s”（填单位代码或全称）", value=text))
        return unit

    def _units(self, data, problems):
        leads = _split(data.get("lead", ""), UNIT_SEPARATORS)
        if not leads:
            problems.append(_("缺少%(column)s", column=label("lead")))
            return None, []
        if len(leads) > 1:
            problems.append(
                _(
                    "%(lead)s只能填一个（现有 %(names)s）；其他单位填在“%(co)s”列",
                    lead=label("lead"),
                    names=join(leads),
                    co=label("co"),
                )
            )
            return None, []
        lead = self._unit(leads[0], problems)
        co, seen = [], {lead.id} if lead else set()
        for text in _split(data.get("co", ""), UNIT_SEPARATORS):
            unit = self._unit(text, problems)
            if unit is None:
                continue
            if unit.id in seen:
                problems.append(_("承办单位“%(value)s”重复", value=text))
                continue
            seen.add(unit.id)
            co.append(unit)
        return lead, co

    def _result(self, data, problems):
        text = data.get("result", "").strip()
        code = text.upper().removesuffix("类").strip()
        code = self.code_of_label.get(text, code)
        if not text:
            problems.append(_("缺少%(column)s", column=label("result")))
        elif code not in self.codes:
            problems.append(
                _(
                    "%(column)s“%(value)s”不是已配置的结果代码（%(codes)s）",
                    column=label("result"),
                    value=text,
                    codes=join(self.codes),
                )
            )
        return code

    def _rating(self, data, problems):
        text = data.get("rating", "").strip()
        if text.lower() in RATING_WORDS:
            return RATING_WORDS[text.lower()]
        problems.append(
            _(
                "%(column)s“%(value)s”应为 满意、基本满意、不满意、未测评 或留空",
                column=label("rating"),
                value=text,
            )
        )
        return None

    def _date(self, data, key, problems):
        text = data.get(key, "").strip()
        if not text:
            return None
        day = parse_date(text)
        if day is None:
            problems.append(
                _(
                    "%(column)s“%(value)s”不是日期（应为 YYYY-MM-DD）",
                    column=label(key),
                    value=text,
                )
            )
        elif day > self.today:
            problems.append(
                _("%(column)s %(day)s 晚于今天", column=label(key), day=day.isoformat())
            )
            return None
        return day

    def _yes_no(self, data, key, problems):
        text = data.get(key, "").strip().lower()
        if text in YES:
            return True
        if text in NO:
            return None if not text else False
        problems.append(
            _("%(column)s“%(value)s”应填 是 或 否", column=label(key), value=data.get(key))
        )
        return None

    def _collective(self, data, problems):
        """(collective: True, False or None when not said; the organisation type named)."""
        text = data.get("collective", "").strip()
        if text in ORG_WORDS:
            return True, ORG_WORDS[text]
        if text.lower() in YES:
            return True, None
        if text.lower() in NO:
            return (False if text else None), None
        problems.append(
            _(
                "%(column)s“%(value)s”应填 是、否 或组织类型（%(types)s）",
                column=label("collective"),
                value=text,
                types=join(_(ORG_TYPE_LABELS[t]) for t in ORG_TYPES),
            )
        )
        return None, None

    def _proposers(self, data, line, problems):
        """([User | NewAccount], kind, [NewAccount made for this row])."""
        names = _split(data.get("proposers", ""), NAME_SEPARATORS)
        collective, org_type = self._collective(data, problems)
        if not names:
            problems.append(_("缺少%(column)s", column=label("proposers")))
            return [], "individual", []
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            problems.append(_("提案人“%(names)s”重复", names=join(repeated)))
            return [], "individual", []
        too_long = [n for n in names if len(n) > NAME_MAX]
        if too_long:
            problems.append(
                _(
                    "提案人姓名不能超过 %(n)d 个字：%(name)s",
                    n=NAME_MAX,
                    name=too_long[0][:20] + "…",
                )
            )
            return [], "individual", []
        first = self._match(names[0])
        if first is not None and first.org_type is not None:
            if collective is False:
                problems.append(_("提案人“%(name)s”是组织账号，只能提集体提案", name=names[0]))
            collective, org_type = True, org_type or first.org_type
        elif isinstance(first, User) and collective:
            problems.append(
                _("“%(name)s”是个人委员的账号，不能作为集体提案的提案单位", name=names[0])
            )
        if collective and len(names) > 1:
            problems.append(_("集体提案只能有一个提案单位（现有 %(names)s）", names=join(names)))
        proposers, new = [], []
        for index, name in enumerate(names):
            found = self._match(name)
            if isinstance(found, User):
                if index and found.org_type is not None:
                    problems.append(_("联名提案人“%(name)s”是组织账号，不能联名", name=name))
                proposers.append(found)
                continue
            wanted_type = (org_type or "") if collective and index == 0 else None
            if wanted_type == "":
                problems.append(
                    _(
                        "集体提案单位“%(name)s”还没有账号：请在“%(column)s”列写明其类型"
                        "（%(types)s），或先建好该组织账号",
                        name=name,
                        column=label("collective"),
                        types=join(_(ORG_TYPE_LABELS[t]) for t in ORG_TYPES),
                    )
                )
                continue
            account = found or NewAccount(name, wanted_type, line)
            if account.org_type and wanted_type and account.org_type != wanted_type:
                problems.append(
                    _(
                        "“%(name)s”在第 %(line)d 行的类型是%(then)s，这里却是%(now)s",
                        name=name,
                        line=account.line,
                        then=_(ORG_TYPE_LABELS[account.org_type]),
                        now=_(ORG_TYPE_LABELS[wanted_type]),
                    )
                )
                continue
            if bool(account.org_type) != bool(wanted_type):
                problems.append(
                    _(
                        "“%(name)s”在第 %(line)d 行是%(then)s，这里却是%(now)s",
                        name=name,
                        line=account.line,
                        then=_("集体提案单位") if account.org_type else _("个人委员"),
                        now=_("集体提案单位") if wanted_type else _("个人委员"),
                    )
                )
                continue
            if found is None:
                new.append(account)
            proposers.append(account)
        kind = "collective" if collective else ("joint" if len(names) > 1 else "individual")
        return proposers, kind, new

    def _match(self, name):
        """The one member account with this name, the NewAccount already planned for it, or
        None (no member has the name, or several do: which one is meant cannot be told)."""
        if name in self.new_accounts:
            return self.new_accounts[name]
        members = self.members.get(name, [])
        return members[0] if len(members) == 1 else None


def check_rows(rows, conf, today):
    """([Entry], [problems]) for the sheet's rows; any problem means nothing may be written."""
    checker = Checker(rows, conf, today)
    entries, problems = [], []
    for line, data in rows:
        entry, found = checker.check(line, data)
        problems += [_("第 %(n)d 行：%(problem)s", n=line, problem=p) for p in found]
        if entry is not None:
            entries.append(entry)
    return entries, problems


__all__ = ["Entry", "NewAccount", "check_rows", "parse_date", "chinese_int"]
