"""The proposals still in flight today, drawn backward from today: drafts, open invitations,
proposals awaiting review or assignment, and assignments at every stage of handling, overdue
ones included. A mixin of the Catalogue (scenarios.py)."""

from datetime import timedelta

from ..committee.calendar import add_months
from . import texts
from .people import SHOWCASE_UNIT
from .plans import Retry


class InFlight:
    def recent(
        self,
        name,
        titles,
        decision=None,
        who=None,
        lead=None,
        mode="sole",
        spec=None,
        start=None,
        key=False,
        due_months=None,
        answers=None,
        submit_back=(5, 30),
    ):
        """A proposal drawn backward from today. ``start`` (a function) gives the assignment
        day; ``decision`` stops it before assignment."""
        p, today = self.p, self.today

        def build(attempt):
            proposer, cosigners = who or self.pick_proposer()
            if answers is not None and not cosigners:
                cosigners = [
                    (u, a)
                    for u, a in zip(
                        self.rng.sample(
                            [m for m in self.people.members if m is not proposer], len(answers)
                        ),
                        answers,
                    )
                ]
            topic, title = titles.pick(lead=lead, with_cos=mode in ("co", "split"))
            plan = p.new_plan(name, proposer, topic, title, cosigners)
            if decision == "draft":
                p.add(
                    plan,
                    p.member_day(today - timedelta(days=25), self.yesterday),
                    "create",
                    member=True,
                    actor=proposer,
                )
                return plan
            if decision == "awaiting_cosigners":
                submit = p.member_day(today - timedelta(days=3), self.yesterday)
                ready, expires = p.front(plan, submit)
                if expires < today:
                    raise Retry
                return plan
            assign_day = start() if start else None
            if assign_day is not None:
                submit = assign_day - timedelta(days=p.r(14, 40))
            else:
                submit = today - timedelta(days=p.r(*submit_back))
            ready, expires = p.front(plan, submit)
            if ready >= today:
                raise Retry
            if decision == "submitted":
                return plan
            if decision == "withdraw":
                p.add(
                    plan,
                    p.member_day(ready + timedelta(days=1), self.yesterday),
                    "withdraw",
                    member=True,
                    actor=proposer,
                    data={"reason": self.rng.choice(texts.WITHDRAW_REASONS)},
                )
                return plan
            review = p.staff_day(ready + timedelta(days=1), ready + timedelta(days=12))
            if decision == "return":
                p.review(plan, review, "return", comment=self.rng.choice(texts.RETURN_COMMENTS))
                if self.rng.random() < 0.5:
                    p.add(
                        plan,
                        p.member_day(review + timedelta(days=1), self.yesterday),
                        "edit",
                        member=True,
                        actor=proposer,
                        optional=True,
                        data=texts.revised(plan.content, p.limits),
                    )
                return plan
            p.review(plan, review, "file")
            if decision == "filed":
                return plan
            if assign_day <= review:
                raise Retry
            due = None
            if due_months:
                due = add_months(assign_day, due_months)
            self.handle(plan, assign_day, self.unit_plan(topic, mode), spec, due_date=due)
            if key:
                self.mark_key(plan, assign_day)
            return plan

        return self.attempt(name, build)

    def in_flight(self, titles):
        p, today, rng = self.p, self.today, self.rng
        reply_days = self.p.conf["reply_due_months"] * 30
        showcase = self.people.showcase
        me = (showcase, [])

        def back(lo, hi):
            """Assigned lo..hi working days ago."""
            return lambda: p.back_wd(today, p.r(lo, hi))

        def days(lo, hi):
            """Assigned lo..hi days ago."""
            return lambda: p.workday(today - timedelta(days=p.r(lo, hi)))

        def stop(kind, **kw):
            return lambda i: (
                dict({"stop": kind, "accept": "explicit"}, **kw)
                if i == 0
                else {"stop": "pending" if kind == "pending" else "handling"}
            )

        def draft_at(lo, hi, kind, **round_kw):
            """A reply drafted lo..hi working days ago, on an assignment of 1–2.5 months."""
            holder = {}

            def start():
                holder["draft"] = p.back_wd(today, p.r(lo, hi))
                return p.workday(holder["draft"] - timedelta(days=p.r(30, 75)))

            def spec(i):
                if i:
                    return {"stop": "handling"}
                return {
                    "stop": kind,
                    "accept": "explicit",
                    "rounds": [dict({"draft_day": holder["draft"]}, **round_kw)],
                }

            return start, spec

        # before assignment
        self.recent("草稿", titles, "draft", who=me)
        for _ in range(5):
            self.recent("草稿", titles, "draft")
        for _ in range(2):
            self.recent("退回修改", titles, "return", who=self.pick_proposer("individual"))
        self.recent(
            "待联名确认",
            titles,
            "awaiting_cosigners",
            who=me,
            answers=("accept", "pending", "pending"),
        )
        friend = self.people.members[5]
        inviter = rng.choice([m for m in self.people.members if m not in (showcase, friend)])
        self.recent(
            "待联名确认",
            titles,
            "awaiting_cosigners",
            who=(inviter, [(showcase, "pending"), (friend, "accept")]),
        )
        for _ in range(3):
            self.recent(
                "待联名确认",
                titles,
                "awaiting_cosigners",
                who=self.pick_proposer("individual"),
                answers=("pending", "accept"),
            )
        self.recent("待审查", titles, "submitted", who=me, submit_back=(2, 12))
        for kind in ("joint", "joint", "collective", "individual", "individual", None):
            self.recent(
                "待审查", titles, "submitted", who=self.pick_proposer(kind), submit_back=(2, 14)
            )
        self.recent(
            "待审查·联名邀请过期",
            titles,
            "submitted",
            who=self.pick_proposer("individual"),
            answers=("accept", "expire"),
            submit_back=(12, 25),
        )
        for _ in range(5):
            self.recent("已立案待交办", titles, "filed", submit_back=(6, 20))
        self.recent("撤案", titles, "withdraw", submit_back=(10, 60))
        self.recent(
            "撤案·联名中",
            titles,
            "withdraw",
            who=self.pick_proposer("individual"),
            answers=("pending", "pending"),
            submit_back=(2, 3),
        )

        # assigned, every stage of handling
        recent = back(1, 3)
        self.recent("待签收", titles, lead=SHOWCASE_UNIT, start=recent, spec=stop("pending"))
        for mode in ("sole", "sole", "split", "co"):
            self.recent("待签收", titles, mode=mode, start=recent, spec=stop("pending"))
        for _ in range(2):
            self.recent(
                "申请调整",
                titles,
                start=back(2, 4),
                spec=stop("reassign_pending", accept="reassign_request"),
            )
        for _ in range(2):
            self.recent(
                "已调整承办单位",
                titles,
                start=days(12, 40),
                spec=stop("handling", accept="reassign_approve"),
            )
        self.recent(
            "调整申请未获同意",
            titles,
            start=days(15, 50),
            spec=stop("handling", accept="reassign_refuse"),
        )
        handling = days(12, reply_days - 20)
        self.recent("办理中", titles, lead=SHOWCASE_UNIT, start=handling, spec=stop("handling"))
        for mode in ("sole", "sole", "sole", "co", "split", "sole"):
            self.recent("办理中", titles, mode=mode, start=handling, spec=stop("handling"))
        self.recent("办理中·限期", titles, start=days(10, 40), spec=stop("handling"), due_months=2)
        overdue = days(reply_days + 5, reply_days + 75)
        self.recent("逾期未答复", titles, lead=SHOWCASE_UNIT, start=overdue, spec=stop("handling"))
        self.recent("逾期未答复·重点", titles, start=overdue, spec=stop("handling"), key=True)
        # refused a few days before the deadline, which is still ahead
        self.recent(
            "延期未获同意",
            titles,
            start=days(reply_days - 18, reply_days - 8),
            spec=stop("handling", rounds=[{"ext": "refuse"}]),
        )
        for _ in range(3):
            self.recent(
                "延期办理中",
                titles,
                start=days(reply_days - 12, reply_days + 25),
                spec=stop("handling", rounds=[{"ext": "approve"}]),
            )
        self.recent(
            "延期待审批",
            titles,
            start=days(reply_days - 15, reply_days - 6),
            spec=stop("ext_pending", rounds=[{"ext": "pending", "ext_day": p.back_wd(today, 1)}]),
        )
        start, spec = draft_at(1, 4, "awaiting_signoff")
        self.recent("答复待签发", titles, lead=SHOWCASE_UNIT, start=start, spec=spec)
        for mode in ("sole", "sole", "co"):
            start, spec = draft_at(1, 4, "awaiting_signoff")
            self.recent("答复待签发", titles, mode=mode, start=start, spec=spec)
        for _ in range(3):
            start, spec = draft_at(3, 7, "awaiting_review")
            self.recent("答复待审核", titles, start=start, spec=spec)
        start, spec = draft_at(8, 12, "redrafted", review_return=True)
        self.recent("答复退回后重报", titles, start=start, spec=spec)
        start, spec = draft_at(7, 12, "delivered", result="B")
        self.recent("已答复待测评", titles, who=me, lead=SHOWCASE_UNIT, start=start, spec=spec)
        for mode in ("sole", "sole", "co", "sole", "sole"):
            start, spec = draft_at(6, 13, "delivered")
            self.recent("已答复待测评", titles, mode=mode, start=start, spec=spec)
        for i in range(4):
            rounds = [{"rating": "unsatisfied"}, {}]
            kind = "handling"
            if i == 3:
                rounds[1] = {"draft_day": p.back_wd(today, p.r(1, 3))}
                kind = "awaiting_signoff"
            self.recent(
                "重新办理",
                titles,
                who=me if i == 0 else None,
                start=days(100, 140),  # the second round's deadline is still ahead
                spec=stop(kind, rounds=rounds),
            )
        for _ in range(2):

            def split_spec(i):
                if i == 0:
                    return {
                        "accept": "explicit",
                        "rounds": [{"result": "A", "rating": "satisfied"}],
                    }
                return {"stop": "handling", "accept": "explicit"}

            self.recent("分办·部分办结", titles, mode="split", start=days(45, 80), spec=split_spec)
