"""What the demo year contains: every proposal's story, as plans (see plans.py).

Plenary proposals are drawn forward from each session's plenary window (大会): submitted during
it, reviewed in the following weeks, assigned at the assignment meeting (交办会) and handled to
the end. Proposals that are still in flight today (drafts, open invitations, pending review,
every stage of handling, overdue ones) are drawn backward from today."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from . import texts
from .data import NOT_FILED, TOPICS, Topic
from .inflight import InFlight
from .plans import Retry, Step, check


@dataclass
class SessionDays:
    year: int
    start: date  # plenary window
    end: date
    meeting: date  # 交办会: the plenary proposals are assigned together


class Titles:
    """Topics and title variants, the least used first (so that repeats are rare and, when
    they happen, read like another member's proposal on the same matter)."""

    def __init__(self, rng):
        self.rng, self.used = rng, Counter()

    @staticmethod
    def variants(title):
        out = [title]
        if "我市" not in title:
            out.append(title.replace("关于", "关于我市", 1))
        if title.endswith("的建议"):
            out.append(title[:-3] + "的几点建议")
        return out

    def pick(self, lead=None, with_cos=False, topic=None):
        topics = (
            [topic]
            if topic
            else [
                t
                for t in TOPICS
                if (lead is None or t.leads[0] == lead) and (not with_cos or t.cos)
            ]
        )
        pool = [
            (t, v, rank)
            for t in topics
            for title in t.titles
            for rank, v in enumerate(self.variants(title))
        ]
        least = min(self.used[v] * 3 + rank for _, v, rank in pool)
        choice = self.rng.choice(
            [(t, v) for t, v, rank in pool if self.used[v] * 3 + rank == least]
        )
        self.used[choice[1]] += 1
        return choice


class Catalogue(InFlight):
    def __init__(self, planner, people, today):
        self.p, self.people, self.today = planner, people, today
        self.rng = planner.rng
        self.yesterday = today - timedelta(days=1)
        # some members write many proposals, some none
        self.activity = [self.rng.choice((0.2, 0.5, 1, 1, 1.5, 2, 3)) for _ in people.members]
        self.plans = []

    # --- helpers ----------------------------------------------------------------------------
    def pick_proposer(self, kind=None, answers=("accept",) * 9 + ("decline",)):
        kind = kind or self.p.weighted([("individual", 63), ("joint", 22), ("collective", 15)])
        if kind == "collective":
            return self.rng.choice(self.people.orgs), []
        who = self.rng.choices(self.people.members, self.activity)[0]
        if kind != "joint":
            return who, []
        others = [m for m in self.people.members if m is not who]
        return who, [(u, self.rng.choice(answers)) for u in self.rng.sample(others, self.p.r(1, 4))]

    def other_unit(self, topic, taken):
        """Where a unit's request for reassignment sends the proposal: another unit the
        matter concerns when there is one."""
        related = [c for c in topic.cos if c not in taken]
        return self.rng.choice(related or [c for c in self.people.units if c not in taken])

    def unit_plan(self, topic, mode=None):
        mode = mode or self.p.weighted([("sole", 75), ("co", 17), ("split", 8)])
        lead = topic.leads[0]
        if mode == "sole" or not topic.cos:
            return [(lead, "lead")]
        extra = self.rng.sample(topic.cos, self.p.r(1, min(2, len(topic.cos))))
        return [(lead, "lead")] + [(c, "co" if mode == "co" else "lead") for c in extra]

    def attempt(self, name, build):
        for i in range(120):
            try:
                plan = build(i)
                check(plan, self.today)
            except Retry:
                continue
            self.plans.append(plan)
            return plan
        raise RuntimeError(f"演示场景“{name}”无法安排在今天之前")

    def handle(self, plan, start, units, spec, due_date=None):
        """Assign on ``start`` and schedule every unit; ``spec(i)`` gives lead i's options."""
        self.p.assign(plan, start, units, due_date)
        taken = {c for c, _ in units}
        first_drafts, lead_stop = [], None
        leads = [c for c, r in units if r == "lead"]
        kws = [spec(i) for i in range(len(leads))]
        for code, kw in zip(leads, kws):
            if kw.get("accept") == "reassign_approve":
                kw["new_unit"] = self.other_unit(plan.topic, taken)
                taken.add(kw["new_unit"])
                # every reply names the units that end up handling the proposal
                plan.roles = {
                    (kw["new_unit"] if c == code else c): r for c, r in plan.roles.items()
                }
        for i, (code, kw) in enumerate(zip(leads, kws)):
            if i == 0:
                lead_stop = kw.get("stop")
            out = self.p.unit(plan, code, start, "lead", reply_due=due_date, **kw)
            drafts = [s.day for s in plan.steps if s.action == "draft" and s.unit == out.code]
            first_drafts += drafts[:1]
        for code in (c for c, r in units if r == "co"):
            self.p.unit(
                plan,
                code,
                start,
                "co",
                stop="pending" if lead_stop == "pending" else None,
                opinion_by=min(first_drafts) - timedelta(days=1) if first_drafts else None,
            )

    def complete_spec(self, simple=False, **fixed):
        def spec(i):
            if simple:
                return {"rounds": [{"result": "A", "rating": "satisfied"}]}
            kw = {
                "rounds": self.p.closed_rounds(),
                "accept": self.p.accept_mode(),
                "follow": self.p.follow_mode(),
            }
            kw.update(fixed if i == 0 else {})
            return kw

        return spec

    def mark_key(self, plan, after):
        leader = self.rng.choice(self.people.leaders)
        day = self.p.wd(after, self.p.r(3, 12))
        if day < self.today:
            self.p.add(plan, day, "mark_key", data={"supervisor": leader.username})

    # --- forward from a plenary session -----------------------------------------------------
    def plenary(
        self,
        sess,
        titles,
        name,
        decision="file",
        who=None,
        mode=None,
        spec=None,
        lead=None,
        key=False,
        not_filed=None,
    ):
        p = self.p

        def build(attempt):
            proposer, cosigners = who or self.pick_proposer()
            if not_filed:
                topic, content = self.not_filed_content(not_filed)
                plan = p.new_plan(name, proposer, topic, content=content)
            else:
                topic, title = titles.pick(lead=lead, with_cos=mode in ("co", "split"))
                plan = p.new_plan(name, proposer, topic, title, cosigners)
            submit = p.member_day(sess.start, sess.end)
            created = p.member_day(max(date(sess.year, 1, 2), submit - timedelta(days=20)), submit)
            ready, _ = p.front(plan, submit, created)
            review = p.staff_day(
                max(ready + timedelta(days=1), p.wd(sess.end, 1)), sess.end + timedelta(days=21)
            )
            if decision == "not_file":
                p.review(
                    plan,
                    review,
                    "not_file",
                    reason_code=not_filed[0],
                    disposition=not_filed[1],
                    comment=texts.NOT_FILED_COMMENTS[not_filed[0]],
                )
                return plan
            if decision == "withdraw":
                p.add(
                    plan,
                    p.member_day(ready + timedelta(days=1), review - timedelta(days=1)),
                    "withdraw",
                    member=True,
                    actor=proposer,
                    data={"reason": self.rng.choice(texts.WITHDRAW_REASONS)},
                )
                return plan
            if decision == "return":
                p.review(plan, review, "return", comment=self.rng.choice(texts.RETURN_COMMENTS))
                edit = p.member_day(review + timedelta(days=1), review + timedelta(days=6))
                p.add(
                    plan,
                    edit,
                    "edit",
                    member=True,
                    actor=proposer,
                    data=texts.revised(plan.content, p.limits),
                )
                resubmit = p.member_day(edit, edit + timedelta(days=3))
                p.add(plan, resubmit, "submit", member=True, actor=proposer)
                review = p.staff_day(resubmit + timedelta(days=1), resubmit + timedelta(days=12))
            p.review(plan, review, "file")
            start = sess.meeting if review < sess.meeting else p.wd(review, p.r(2, 6))
            units = self.unit_plan(plan.topic, mode)
            self.handle(plan, start, units, spec or self.complete_spec(simple=attempt > 60))
            if key:
                self.mark_key(plan, start)
            return plan

        return self.attempt(name, build)

    def not_filed_content(self, entry):
        reason, disposition, category, title, analysis, suggestions = entry
        topic = Topic(category, title, (title,), (), (), (), ())
        return topic, texts.fit(
            {
                "title": title,
                "category": category,
                "analysis": analysis,
                "suggestions": suggestions,
            },
            self.p.limits,
        )

    def merged(self, sess, titles, host, name):
        """Another member's proposal on the host's matter, merged into it (并案); the merged
        proposer rates the host's first reply too."""
        p = self.p

        def build(attempt):
            proposer, cosigners = self.pick_proposer(kind="individual")
            if proposer is host.proposer:
                raise Retry
            topic, title = titles.pick(topic=host.topic)
            plan = p.new_plan(name, proposer, topic, title, cosigners)
            submit = p.member_day(sess.start, sess.end)
            ready, _ = p.front(plan, submit)
            day = p.staff_day(
                max(ready, host.filed_day) + timedelta(days=1), sess.end + timedelta(days=28)
            )
            plan.merged_into = host
            p.review(plan, day, "merge", comment="与同类提案内容相近，并案办理。")
            return plan

        plan = self.attempt(name, build)
        delivered = [
            (code, out)
            for code, out in host.units.items()
            if any(r == 1 for r, _, _ in out.deliveries)
        ]
        if delivered and self.rng.random() < 0.7:
            code, out = delivered[0]
            first = next(d for r, d, _ in out.deliveries if r == 1)
            day = p.wd(first, p.r(1, 8))
            if day < self.today and day <= out.rating_due:
                rating = p.weighted(
                    [("satisfied", 6), ("basically_satisfied", 3), ("unsatisfied", 1)]
                )
                comment = self.rng.choice(texts.RATING_COMMENTS[rating])
                host.steps.append(
                    Step(
                        day,
                        "rate_merged",
                        member=True,
                        unit=code,
                        actor=plan.proposer,
                        data={"rating": rating, **({"comment": comment} if comment else {})},
                    )
                )
        return plan

    def session_year(self, sess, titles, counts):
        """A plenary session's proposals, all handled forward."""
        out = []
        forced = [  # variety that must be there whatever the dice say
            {
                "spec": self.complete_spec(
                    rounds=[
                        {"result": "B", "rating": "unsatisfied"},
                        {"result": "A", "rating": "satisfied"},
                    ],
                    follow="done",
                )
            },
            {
                "spec": self.complete_spec(
                    rounds=[
                        {"result": "C", "rating": "unsatisfied"},
                        {"result": "B", "rating": "unsatisfied"},
                    ],
                    follow="progress",
                )
            },
            {"spec": self.complete_spec(rounds=[{"result": "A", "rating": "unrated"}])},
            {
                "spec": self.complete_spec(
                    rounds=[{"result": "B", "rating": "satisfied", "ext": "approve"}], follow="done"
                )
            },
            {"mode": "split"},
            {"mode": "co"},
            {"spec": self.complete_spec(accept="reassign_approve")},
            {"spec": self.complete_spec(accept="auto")},
        ]
        for i in range(counts["filed"]):
            kw = forced[i] if i < len(forced) else {}
            out.append(self.plenary(sess, titles, "大会提案·办结", **kw))
        for i in range(counts.get("overdue", 0)):
            stop = {"stop": "handling", "rounds": [{}]}
            if i == 0:
                stop = {
                    "stop": "signoff_returned",
                    "rounds": [
                        {
                            "signoff_return": True,
                            "draft_day": self.p.staff_day(
                                self.today - timedelta(days=30), self.yesterday - timedelta(days=3)
                            ),
                        }
                    ],
                }
            elif i == 1:
                stop = {"stop": "handling", "rounds": [{"ext": "approve"}]}
            out.append(
                self.plenary(
                    sess,
                    titles,
                    "大会提案·逾期未答复",
                    spec=lambda _, s=stop: dict(s, accept="explicit"),
                )
            )
        for plan in self.rng.sample(out[: counts["filed"]], counts.get("key", 0)):
            start = next(s.day for s in plan.steps if s.action == "assign")
            self.mark_key(plan, start)
        for i in range(counts["not_filed"]):
            entry = NOT_FILED[i % len(NOT_FILED)]
            who = None
            if entry[0] == "democratic_party_internal":
                who = (self.rng.choice([o for o in self.people.orgs if o.org_type == "party"]), [])
            elif entry[0] in ("personal", "accusation"):
                who = self.pick_proposer(kind="individual")
            self.plenary(sess, titles, "不予立案", decision="not_file", who=who, not_filed=entry)
        hosts = [
            p
            for p in out[: counts["filed"]]
            if p.filed_day and p.filed_day <= sess.end + timedelta(days=14)
        ]
        for host in self.rng.sample(hosts, min(counts["merged"], len(hosts))):
            self.merged(sess, titles, host, "并案")
        for _ in range(counts["withdrawn"]):
            self.plenary(sess, titles, "撤案", decision="withdraw")
        for _ in range(counts["returned"]):
            self.plenary(
                sess,
                titles,
                "退回修改后立案",
                decision="return",
                who=self.pick_proposer(kind="individual"),
            )
        return out

    # --- interim proposals handled to the end -----------------------------------------------
    def interim_closed(self, sess, titles, n):
        p = self.p
        lo = sess.end + timedelta(days=20)
        hi = max(lo, self.today - timedelta(days=150))

        def build(attempt):
            proposer, cosigners = self.pick_proposer(
                answers=("accept",) * 8 + ("decline", "expire")
            )
            topic, title = titles.pick()
            plan = p.new_plan("平时提案·办结", proposer, topic, title, cosigners)
            ready, _ = p.front(plan, p.member_day(lo, hi))
            review = p.staff_day(ready + timedelta(days=1), ready + timedelta(days=15))
            p.review(plan, review, "file")
            start = p.wd(review, p.r(2, 8))
            self.handle(plan, start, self.unit_plan(topic), self.complete_spec(simple=attempt > 60))
            return plan

        for _ in range(n):
            self.attempt("平时提案·办结", build)

    def build(self, sessions, main_year):
        """Every plan: the previous year's session, the main year's, the proposals in flight."""
        titles = {}
        for sess in sessions:
            titles[sess.year] = Titles(self.rng)
            if sess.year > main_year:
                continue
            if sess.year < main_year:
                self.session_year(
                    sess,
                    titles[sess.year],
                    {"filed": 24, "not_filed": 3, "merged": 1, "withdrawn": 1, "returned": 1},
                )
                continue
            me = (self.people.showcase, [])
            self.plenary(
                sess,
                titles[sess.year],
                "大会提案·办结",
                who=me,
                spec=self.complete_spec(rounds=[{"result": "A", "rating": "satisfied"}]),
            )
            self.plenary(
                sess,
                titles[sess.year],
                "大会提案·重新办理后办结",
                who=me,
                spec=self.complete_spec(
                    rounds=[
                        {"result": "C", "rating": "unsatisfied"},
                        {"result": "A", "rating": "basically_satisfied"},
                    ]
                ),
            )
            self.session_year(
                sess,
                titles[sess.year],
                {
                    "filed": 138,
                    # a committee that works: by the time the session is shown in full, one
                    # plenary proposal is still late (and none from last year's session)
                    "overdue": 1 if sess.year == self.today.year else 0,
                    "key": 6,
                    "not_filed": 12,
                    "merged": 7,
                    "withdrawn": 3,
                    "returned": 3,
                },
            )
            self.interim_closed(sess, titles[sess.year], 18)
        self.in_flight(titles[max(titles)])
        return self.plans
