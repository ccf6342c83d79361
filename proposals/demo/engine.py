"""Runs the plans through the operations in time order.

Each plan is a generator that yields the moment of its next action; a heap interleaves all
of them, the daily deadline sweep and the turn of the year (when the new session becomes
current), so that receipt serials, proposal numbers and history follow the clock. Nothing is
run after ``limit`` (now)."""

import heapq
from datetime import UTC, datetime, time, timedelta
from itertools import count

from ..committee.calendar import LOCAL_TZ, local_date
from ..errors import DomainError
from ..extensions import db
from ..handling import operations as hops
from ..handling.models import Assignment
from ..handling.operations import expire_ratings, settle_acceptances
from ..workflow import operations as ops
from ..workflow.core import loaded
from ..workflow.operations import expire_invitations
from .people import make_current


class DemoError(RuntimeError):
    pass


def local_moment(day, hour, minute=0, second=0):
    return datetime.combine(day, time(hour, minute, second), LOCAL_TZ).astimezone(UTC)


class Engine:
    def __init__(self, limit, on_tick=None):
        self.heap, self.seq, self.limit, self.on_tick = [], count(), limit, on_tick
        self.clock = None
        self.dropped = 0

    def start(self, generator):
        try:
            moment = next(generator)
        except StopIteration:
            return
        heapq.heappush(self.heap, (moment, next(self.seq), generator))

    def run(self):
        while self.heap:
            moment, _, generator = heapq.heappop(self.heap)
            if moment > self.limit:
                self.dropped += 1
                continue
            if self.on_tick:
                self.on_tick(moment)
            self.clock = moment
            try:
                following = generator.send(moment)
            except StopIteration:
                continue
            if following < moment:
                raise DemoError(f"演示日程倒退：{following} < {moment}")
            heapq.heappush(self.heap, (following, next(self.seq), generator))


class Runner:
    """The actions of the plans, done by the people they name."""

    def __init__(self, people, rng):
        self.people, self.rng = people, rng

    def moment(self, step, previous):
        """A time on the step's day: office hours for staff, into the evening for members,
        always after the plan's previous action."""
        if previous is not None and local_date(previous) == step.day:
            later = previous + timedelta(minutes=self.rng.randint(3, 50))
            end = local_moment(step.day, 23, 59, 59)
            return later if later < end else previous + timedelta(seconds=1)
        if step.member:
            minutes = self.rng.randint(8 * 60, 22 * 60)
        else:
            minutes = self.rng.randint(8 * 60 + 30, 17 * 60 + 30)
        return local_moment(step.day, minutes // 60, minutes % 60, self.rng.randint(0, 59))

    def script(self, plan):
        assignments, replies = {}, {}
        moment = None
        for number, step in enumerate(sorted(plan.steps, key=lambda s: s.day), start=1):
            moment = yield self.moment(step, moment)
            try:
                self.execute(plan, step, moment, assignments, replies)
            except DomainError as exc:
                raise DemoError(
                    f"演示场景“{plan.scenario}”（{plan.content['title']}）第 {number} "
                    f"步 {step.action}（{step.day}）失败：{exc.message} "
                    f"{exc.fields or ''}"
                ) from exc

    def secretariat(self):
        return self.people.secretariat[0 if self.rng.random() < 0.8 else 1]

    def execute(self, plan, step, now, assignments, replies):
        action, data, actor, proposal = step.action, step.data, step.actor, plan.proposal
        if action == "create":
            plan.proposal = ops.create_proposal(actor, plan.content, now=now)
        elif action == "edit":
            ops.edit_proposal(actor, proposal, data, now=now)
        elif action == "submit":
            ops.submit_proposal(actor, proposal, now=now)
        elif action == "cosign":
            ops.respond_to_invitation(actor, proposal, data["accept"], now=now)
        elif action == "withdraw":
            ops.withdraw_proposal(actor, proposal, data["reason"], now=now)
        elif action == "review":
            data = dict(data)
            if data["decision"] == "merge":
                data["merge_into"] = plan.merged_into.proposal.id
            ops.review_proposal(self.secretariat(), proposal, data, now=now)
        elif action == "assign":
            ops.assign_proposal(
                self.secretariat(), proposal, data["departments"], data.get("due_date"), now=now
            )
            assignments.update(
                {a.department.code: a for a in loaded(proposal, "assignments").assignments}
            )
        elif action == "mark_key":
            ops.mark_key(self.secretariat(), proposal, True, data["supervisor"], now=now)
        elif action == "consultation":
            ops.record_consultation(self.secretariat(), proposal, data["note"], now=now)
        else:
            self.unit_action(step, now, assignments, replies)

    def unit_action(self, step, now, assignments, replies):
        action, data, code = step.action, step.data, step.unit
        unit = self.people.units[code]
        assignment = assignments[code]
        reply = replies.get((code, step.round))
        if action == "accept":
            hops.accept_assignment(unit.clerk, assignment, now=now)
        elif action == "request_reassignment":
            hops.request_reassignment(unit.clerk, assignment, data["reason"], now=now)
        elif action == "decide_reassignment":
            hops.decide_reassignment(self.secretariat(), assignment, data, now=now)
            if data["approve"]:
                assignments[data["department"]] = db.session.get(
                    Assignment, assignment.reassigned_to_id
                )
        elif action == "contact":
            hops.record_contact(unit.clerk, assignment, data, now=now)
        elif action == "opinion":
            hops.submit_opinion(unit.clerk, assignment, data["text"], now=now)
        elif action == "request_extension":
            hops.request_extension(unit.clerk, assignment, data, now=now)
        elif action == "decide_extension":
            hops.decide_extension(self.secretariat(), assignment, data, now=now)
        elif action == "draft":
            replies[(code, step.round)] = hops.draft_reply(unit.clerk, assignment, data, now=now)
        elif action == "signoff":
            hops.signoff_reply(unit.head, reply, data, now=now)
        elif action == "review_reply":
            hops.review_reply(self.secretariat(), reply, data, now=now)
        elif action in ("rate", "rate_merged"):
            hops.rate_reply(step.actor, reply, data, now=now)
        elif action == "follow_up":
            hops.follow_up(unit.clerk, assignment, data, now=now)
        else:
            raise DemoError(f"未知的演示步骤：{action}")


def sweeps(first_day, last_day):
    """The deadline steps of the periodic sweep (reminders/sweep.py), once a day at 01:00:
    the records whose deadline passed move on. Not its reminders: a replayed year would only
    leave thousands of stale notifications (and e-mails); the real sweep starts from today.
    No commit here: the engine commits in batches."""
    day = first_day
    while day <= last_day:
        now = yield local_moment(day, 1)
        expire_invitations(now=now)
        settle_acceptances(now=now)
        expire_ratings(now=now)
        day += timedelta(days=1)


def new_years(sessions):
    """Each year's session becomes current on 1 January."""
    for year in sorted(sessions)[1:]:
        yield local_moment(datetime(year, 1, 1).date(), 0, 0, 30)
        make_current(sessions[year])
