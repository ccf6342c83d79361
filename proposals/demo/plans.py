"""Schedules: for each demo proposal, every action it will go through, each on a local date.

A plan is worked out in advance from the committee's settings and the working-day calendar
(the same deadlines the operations will compute). An in-flight proposal is drawn so that it
is in the state it shows today (a pending assignment still inside its acceptance window, a
delivered reply still inside its rating window, an overdue one past its due date …); a plan
with any action on or after today is drawn again. The engine then runs the plans through the
operations in time order."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from ..committee.calendar import WorkCalendar, add_months
from . import texts


class Retry(Exception):
    """A randomly drawn schedule does not fit before today; draw again."""


@dataclass
class Step:
    day: date
    action: str
    member: bool = False  # a member acts (any day, into the evening) or office hours
    unit: str | None = None  # department code of the assignment acted on
    actor: object = None  # the member acting; staff actors are resolved by the engine
    data: dict = field(default_factory=dict)
    round: int = 1
    optional: bool = False  # dropped when it would fall on or after today


@dataclass
class Plan:
    scenario: str
    proposer: object
    topic: object
    content: dict
    cosigners: list = field(default_factory=list)  # [(user, accept|decline|expire|pending)]
    steps: list = field(default_factory=list)
    units: dict = field(default_factory=dict)  # code -> Outcome of its assignment
    roles: dict = field(default_factory=dict)  # code -> lead|co, in the order assigned
    merged_into: "Plan | None" = None
    filed_day: date | None = None
    proposal: object = None  # set by the engine on creation


@dataclass
class Outcome:
    """What a unit's schedule leads to (as the operations will compute it)."""

    code: str
    state: str = "pending"
    accept_due: date | None = None
    reply_due: date | None = None
    effective_due: date | None = None
    extended_to: date | None = None
    deliveries: list = field(default_factory=list)  # [(round, day, result)]
    rating_due: date | None = None
    closed_day: date | None = None


class CachedCalendar(WorkCalendar):
    """The committee's working-day calendar, each day's answer remembered (planning asks
    about the same days thousands of times)."""

    def __init__(self, calendar):
        super().__init__(calendar.overrides)
        self.known = {}

    def is_workday(self, day):
        if day not in self.known:
            self.known[day] = super().is_workday(day)
        return self.known[day]


