"""The workflow as data: states, actions, who may take them and where they lead.

Pure Python (no Flask, no database) so that the rules can be read and tested on their own.
Operations call :func:`transition` before they change anything; a refusal raises and nothing
has been touched.
"""

from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"  # 委员 or organisation account (集体提案者)
    SECRETARIAT = "secretariat"  # 提案委员会办公室
    CLERK = "clerk"  # 承办单位经办人
    DEPARTMENT_HEAD = "department_head"  # 承办单位负责人
    OFFICE = "office"  # 督查室 of the Party committee's or the government's general office
    ADMIN = "admin"
    SYSTEM = "system"  # deadlines passing, sweeps


UNIT_ROLES = frozenset({Role.CLERK, Role.DEPARTMENT_HEAD})


class ProposalState(StrEnum):
    DRAFT = "draft"
    AWAITING_COSIGNERS = "awaiting_cosigners"
    SUBMITTED = "submitted"
    PRE_REVIEWED = "pre_reviewed"  # 初审 done, waiting for 审定 (staged review)
    FILED = "filed"  # 立案
    NOT_FILED = "not_filed"  # 不予立案
    MERGED = "merged"  # 并案
    WITHDRAWN = "withdrawn"  # 撤案
    ASSIGNED = "assigned"  # 交办
    CLOSED = "closed"  # 办结


class AssignmentState(StrEnum):
    PROPOSED = "proposed"  # joint assignment: waiting for the supervising office to confirm
    NOT_CONFIRMED = "not_confirmed"  # the office refused the secretariat's proposal
    PENDING = "pending"
    REASSIGNMENT_REQUESTED = "reassignment_requested"
    HANDLING = "handling"
    REPLIED = "replied"
    REHANDLING = "rehandling"  # 重新办理
    CLOSED = "closed"
    REASSIGNED = "reassigned"


class ReplyState(StrEnum):
    AWAITING_SIGNOFF = "awaiting_signoff"  # 待签发
    AWAITING_OFFICE_REVIEW = "awaiting_office_review"  # 待督查室审核
    AWAITING_REVIEW = "awaiting_review"  # 待审核
    RETURNED = "returned"
    DELIVERED = "delivered"
    RATED = "rated"
    UNRATED = "unrated"


