"""A Hypothesis state machine drives random sequences of API actions by random people (first
proposers, co-signers, strangers, the secretariat, clerks and heads of assigned and other units)
and checks after every step:

- no reply exists before its proposal was assigned (and every reply hangs off an assignment);
- only the first proposer's rating moves the workflow (other ratings are refused, or, for the
  proposer of a merged proposal, recorded without moving anything);
- nothing leaves a terminal state (proposal: not_filed, merged, withdrawn, closed; assignment:
  closed, reassigned; reply: returned, rated, unrated);
- a refused action (any 4xx answer) changes nothing in the database (a fingerprint of every
  table but the audit trail and the tokens);
- each proposal's history rows are exactly those of the actions that succeeded on it, in count
  and kind.
"""

from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from proposals.committee.calendar import local_date, utcnow
from proposals.extensions import db
from proposals.handling.models import Assignment, Rating, Reply
from proposals.workflow.core import loaded
from proposals.workflow.models import HistoryEntry, Proposal
from proposals.workflow.states import TERMINAL

from ..conftest import ApiClient, Factory, World, wipe

# random action sequences over the operations; test_api_flow and test_api_refusals run them on
# PostgreSQL: the SQLite pass only (conftest.py)
pytestmark = [pytest.mark.slow, pytest.mark.one_database]

PEOPLE = [
    "member",
    "member2",
    "member3",
    "org",
    "secretariat",
    "clerk_a",
    "head_a",
    "clerk_b",
    "head_b",
    "clerk_c",
]
# tables whose rows change on reads or refusals by design (audit trail, token use, sessions)
UNTRACKED = ("audit", "token", "login_session", "security_event")


def fingerprint():
    """Every row of every tracked table, as text."""
    out = []
    for table in db.metadata.sorted_tables:
        if any(word in table.name for word in UNTRACKED):
            continue
        rows = db.session.execute(select(table)).all()
        out.append((table.name, sorted(repr(tuple(r)) for r in rows)))
    return out


def history_kinds(proposal_id):
    return [
        h.action
        for h in db.session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.proposal_id == proposal_id)
            .order_by(HistoryEntry.id)
        )
    ]


def states():
    """(machine, id) → state for every record."""
    out = {}
    for machine, model in (("proposal", Proposal), ("assignment", Assignment), ("reply", Reply)):
        for row in db.session.scalars(select(model)):
            out[(machine, row.id)] = row.state
    return out