class Planner:
    def __init__(self, people, rng, cal, conf, today):
        self.people, self.rng, self.cal, self.conf = people, rng, CachedCalendar(cal), conf
        self.today = today
        self.limits = (conf["proposal_min_chars"], conf["proposal_max_chars"])
        codes = [c for c in ("A", "B", "C") if c in conf["result_codes"]]
        self.results = codes or list(conf["result_codes"])

    # --- days -------------------------------------------------------------------------------
    def r(self, lo, hi):
        return self.rng.randint(lo, hi)

    def wd(self, day, n):
        return self.cal.add_working_days(day, n)

    def back_wd(self, day, n):
        return self.cal.subtract_working_days(day, n)

    def workday(self, day):
        while not self.cal.is_workday(day):
            day += timedelta(days=1)
        return day

    def staff_day(self, lo, hi):
        """A working day in [lo, hi] (the first one after lo when there is none)."""
        if hi < lo:
            hi = lo
        day = lo + timedelta(days=self.r(0, (hi - lo).days))
        snapped = self.workday(day)
        if snapped > hi:
            snapped = day
            while snapped > lo and not self.cal.is_workday(snapped):
                snapped -= timedelta(days=1)
            if not self.cal.is_workday(snapped):
                snapped = self.workday(lo)
        return snapped

    def member_day(self, lo, hi):
        return lo + timedelta(days=self.r(0, max((hi - lo).days, 0)))

    # --- proposals --------------------------------------------------------------------------
    def new_plan(self, scenario, proposer, topic, title=None, cosigners=(), content=None):
        if content is None:
            content = texts.proposal_content(topic, title or topic.titles[0], self.rng, self.limits)
            if self.rng.random() < 0.5:
                content["suggested_departments"] = list(topic.leads[:1])
        if cosigners:
            content["cosigners"] = [u.username for u, _ in cosigners]
        return Plan(scenario, proposer, topic, content, list(cosigners))

    def add(self, plan, day, action, **kw):
        plan.steps.append(Step(day, action, **kw))

    def front(self, plan, submit_day, created_day=None):
        """Drafting, submission and the co-signers' answers; returns the day from which the
        proposal is submitted (all answers in, or the sweep has expired the invitations)."""
        created = created_day or self.member_day(
            submit_day - timedelta(days=self.r(0, 12)), submit_day
        )
        self.add(plan, created, "create", member=True, actor=plan.proposer)
        self.add(plan, submit_day, "submit", member=True, actor=plan.proposer)
        expires = self.wd(submit_day, self.conf["cosign_window_working_days"])
        ready = submit_day
        for user, answer in plan.cosigners:
            if answer in ("accept", "decline"):
                day = self.member_day(
                    submit_day, min(expires, submit_day + timedelta(days=self.r(0, 4)))
                )
                self.add(
                    plan,
                    day,
                    "cosign",
                    member=True,
                    actor=user,
                    data={"accept": answer == "accept"},
                )
                ready = max(ready, day)
            elif answer == "expire":
                ready = max(ready, expires + timedelta(days=1))
        return ready, expires

    def review(self, plan, day, decision, **data):
        data["decision"] = decision
        if decision == "file":
            plan.filed_day = day
            if self.rng.random() < 0.05:
                data["category"] = self.rng.choice(
                    [
                        c
                        for c in ("economy", "politics", "culture", "society", "ecology")
                        if c != plan.content["category"]
                    ]
                )
        self.add(plan, day, "review", data=data)

    def assign(self, plan, day, units, due_date=None):
        data = {"departments": [{"code": c, "role": r} for c, r in units]}
        plan.roles = dict(units)
        if due_date:
            data["due_date"] = due_date
        self.add(plan, day, "assign", data=data)

    # --- a unit's part ----------------------------------------------------------------------
    def reply_data(self, plan, code, result, promised, second):
        unit = self.people.units[code]
        proposers = [plan.proposer] + [u for u, a in plan.cosigners if a == "accept"]
        leads = [c for c, r in plan.roles.items() if r == "lead"]
        split = len(leads) > 1 and code in leads
        names = self.people.units
        data = {
            "result": result,
            "signer": f"{unit.head_title} {unit.head.name}",
            "contact": f"{unit.clerk.name} {unit.clerk.phone}",
            "text": texts.reply_text(
                result,
                proposers,
                plan.content["title"],
                plan.topic,
                unit.name,
                promised,
                promised.year if promised else None,
                second,
                share=(
                    texts.split_share(plan.topic.suggestions, leads.index(code), len(leads))
                    if split
                    else None
                ),
                split_with=[names[c].name for c in leads if c != code] if split else (),
                co_units=[names[c].name for c, r in plan.roles.items() if r == "co"],
            ),
        }
        if result == "B":
            data["promised_date"] = promised
        return data

    def unit(
        self,
        plan,
        code,
        start,
        role="lead",
        stop=None,
        accept="explicit",
        new_unit=None,
        rounds=None,
        follow=None,
        not_before=None,
        opinion_by=None,
        reply_due=None,
    ):
        """The steps of one assignment from its assignment day ``start`` (appended to the plan);
        ``stop`` leaves it in flight, ``rounds`` describe each reply round."""
        conf, rng = self.conf, self.rng
        out = Outcome(code)
        out.accept_due = self.wd(start, conf["accept_window_working_days"])
        out.reply_due = out.effective_due = reply_due or add_months(start, conf["reply_due_months"])
        plan.units[code] = out
        if stop == "pending":
            return out
        window = conf["accept_window_working_days"]
        if accept == "explicit":
            cur = self.wd(start, self.r(1, min(3, window)))
            self.add(plan, cur, "accept", unit=code)
        elif accept == "auto":
            cur = out.accept_due + timedelta(days=1)  # the morning sweep accepts it
        else:
            cur = self.wd(start, self.r(1, min(2, window)))
            other = self.people.units[new_unit or self.rng.choice(list(self.people.units))]
            self.add(
                plan,
                cur,
                "request_reassignment",
                unit=code,
                data={"reason": rng.choice(texts.REASSIGN_REASONS).format(other=other.name)},
            )
            if stop == "reassign_pending":
                out.state = "reassignment_requested"
                return out
            cur = self.wd(cur, self.r(1, 3))
            if accept == "reassign_approve":
                # the new unit takes this one's place (and role) in the proposal's handling
                plan.roles = {(new_unit if c == code else c): r for c, r in plan.roles.items()}
                self.add(
                    plan,
                    cur,
                    "decide_reassignment",
                    unit=code,
                    data={"approve": True, "department": new_unit},
                )
                moved = self.unit(
                    plan,
                    new_unit,
                    cur,
                    role,
                    stop,
                    "explicit",
                    None,
                    rounds,
                    follow,
                    not_before,
                    opinion_by,
                )
                out.state = "reassigned"
                return moved
            self.add(
                plan,
                cur,
                "decide_reassignment",
                unit=code,
                data={"approve": False, "comment": rng.choice(texts.REASSIGN_REFUSED)},
            )
        out.state = "handling"
        if role == "co":
            return self._opinion(plan, out, code, start, cur, stop, opinion_by)
        # contacts are still to come when the plan stops before any reply or extension
        in_flight_first = (
            stop == "handling"
            and len(rounds or [{}]) == 1
            and not (rounds and rounds[0].get("ext"))
        )
        cur = self._contacts(
            plan, code, start, cur, optional=in_flight_first, n=1 if rng.random() < 0.7 else 2
        )
        rounds = rounds or [{}]
        round_start, due = start, out.reply_due
        for number, spec in enumerate(rounds, start=1):
            last = number == len(rounds)
            cur, done = self._round(
                plan,
                out,
                code,
                number,
                spec,
                round_start,
                due,
                cur,
                stop if last else None,
                not_before,
            )
            if done:
                break
            round_start, due = cur, add_months(cur, conf["rehandling_due_months"])
            out.reply_due = out.effective_due = due
            out.extended_to = None
            out.state = "rehandling"
            if last:  # unsatisfied, and the plan stops in re-handling
                break
            if rng.random() < 0.6:
                cur = self._contacts(
                    plan,
                    code,
                    round_start,
                    cur,
                    n=1,
                    optional=stop == "handling" and number + 1 == len(rounds),
                )
        self._follow_up(plan, out, code, follow)
        return out

    def _opinion(self, plan, out, code, start, cur, stop, opinion_by):
        if stop in ("handling", "pending"):
            return out
        due = add_months(start, self.conf["opinion_due_months"])
        hi = min(due, opinion_by) if opinion_by else due
        low = self.wd(cur, 1)
        day = self.staff_day(low, min(hi, self.wd(cur, 12)))
        if opinion_by and day > opinion_by:
            raise Retry  # the lead would reply before hearing from this co-unit
        optional = opinion_by is None  # the lead has no reply yet: the opinion may still come
        if optional and day >= self.today:
            return out
        self.add(
            plan,
            day,
            "opinion",
            unit=code,
            data={
                "text": texts.opinion_text(
                    self.people.units[code].name,
                    plan.topic,
                    self.rng,
                    lead_name=next(
                        (self.people.units[c].name for c, r in plan.roles.items() if r == "lead"),
                        None,
                    ),
                )
            },
        )
        out.state, out.closed_day = "closed", day
        return out

    def _contacts(self, plan, code, start, cur, n, optional=False):
        contact_due = self.wd(start, self.conf["contact_due_working_days"])
        day = cur
        for i in range(n):
            lo = self.wd(day, 1 if i == 0 else 3)
            hi = max(lo, min(contact_due, self.wd(day, 8))) if i == 0 else self.wd(day, 15)
            day = self.staff_day(lo, hi)
            mode = self.rng.choices(
                [m for m, _ in texts.CONTACT_WEIGHTS], [w for _, w in texts.CONTACT_WEIGHTS]
            )[0]
            self.add(
                plan,
                day,
                "contact",
                unit=code,
                optional=optional,
                data={"mode": mode, "date": day, "summary": texts.contact_summary(mode)},
            )
        return day

    def _round(self, plan, out, code, number, spec, round_start, due, cur, stop, not_before):
        """One reply round; returns (day reached, whether the assignment is finished)."""
        conf, rng = self.conf, self.rng
        limit = add_months(round_start, conf["extension_max_months"])
        ext = spec.get("ext")
        if ext:
            request = spec.get("ext_day") or self.staff_day(
                due - timedelta(days=20), due - timedelta(days=6)
            )
            request = max(request, self.wd(cur, 1))
            until = min(due + timedelta(days=self.r(20, 60)), limit)
            if until <= due or request > due:
                raise Retry
            self.add(
                plan,
                request,
                "request_extension",
                unit=code,
                round=number,
                data={"until": until, "reason": rng.choice(texts.EXTENSION_REASONS)},
            )
            cur = request
            if ext == "pending":
                return cur, True
            cur = self.wd(request, self.r(1, 3))
            approve = ext == "approve"
            self.add(
                plan,
                cur,
                "decide_extension",
                unit=code,
                round=number,
                data={
                    "approve": approve,
                    "comment": rng.choice(
                        texts.EXTENSION_APPROVED if approve else texts.EXTENSION_REFUSED
                    ),
                },
            )
            if approve:
                out.extended_to = out.effective_due = until
        if stop == "handling":
            return cur, True
        effective = out.effective_due
        draft = spec.get("draft_day")
        if draft is None:
            if spec.get("timing") == "late":
                draft = self.staff_day(
                    effective + timedelta(days=3), effective + timedelta(days=25)
                )
            else:
                lo = self.wd(cur, 1)
                span = max((effective - timedelta(days=14) - lo).days, 0)
                draft = self.workday(lo + timedelta(days=int(span * rng.triangular(0.1, 1, 0.45))))
        floor = self.wd(max(cur, not_before or cur), 1)
        draft = max(self.workday(draft), floor)
        result = spec.get("result") or self.result()
        if result not in self.results:
            result = self.results[0]
        promised = draft + timedelta(days=self.r(90, 300)) if result == "B" else None
        data = self.reply_data(plan, code, result, promised, number == 2)
        day = draft
        self.add(plan, day, "draft", unit=code, round=number, data=data)
        signoff, review = conf["signoff_required"], conf["reply_review_required"]
        if stop in ("awaiting_signoff", "signoff_returned") and not signoff:
            stop = "awaiting_review"  # this committee has no sign-off stage
        if stop in ("awaiting_review", "redrafted") and not review:
            stop = "delivered"
        if stop == "awaiting_signoff":
            return day, True
        if signoff:
            if spec.get("signoff_return"):
                day = self.wd(day, self.r(1, 2))
                self.add(
                    plan,
                    day,
                    "signoff",
                    unit=code,
                    round=number,
                    data={"approve": False, "comment": rng.choice(texts.SIGNOFF_RETURNS)},
                )
                if stop == "signoff_returned":
                    return day, True
                day = self.wd(day, self.r(1, 3))
                self.add(plan, day, "draft", unit=code, round=number, data=data)
            day = self.wd(day, self.r(1, 2))
            self.add(plan, day, "signoff", unit=code, round=number, data={"approve": True})
        if stop == "awaiting_review":
            return day, True
        if review:
            if spec.get("review_return"):
                day = self.wd(day, self.r(1, 3))
                self.add(
                    plan,
                    day,
                    "review_reply",
                    unit=code,
                    round=number,
                    data={"approve": False, "comment": rng.choice(texts.REVIEW_RETURNS)},
                )
                day = self.wd(day, self.r(2, 4))
                self.add(plan, day, "draft", unit=code, round=number, data=data)
                if signoff:
                    day = self.wd(day, self.r(1, 2))
                    self.add(plan, day, "signoff", unit=code, round=number, data={"approve": True})
                if stop == "redrafted":
                    return day, True
            day = self.wd(day, self.r(1, 3))
            approve = {"approve": True}
            if spec.get("correct") and result == "A" and "C" in self.results:
                approve.update(result="C", comment=texts.REVIEW_CORRECTIONS[0])
                result = "C"
            self.add(plan, day, "review_reply", unit=code, round=number, data=approve)
        out.deliveries.append((number, day, result))
        out.state = "replied"
        out.rating_due = self.wd(day, conf["rating_window_working_days"])
        if stop == "delivered":
            return day, True
        rating = spec.get("rating", "satisfied")
        if rating == "unrated":
            out.state, out.closed_day = "closed", out.rating_due + timedelta(days=1)
            return out.closed_day, True
        window = conf["rating_window_working_days"]
        rated = self.wd(day, self.r(1, max(1, min(10, window - 1))))
        comment = rng.choice(texts.RATING_COMMENTS[rating])
        self.add(
            plan,
            rated,
            "rate",
            member=True,
            actor=plan.proposer,
            unit=code,
            round=number,
            data={"rating": rating, **({"comment": comment} if comment else {})},
        )
        if rating == "unsatisfied" and number == 1:
            return rated, False
        out.state, out.closed_day = "closed", rated
        if rating == "unsatisfied" and rng.random() < 0.7:
            self.add(
                plan,
                self.wd(rated, self.r(5, 15)),
                "consultation",
                optional=True,
                data={"note": texts.CONSULTATION_NOTES[0]},
            )
        return rated, True

    def _follow_up(self, plan, out, code, follow):
        if (
            not follow
            or not any(r == "B" for _, _, r in out.deliveries)
            or out.state not in ("replied", "closed")
        ):
            return
        base = max(out.closed_day or out.deliveries[-1][1], out.deliveries[-1][1])
        day = self.staff_day(base + timedelta(days=20), base + timedelta(days=90))
        self.add(
            plan,
            day,
            "follow_up",
            unit=code,
            optional=True,
            data={"text": self.rng.choice(texts.FOLLOW_UP_PROGRESS), "done": False},
        )
        if follow == "done":
            day = self.staff_day(day + timedelta(days=30), day + timedelta(days=150))
            self.add(
                plan,
                day,
                "follow_up",
                unit=code,
                optional=True,
                data={"text": texts.FOLLOW_UP_DONE[0], "done": True},
            )

    # --- random choices ---------------------------------------------------------------------
    def weighted(self, pairs):
        return self.rng.choices([v for v, _ in pairs], [w for _, w in pairs])[0]

    def result(self):
        return self.weighted([("A", 55), ("B", 30), ("C", 15)])

    def closed_rounds(self):
        """Reply rounds for an assignment handled to the end."""
        first = {"result": self.result()}
        roll = self.rng.random()
        if roll < 0.05:
            first["ext"] = "approve"
        elif roll < 0.07:
            first["ext"] = "refuse"
        elif roll < 0.13:
            first["timing"] = "late"
        first["signoff_return"] = self.rng.random() < 0.05
        first["review_return"] = self.rng.random() < 0.05
        first["correct"] = self.rng.random() < 0.03
        rating = self.weighted(
            [("satisfied", 72), ("basically_satisfied", 16), ("unrated", 5), ("unsatisfied", 7)]
        )
        first["rating"] = rating
        if rating != "unsatisfied":
            return [first]
        second = {
            "result": self.weighted([("A", 40), ("B", 40), ("C", 20)]),
            "rating": self.weighted(
                [
                    ("satisfied", 45),
                    ("basically_satisfied", 30),
                    ("unsatisfied", 15),
                    ("unrated", 10),
                ]
            ),
        }
        return [first, second]

    def accept_mode(self):
        return self.weighted(
            [("explicit", 88), ("auto", 6), ("reassign_approve", 3), ("reassign_refuse", 3)]
        )

    def follow_mode(self):
        return self.weighted([("done", 55), ("progress", 30), (None, 15)])


def check(plan, today):
    """Drop optional steps that would fall on or after today; refuse a plan that still has
    any, or a staff action on a day off."""
    plan.steps = [s for s in plan.steps if not (s.optional and s.day >= today)]
    if any(s.day >= today for s in plan.steps):
        raise Retry