class CosignerState(StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class InvalidTransition(Exception):
    def __init__(self, machine, action, state):
        super().__init__(f"{machine}: '{action}' is not allowed in state '{state}'")
        self.machine, self.action, self.state = machine, action, state


class RoleNotAllowed(Exception):
    def __init__(self, machine, action, role):
        super().__init__(f"{machine}: role '{role}' may not '{action}'")
        self.machine, self.action, self.role = machine, action, role


P, A, R = ProposalState, AssignmentState, ReplyState
M, S, U, SYS = {Role.MEMBER}, {Role.SECRETARIAT}, set(UNIT_ROLES), {Role.SYSTEM}
OFF = {Role.OFFICE}  # the supervising office, for its own units only (checked by the operations)
# a filing decision is taken on a submitted proposal, or on one whose 初审 waits for 审定
REVIEWABLE = (P.SUBMITTED, P.PRE_REVIEWED)

# action: (roles, {from_state: {possible to_states}})
PROPOSAL = {
    "create": (M, {None: {P.DRAFT}}),
    "edit": (M, {P.DRAFT: {P.DRAFT}}),
    "submit": (M, {P.DRAFT: {P.AWAITING_COSIGNERS, P.SUBMITTED}}),
    "cosign_accept": (M, {P.AWAITING_COSIGNERS: {P.AWAITING_COSIGNERS, P.SUBMITTED}}),
    "cosign_decline": (M, {P.AWAITING_COSIGNERS: {P.AWAITING_COSIGNERS, P.SUBMITTED}}),
    "cosign_expire": (SYS, {P.AWAITING_COSIGNERS: {P.SUBMITTED}}),
    "withdraw": (M, {s: {P.WITHDRAWN} for s in (P.AWAITING_COSIGNERS, *REVIEWABLE)}),
    "pre_review": (S, {P.SUBMITTED: {P.PRE_REVIEWED}}),  # 初审 under staged review
    "file": (S, {s: {P.FILED} for s in REVIEWABLE}),
    "not_file": (S, {s: {P.NOT_FILED} for s in REVIEWABLE}),
    "merge": (S, {s: {P.MERGED} for s in REVIEWABLE}),
    "return": (S, {s: {P.DRAFT} for s in REVIEWABLE}),
    "assign": (S, {P.FILED: {P.ASSIGNED}}),
    # the office refuses a joint assignment: the proposal waits to be assigned again
    "unassign": (OFF, {P.ASSIGNED: {P.FILED}}),
    "mark_key": (S, {s: {s} for s in (*REVIEWABLE, P.FILED, P.ASSIGNED, P.CLOSED)}),
    "record_consultation": (S, {P.ASSIGNED: {P.ASSIGNED}, P.CLOSED: {P.CLOSED}}),
    "close": (SYS, {P.ASSIGNED: {P.CLOSED}}),
}

ASSIGNMENT = {
    # joint assignment: proposed until the office confirms; the last confirmation starts every
    # unit's part of the proposal at once
    # (the office too, when it approves a reassignment of its unit to another)
    "assign": (S | OFF, {None: {A.PENDING, A.PROPOSED}}),
    "confirm": (OFF, {A.PROPOSED: {A.PROPOSED}}),
    "start": (OFF, {A.PROPOSED: {A.PENDING}}),
    "refuse_confirmation": (OFF, {A.PROPOSED: {A.NOT_CONFIRMED}}),
    "accept": (U, {A.PENDING: {A.HANDLING}}),
    "auto_accept": (SYS, {A.PENDING: {A.HANDLING}}),
    "request_reassignment": (U, {A.PENDING: {A.REASSIGNMENT_REQUESTED}}),
    "approve_reassignment": (S | OFF, {A.REASSIGNMENT_REQUESTED: {A.REASSIGNED}}),
    "refuse_reassignment": (S | OFF, {A.REASSIGNMENT_REQUESTED: {A.HANDLING}}),
    "record_contact": (U, {A.HANDLING: {A.HANDLING}, A.REHANDLING: {A.REHANDLING}}),
    "submit_opinion": (U, {A.HANDLING: {A.CLOSED}}),
    "request_extension": (U, {A.HANDLING: {A.HANDLING}, A.REHANDLING: {A.REHANDLING}}),
    "decide_extension": (
        S | OFF,
        {A.HANDLING: {A.HANDLING}, A.REHANDLING: {A.REHANDLING}, A.REPLIED: {A.REPLIED}},
    ),
    "draft_reply": (U, {A.HANDLING: {A.HANDLING}, A.REHANDLING: {A.REHANDLING}}),
    "deliver_reply": (S | U | OFF | SYS, {A.HANDLING: {A.REPLIED}, A.REHANDLING: {A.REPLIED}}),
    "rate": (M, {A.REPLIED: {A.CLOSED, A.REHANDLING}}),
    "expire_rating": (SYS, {A.REPLIED: {A.CLOSED}}),
    "follow_up": (U, {A.REPLIED: {A.REPLIED}, A.CLOSED: {A.CLOSED}}),
    # a proposal closing closes its co-units' parts too, whatever they were still doing
    "close": (
        SYS,
        {A.PENDING: {A.CLOSED}, A.HANDLING: {A.CLOSED}, A.REASSIGNMENT_REQUESTED: {A.CLOSED}},
    ),
}

REPLY = {
    "draft": (
        U,
        {None: {R.AWAITING_SIGNOFF, R.AWAITING_OFFICE_REVIEW, R.AWAITING_REVIEW, R.DELIVERED}},
    ),
    "signoff_approve": (
        {Role.DEPARTMENT_HEAD},
        {R.AWAITING_SIGNOFF: {R.AWAITING_OFFICE_REVIEW, R.AWAITING_REVIEW, R.DELIVERED}},
    ),
    "office_review_approve": (OFF, {R.AWAITING_OFFICE_REVIEW: {R.AWAITING_REVIEW, R.DELIVERED}}),
    "office_review_return": (OFF, {R.AWAITING_OFFICE_REVIEW: {R.RETURNED}}),
    "signoff_return": ({Role.DEPARTMENT_HEAD}, {R.AWAITING_SIGNOFF: {R.RETURNED}}),
    "review_approve": (S, {R.AWAITING_REVIEW: {R.DELIVERED}}),
    "review_return": (S, {R.AWAITING_REVIEW: {R.RETURNED}}),
    "rate": (M, {R.DELIVERED: {R.RATED}}),
    "expire_rating": (SYS, {R.DELIVERED: {R.UNRATED}}),
}

MACHINES = {"proposal": PROPOSAL, "assignment": ASSIGNMENT, "reply": REPLY}

# Terminal states: nothing leaves them.
TERMINAL = {
    "proposal": {P.NOT_FILED, P.MERGED, P.WITHDRAWN, P.CLOSED},
    "assignment": {A.CLOSED, A.REASSIGNED, A.NOT_CONFIRMED},
    "reply": {R.RETURNED, R.RATED, R.UNRATED},
}
# Actions that annotate a terminal record without moving it.
ANNOTATIONS = {"mark_key", "record_consultation", "follow_up"}


def allowed_actions(machine, state, role=None):
    """The actions a role may take on a record in this state (for pages and the API)."""
    out = []
    for action, (roles, moves) in MACHINES[machine].items():
        if state in moves and (role is None or role in roles):
            out.append(action)
    return out


def transition(machine, action, state, role, to=None):
    """Check an action and return its target state.

    ``to`` picks among several possible targets; without it the action must have exactly one.
    Raises RoleNotAllowed or InvalidTransition; returns the new state otherwise.
    """
    roles, moves = MACHINES[machine][action]
    if role not in roles:
        raise RoleNotAllowed(machine, action, role)
    if state not in moves:
        raise InvalidTransition(machine, action, state)
    targets = moves[state]
    if to is None:
        if len(targets) != 1:
            raise ValueError(f"{machine}.{action} from {state} needs an explicit target")
        return next(iter(targets))
    if to not in targets:
        raise InvalidTransition(machine, action, state)
    return to