class Workflow(RuleBasedStateMachine):
    app = None  # set by the test
    reached = Counter()  # successful actions over the whole run
    runs = []  # (proposals, successes, refusals) of each example

    @initialize()
    def build_world(self):
        db.session.rollback()
        wipe()
        self.world = World(Factory())
        self.clients = {
            name: ApiClient(self.app.test_client(), getattr(self.world, name)) for name in PEOPLE
        }
        self.proposals = []  # ids, in creation order
        self.expected = Counter()  # proposal id → history rows the successes account for
        self.terminal = {}  # (machine, id) → the terminal state it reached
        self.today = local_date(utcnow())
        self.successes = self.refusals = 0
        # every run starts with two drafts (one with co-signers) and an organisation's
        self.create("member", ["member2", "member3"])
        self.create("member2", [])
        self.create("org", [])

    def teardown(self):
        if hasattr(self, "world"):
            Workflow.runs.append((len(self.proposals), self.successes, self.refusals))
        db.session.rollback()

    # ------------------------------------------------------------------ driving the API

    def call(self, who, method, path, body=None, *, proposal_id, expect):
        """Send the request; on success check the new history rows of the proposal against
        ``expect(before_states, after_states)`` (a list of kinds); on refusal that nothing
        changed."""
        before_print, before_states = fingerprint(), states()
        before_hist = {pid: len(history_kinds(pid)) for pid in self.proposals}
        resp = self.clients[who].call(method, path, json=body if body is not None else {})
        assert resp.status_code < 500, (who, method, path, body, resp.get_data(as_text=True))
        if resp.status_code >= 400:
            self.refusals += 1
            error = resp.get_json()["error"]
            assert error["code"] in (
                "validation_error",
                "forbidden",
                "not_found",
                "invalid_state",
                "conflict",
            ), error
            assert fingerprint() == before_print, f"refused {method} {path} by {who} changed data"
            return None
        self.successes += 1
        Workflow.reached[f"{method} {path.split('/')[1]}/{path.split('/')[-1]}"] += 1
        after_states = states()
        data = resp.get_json()
        if method == "POST" and path == "/proposals":
            proposal_id = data["id"]
            self.proposals.append(proposal_id)
            before_hist[proposal_id] = 0
        wanted = expect(before_states, after_states, data)
        if isinstance(wanted, list):
            wanted = {proposal_id: wanted}
        for pid in self.proposals:
            new = history_kinds(pid)[before_hist[pid] :]
            assert Counter(new) == Counter(wanted.get(pid, [])), (
                f"{method} {path} by {who}: history of proposal {pid} got {new}, "
                f"expected {wanted.get(pid, [])}"
            )
            self.expected[pid] += len(new)
        return data

    def proposal(self, index):
        return db.session.get(Proposal, self.proposals[index % len(self.proposals)])

    # ------------------------------------------------------------------ proposals

    @rule(
        who=st.sampled_from(["member", "member2", "org", "member3", "clerk_a"]),
        cosigners=st.sampled_from([[], ["member2"], ["member2", "member3"], ["member3"]]),
    )
    def create(self, who, cosigners):
        body = self.world.content()
        if cosigners:
            body["cosigners"] = [getattr(self.world, c).username for c in cosigners]
        self.call(
            who, "POST", "/proposals", body, proposal_id=None, expect=lambda b, a, d: ["create"]
        )

    @rule(
        i=st.integers(0, 50),
        who=st.sampled_from(PEOPLE),
        action=st.sampled_from(["edit", "submit", "cosign_yes", "cosign_no", "withdraw"]),
    )
    def proposer_action(self, i, who, action):
        if not self.proposals:
            return
        p = self.proposal(i)
        path = f"/proposals/{p.id}"
        if action == "edit":
            # a run of edits by the same person is one history entry (the form saves as typed)
            last = db.session.scalars(
                select(HistoryEntry)
                .where(HistoryEntry.proposal_id == p.id)
                .order_by(HistoryEntry.id.desc())
                .limit(1)
            ).first()
            run_goes_on = last is not None and last.action == "edit"
            run_goes_on = run_goes_on and last.actor_id == getattr(self.world, who).id
            self.call(
                who,
                "PATCH",
                path,
                {"title": "修改后的案由"},
                proposal_id=p.id,
                expect=lambda b, a, d: [] if run_goes_on else ["edit"],
            )
        elif action == "submit":
            self.call(
                who, "POST", path + "/submit", proposal_id=p.id, expect=lambda b, a, d: ["submit"]
            )
        elif action.startswith("cosign"):
            accept = action == "cosign_yes"
            self.call(
                who,
                "POST",
                path + "/cosign",
                {"accept": accept},
                proposal_id=p.id,
                expect=lambda b, a, d: ["cosign_accept" if accept else "cosign_decline"],
            )
        else:
            self.call(
                who,
                "POST",
                path + "/withdraw",
                {"reason": "不再提出"},
                proposal_id=p.id,
                expect=lambda b, a, d: ["withdraw"],
            )

    @rule(
        i=st.integers(0, 50),
        j=st.integers(0, 50),
        who=st.sampled_from(["secretariat", "secretariat", "member", "clerk_a"]),
        decision=st.sampled_from(["file", "file", "not_file", "merge", "return"]),
    )
    def review(self, i, j, who, decision):
        if not self.proposals:
            return
        p, host = self.proposal(i), self.proposal(j)
        body = {
            "decision": decision,
            "file": {},
            "not_file": {"reason_code": "no_suggestion", "disposition": "letter"},
            "merge": {"merge_into": host.id},
            "return": {"comment": "请补充具体建议"},
        }[decision]
        body["decision"] = decision
        host_id = host.id
        expect = (
            (lambda b, a, d: {p.id: ["merge"], host_id: ["absorb"]})
            if decision == "merge"
            else (lambda b, a, d: [decision])
        )
        self.call(who, "POST", f"/proposals/{p.id}/review", body, proposal_id=p.id, expect=expect)

    @rule(
        i=st.integers(0, 50),
        who=st.sampled_from(["secretariat", "secretariat", "head_a"]),
        plan=st.sampled_from(
            [
                (("ZJJ", "lead"),),
                (("ZJJ", "lead"), ("CZJ", "co")),
                (("ZJJ", "lead"), ("CZJ", "lead")),
            ]
        ),
    )
    def assign(self, i, who, plan):
        if not self.proposals:
            return
        p = self.proposal(i)
        self.call(
            who,
            "POST",
            f"/proposals/{p.id}/assign",
            {"departments": [{"code": c, "role": r} for c, r in plan]},
            proposal_id=p.id,
            expect=lambda b, a, d: ["assign"] + ["assign_unit"] * len(plan),
        )

    @rule(i=st.integers(0, 50), who=st.sampled_from(["secretariat", "member"]), key=st.booleans())
    def mark_key(self, i, who, key):
        if not self.proposals:
            return
        p = self.proposal(i)
        self.call(
            who,
            "POST",
            f"/proposals/{p.id}/key",
            {"key": key, "supervisor": "sec"},
            proposal_id=p.id,
            expect=lambda b, a, d: ["mark_key" if key else "unmark_key"],
        )

    # ------------------------------------------------------------------ units

    def assignment(self, i, k):
        p = self.proposal(i)
        if not loaded(p, "assignments").assignments:
            return p, None
        units = loaded(p, "assignments").assignments
        return p, units[k % len(units)]

    @rule(
        i=st.integers(0, 50),
        k=st.integers(0, 3),
        who=st.sampled_from(["clerk_a", "head_a", "clerk_b", "clerk_c", "secretariat", "member"]),
        action=st.sampled_from(
            [
                "accept",
                "accept",
                "contacts",
                "contacts",
                "opinion",
                "reply_A",
                "reply_B",
                "reassignment-request",
                "extension-request",
                "follow-up",
            ]
        ),
    )
    def unit_action(self, i, k, who, action):
        if not self.proposals:
            return
        p, a = self.assignment(i, k)
        if a is None:
            return
        path, aid = f"/assignments/{a.id}/", a.id
        today = self.today.isoformat()
        body, kinds = {
            "accept": ({}, ["accept"]),
            "contacts": (
                {"mode": "phone", "date": today, "summary": "电话沟通办理思路"},
                ["record_contact"],
            ),
            "opinion": ({"text": "会办意见：同意主办单位意见"}, ["submit_opinion"]),
            "reply_A": (
                {
                    "result": "A",
                    "text": "答复正文",
                    "signer": "局长 王某",
                    "contact": "赵某 0571-88888888",
                },
                ["draft_reply"],
            ),
            "reply_B": (
                {
                    "result": "B",
                    "text": "答复正文",
                    "signer": "局长 王某",
                    "contact": "赵某 0571-88888888",
                    "promised_date": (self.today + timedelta(days=60)).isoformat(),
                },
                ["draft_reply"],
            ),
            "reassignment-request": ({"reason": "不属于本单位职责"}, ["request_reassignment"]),
            "extension-request": (
                {"until": (a.effective_due + timedelta(days=20)).isoformat(), "reason": "需要调研"},
                ["request_extension"],
            ),
            "follow-up": ({"text": "已完成", "done": True}, ["follow_up"]),
        }[action]
        endpoint = action.split("_")[0]
        self.call(
            who,
            "POST",
            path + endpoint,
            body,
            proposal_id=p.id,
            expect=lambda b, after, d: (
                kinds
                + [
                    "close"
                    for key, s in after.items()
                    if key[0] == "assignment"
                    and key[1] == aid
                    and s == "closed"
                    and b.get(key) != "closed"
                    and action != "opinion"
                ]
            ),
        )

    @rule(
        i=st.integers(0, 50),
        k=st.integers(0, 3),
        who=st.sampled_from(["secretariat", "clerk_a"]),
        approve=st.booleans(),
        kind=st.sampled_from(["reassignment", "extension"]),
    )
    def secretariat_decision(self, i, k, who, approve, kind):
        if not self.proposals:
            return
        p, a = self.assignment(i, k)
        if a is None:
            return
        body = {"approve": approve, "department": "JYJ", "comment": "意见"}
        if kind == "reassignment":
            kinds = ["approve_reassignment", "assign_unit"] if approve else ["refuse_reassignment"]
        else:
            kinds = ["approve_extension" if approve else "refuse_extension"]
        self.call(
            who,
            "POST",
            f"/assignments/{a.id}/{kind}-decision",
            body,
            proposal_id=p.id,
            expect=lambda b, after, d: kinds,
        )

    # ------------------------------------------------------------------ replies

    def reply(self, i, k):
        p = self.proposal(i)
        replies = [
            r for a in loaded(p, "assignments").assignments for r in loaded(a, "replies").replies
        ]
        return p, (replies[k % len(replies)] if replies else None)

    @rule(
        i=st.integers(0, 50),
        k=st.integers(0, 3),
        who=st.sampled_from(["head_a", "head_b", "clerk_a", "secretariat"]),
        approve=st.booleans(),
    )
    def signoff(self, i, k, who, approve):
        if not self.proposals:
            return
        p, r = self.reply(i, k)
        if r is None:
            return
        self.call(
            who,
            "POST",
            f"/replies/{r.id}/signoff",
            {"approve": approve, "comment": "请修改"},
            proposal_id=p.id,
            expect=lambda b, a, d: ["signoff" if approve else "signoff_return"],
        )

    @rule(
        i=st.integers(0, 50),
        k=st.integers(0, 3),
        who=st.sampled_from(["secretariat", "secretariat", "head_a"]),
        approve=st.booleans(),
    )
    def review_reply(self, i, k, who, approve):
        if not self.proposals:
            return
        p, r = self.reply(i, k)
        if r is None:
            return
        self.call(
            who,
            "POST",
            f"/replies/{r.id}/review",
            {"approve": approve, "comment": "请补充"},
            proposal_id=p.id,
            expect=lambda b, a, d: (
                ["review_reply", "deliver_reply"] if approve else ["review_return"]
            ),
        )

    @rule(
        i=st.integers(0, 50),
        k=st.integers(0, 3),
        who=st.sampled_from(
            ["member", "member", "member2", "member3", "org", "clerk_a", "secretariat"]
        ),
        rating=st.sampled_from(["satisfied", "basically_satisfied", "unsatisfied"]),
    )
    def rate(self, i, k, who, rating):
        if not self.proposals:
            return
        p, r = self.reply(i, k)
        if r is None:
            return
        first = p.proposer.username == getattr(self.world, who).username
        rid, aid, pid = r.id, r.assignment_id, p.id

        def expect(before, after, data):
            if not first:  # a merged proposal's proposer: recorded, nothing moves
                assert {k: v for k, v in after.items() if k in before} == before
                return ["rate_merged"]
            kinds = ["rate"]
            if after[("assignment", aid)] == "rehandling":
                kinds.append("rehandle")
            kinds += [
                "close"
                for key, s in after.items()
                if key[0] in ("assignment", "proposal")
                and key != ("assignment", aid)
                and s == "closed"
                and before.get(key) != "closed"
            ]
            return kinds

        data = self.call(
            who,
            "POST",
            f"/replies/{rid}/rating",
            {"rating": rating, "comment": "意见"},
            proposal_id=pid,
            expect=expect,
        )
        if data is not None and not first:
            assert any(
                m.proposer.username == getattr(self.world, who).username
                for m in loaded(db.session.get(Proposal, pid), "merged").merged
            )

    # ------------------------------------------------------------------ the likely next step

    STAFF = {"ZJJ": ("clerk_a", "head_a"), "CZJ": ("clerk_b", "head_b"), "JYJ": ("clerk_c", None)}

    @rule(i=st.integers(0, 50), choices=st.lists(st.integers(0, 5), min_size=1, max_size=8))
    def advance_several(self, i, choices):
        """Several awaited steps in a row on one proposal (each its own checked request)."""
        for choice in choices:
            self.advance(i, choice)

    @rule(i=st.integers(0, 50), choice=st.integers(0, 5))
    def advance(self, i, choice):
        """The action the workflow awaits, by the right person (random rules alone rarely get
        far): random sequences then reach replies, ratings, re-handling and closing."""
        if not self.proposals:
            return
        p = self.proposal(i)
        i = self.proposals.index(p.id)
        first = next(n for n in PEOPLE if getattr(self.world, n).id == p.proposer_id)
        if p.state == "draft":
            return self.proposer_action(i, first, "submit")
        if p.state == "awaiting_cosigners":
            c = next(c for c in loaded(p, "cosigners").cosigners if c.state == "invited")
            who = next(n for n in PEOPLE if getattr(self.world, n).id == c.user_id)
            return self.proposer_action(i, who, "cosign_yes" if choice else "cosign_no")
        if p.state == "submitted":
            return self.review(i, 0, "secretariat", "file")
        if p.state == "filed":
            plans = [
                (("ZJJ", "lead"),),
                (("ZJJ", "lead"), ("CZJ", "co")),
                (("ZJJ", "lead"), ("CZJ", "lead")),
            ]
            return self.assign(i, "secretariat", plans[choice % 3])
        if p.state != "assigned":
            return
        for k, a in enumerate(loaded(p, "assignments").assignments):
            clerk, head = self.STAFF[a.department.code]
            if a.state == "pending":
                if choice == 5:
                    return self.unit_action(i, k, clerk, "reassignment-request")
                return self.unit_action(i, k, clerk, "accept")
            if a.state == "reassignment_requested":
                return self.secretariat_decision(
                    i, k, "secretariat", choice % 2 == 0, "reassignment"
                )
            if a.state in ("handling", "rehandling"):
                if a.role == "co":
                    return self.unit_action(i, k, clerk, "opinion")
                if not loaded(a, "contacts").contacts:
                    return self.unit_action(i, k, clerk, "contacts")
                live = [
                    r
                    for r in loaded(a, "replies").replies
                    if r.round == a.round and r.state in ("awaiting_signoff", "awaiting_review")
                ]
                if not live:
                    return self.unit_action(i, k, clerk, "reply_B" if choice == 1 else "reply_A")
                j = loaded(a.proposal, "assignments").assignments.index(a)
                replies = [
                    r
                    for x in loaded(p, "assignments").assignments
                    for r in loaded(x, "replies").replies
                ]
                kr = replies.index(live[0])
                if live[0].state == "awaiting_signoff" and head:
                    return self.signoff(i, kr, head, choice != 4)
                if live[0].state == "awaiting_review":
                    return self.review_reply(i, kr, "secretariat", choice != 3)
                del j
            if a.state == "replied":
                replies = [
                    r
                    for x in loaded(p, "assignments").assignments
                    for r in loaded(x, "replies").replies
                ]
                r = next(r for r in loaded(a, "replies").replies if r.state == "delivered")
                rating = ["satisfied", "basically_satisfied", "unsatisfied"][choice % 3]
                return self.rate(i, replies.index(r), first, rating)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def no_reply_before_assignment(self):
        if not hasattr(self, "world"):
            return
        for reply in db.session.scalars(
            select(Reply).options(
                joinedload(Reply.assignment)
                .joinedload(Assignment.proposal)
                .selectinload(Proposal.history)
            )
        ).unique():
            assignment = reply.assignment
            assert assignment.proposal.state in ("assigned", "closed")
            assert assignment.role != "co"
            kinds = [(h.id, h.action) for h in assignment.proposal.history]
            assigned = min(i for i, k in kinds if k == "assign")
            drafted = min(
                h.id
                for h in assignment.proposal.history
                if h.action == "draft_reply" and h.reply_id == reply.id
            )
            assert assigned < drafted

    @invariant()
    def only_first_proposer_rates_primarily(self):
        if not hasattr(self, "world"):
            return
        for rating in db.session.scalars(
            select(Rating).options(
                joinedload(Rating.reply)
                .joinedload(Reply.assignment)
                .joinedload(Assignment.proposal)
            )
        ):
            proposal = rating.reply.assignment.proposal
            if rating.is_primary:
                assert rating.rater_id == proposal.proposer_id
            else:
                assert rating.rater_id in {m.proposer_id for m in loaded(proposal, "merged").merged}

    @invariant()
    def terminal_states_stay(self):
        if not hasattr(self, "world"):
            return
        for key, state in states().items():
            if key in self.terminal:
                assert state == self.terminal[key], f"{key} left {self.terminal[key]}"
            elif state in TERMINAL[key[0]]:
                self.terminal[key] = state

    @invariant()
    def history_matches_successes(self):
        if not hasattr(self, "world"):
            return
        for pid in self.proposals:
            assert len(history_kinds(pid)) == self.expected[pid]


def test_random_action_sequences_keep_the_invariants(app, ctx):
    Workflow.app = app
    Workflow.TestCase.settings = settings(
        max_examples=20,
        stateful_step_count=15,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    Workflow.reached.clear()
    Workflow.runs.clear()
    Workflow.TestCase().runTest()
    reached = Workflow.reached
    print("\nsuccessful actions:", dict(sorted(reached.items())))
    print("examples (proposals, successes, refusals):", Workflow.runs)
    # the runs went deep: replies were signed off, delivered, rated, proposals closed
    for action in (
        "POST proposals/review",
        "POST proposals/assign",
        "POST assignments/accept",
        "POST assignments/reply",
        "POST replies/signoff",
        "POST replies/review",
        "POST replies/rating",
    ):
        assert reached[action] > 0, action
