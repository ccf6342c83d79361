"""The transition table on its own: no app, no database.

The expected workflow below is written out again from docs/domain.md (not read from the table), so
that a transition added to, or dropped from, proposals/workflow/states.py makes a test fail.
"""

import pytest

from proposals.workflow.states import (
    ANNOTATIONS,
    MACHINES,
    TERMINAL,
    UNIT_ROLES,
    AssignmentState,
    InvalidTransition,
    ProposalState,
    ReplyState,
    Role,
    RoleNotAllowed,
    allowed_actions,
    transition,
)

MEMBER, SEC, CLERK, HEAD, OFFICE, ADMIN, SYSTEM = (
    Role.MEMBER,
    Role.SECRETARIAT,
    Role.CLERK,
    Role.DEPARTMENT_HEAD,
    Role.OFFICE,
    Role.ADMIN,
    Role.SYSTEM,
)
UNIT = {CLERK, HEAD}

# machine -> action -> (roles, {from_state: {targets}}), states as plain strings.
SPEC = {
    "proposal": {
        "create": ({MEMBER}, {None: {"draft"}}),
        "edit": ({MEMBER}, {"draft": {"draft"}}),
        "submit": ({MEMBER}, {"draft": {"awaiting_cosigners", "submitted"}}),
        "cosign_accept": ({MEMBER}, {"awaiting_cosigners": {"awaiting_cosigners", "submitted"}}),
        "cosign_decline": ({MEMBER}, {"awaiting_cosigners": {"awaiting_cosigners", "submitted"}}),
        "cosign_expire": ({SYSTEM}, {"awaiting_cosigners": {"submitted"}}),
        "withdraw": (
            {MEMBER},
            {
                "awaiting_cosigners": {"withdrawn"},
                "submitted": {"withdrawn"},
                "pre_reviewed": {"withdrawn"},
            },
        ),
        "pre_review": ({SEC}, {"submitted": {"pre_reviewed"}}),
        "file": ({SEC}, {"submitted": {"filed"}, "pre_reviewed": {"filed"}}),
        "not_file": ({SEC}, {"submitted": {"not_filed"}, "pre_reviewed": {"not_filed"}}),
        "merge": ({SEC}, {"submitted": {"merged"}, "pre_reviewed": {"merged"}}),
        "return": ({SEC}, {"submitted": {"draft"}, "pre_reviewed": {"draft"}}),
        "assign": ({SEC}, {"filed": {"assigned"}}),
        "unassign": ({OFFICE}, {"assigned": {"filed"}}),
        "mark_key": (
            {SEC},
            {s: {s} for s in ("submitted", "pre_reviewed", "filed", "assigned", "closed")},
        ),
        "record_consultation": ({SEC}, {"assigned": {"assigned"}, "closed": {"closed"}}),
        "close": ({SYSTEM}, {"assigned": {"closed"}}),
    },
    "assignment": {
        "assign": ({SEC, OFFICE}, {None: {"pending", "proposed"}}),
        "confirm": ({OFFICE}, {"proposed": {"proposed"}}),
        "start": ({OFFICE}, {"proposed": {"pending"}}),
        "refuse_confirmation": ({OFFICE}, {"proposed": {"not_confirmed"}}),
        "accept": (UNIT, {"pending": {"handling"}}),
        "auto_accept": ({SYSTEM}, {"pending": {"handling"}}),
        "request_reassignment": (UNIT, {"pending": {"reassignment_requested"}}),
        "approve_reassignment": ({SEC, OFFICE}, {"reassignment_requested": {"reassigned"}}),
        "refuse_reassignment": ({SEC, OFFICE}, {"reassignment_requested": {"handling"}}),
        "record_contact": (UNIT, {"handling": {"handling"}, "rehandling": {"rehandling"}}),
        "submit_opinion": (UNIT, {"handling": {"closed"}}),
        "request_extension": (UNIT, {"handling": {"handling"}, "rehandling": {"rehandling"}}),
        "decide_extension": (
            {SEC, OFFICE},
            {"handling": {"handling"}, "rehandling": {"rehandling"}, "replied": {"replied"}},
        ),
        "draft_reply": (UNIT, {"handling": {"handling"}, "rehandling": {"rehandling"}}),
        "deliver_reply": (
            {SEC, CLERK, HEAD, OFFICE, SYSTEM},
            {"handling": {"replied"}, "rehandling": {"replied"}},
        ),
        "rate": ({MEMBER}, {"replied": {"closed", "rehandling"}}),
        "expire_rating": ({SYSTEM}, {"replied": {"closed"}}),
        "follow_up": (UNIT, {"replied": {"replied"}, "closed": {"closed"}}),
        "close": (
            {SYSTEM},
            {"pending": {"closed"}, "handling": {"closed"}, "reassignment_requested": {"closed"}},
        ),
    },
    "reply": {
        "draft": (
            UNIT,
            {
                None: {
                    "awaiting_signoff",
                    "awaiting_office_review",
                    "awaiting_review",
                    "delivered",
                }
            },
        ),
        "signoff_approve": (
            {HEAD},
            {"awaiting_signoff": {"awaiting_office_review", "awaiting_review", "delivered"}},
        ),
        "office_review_approve": (
            {OFFICE},
            {"awaiting_office_review": {"awaiting_review", "delivered"}},
        ),
        "office_review_return": ({OFFICE}, {"awaiting_office_review": {"returned"}}),
        "signoff_return": ({HEAD}, {"awaiting_signoff": {"returned"}}),
        "review_approve": ({SEC}, {"awaiting_review": {"delivered"}}),
        "review_return": ({SEC}, {"awaiting_review": {"returned"}}),
        "rate": ({MEMBER}, {"delivered": {"rated"}}),
        "expire_rating": ({SYSTEM}, {"delivered": {"unrated"}}),
    },
}

STATES = {
    "proposal": [s.value for s in ProposalState],
    "assignment": [s.value for s in AssignmentState],
    "reply": [s.value for s in ReplyState],
}
EXPECTED_TERMINAL = {
    "proposal": {"not_filed", "merged", "withdrawn", "closed"},
    "assignment": {"closed", "reassigned", "not_confirmed"},
    "reply": {"returned", "rated", "unrated"},
}
ALL_ROLES = list(Role)


def _allowed_cases():
    for machine, actions in SPEC.items():
        for action, (roles, moves) in actions.items():
            for source, targets in moves.items():
                for target in sorted(targets):
                    for role in sorted(roles):
                        yield pytest.param(
                            machine,
                            action,
                            source,
                            target,
                            role,
                            id=f"{machine}.{action}:{source}->{target}:{role}",
                        )


def _refused_state_cases():
    for machine, actions in SPEC.items():
        for action, (roles, moves) in actions.items():
            role = sorted(roles)[0]
            for state in [None] + STATES[machine]:
                if state not in moves:
                    yield pytest.param(
                        machine, action, state, role, id=f"{machine}.{action}:from-{state}"
                    )


def _refused_role_cases():
    for machine, actions in SPEC.items():
        for action, (roles, moves) in actions.items():
            source = next(iter(moves))
            for role in ALL_ROLES:
                if role not in roles:
                    yield pytest.param(
                        machine, action, source, role, id=f"{machine}.{action}:by-{role}"
                    )


def test_state_enums_match_the_api_contract():
    assert STATES["proposal"] == [
        "draft",
        "awaiting_cosigners",
        "submitted",
        "pre_reviewed",
        "filed",
        "not_filed",
        "merged",
        "withdrawn",
        "assigned",
        "closed",
    ]
    assert set(STATES["assignment"]) == {
        "proposed",
        "not_confirmed",
        "pending",
        "reassignment_requested",
        "handling",
        "replied",
        "rehandling",
        "closed",
        "reassigned",
    }
    assert set(STATES["reply"]) == {
        "awaiting_signoff",
        "awaiting_office_review",
        "awaiting_review",
        "returned",
        "delivered",
        "rated",
        "unrated",
    }
    assert {CLERK, HEAD} == UNIT_ROLES


@pytest.mark.parametrize("machine", sorted(SPEC))
def test_transition_table_is_exactly_the_specified_workflow(machine):
    table = {
        action: (
            {Role(r) for r in roles},
            {(None if s is None else str(s)): {str(t) for t in ts} for s, ts in moves.items()},
        )
        for action, (roles, moves) in MACHINES[machine].items()
    }
    assert set(table) == set(SPEC[machine])
    for action, expected in SPEC[machine].items():
        assert table[action] == expected, action


@pytest.mark.parametrize("machine,action,source,target,role", list(_allowed_cases()))
def test_allowed_transition_returns_its_target(machine, action, source, target, role):
    assert transition(machine, action, source, role, to=target) == target
    if len(SPEC[machine][action][1][source]) == 1:
        assert transition(machine, action, source, role) == target


@pytest.mark.parametrize("machine,action,state,role", list(_refused_state_cases()))
def test_action_from_a_state_it_is_not_allowed_from_raises_invalid_transition(
    machine, action, state, role
):
    with pytest.raises(InvalidTransition) as err:
        transition(machine, action, state, role)
    assert (err.value.machine, err.value.action, err.value.state) == (machine, action, state)


@pytest.mark.parametrize("machine,action,state,role", list(_refused_role_cases()))
def test_action_by_a_role_not_allowed_to_take_it_raises_role_not_allowed(
    machine, action, state, role
):
    with pytest.raises(RoleNotAllowed) as err:
        transition(machine, action, state, role)
    assert (err.value.machine, err.value.action, err.value.role) == (machine, action, role)


def test_role_is_checked_before_state():
    with pytest.raises(RoleNotAllowed):
        transition("proposal", "file", "draft", MEMBER)


def test_a_target_the_action_cannot_reach_is_refused():
    with pytest.raises(InvalidTransition):
        transition("proposal", "file", "submitted", SEC, to="assigned")
    with pytest.raises(InvalidTransition):
        transition("assignment", "rate", "replied", MEMBER, to="handling")
    with pytest.raises(InvalidTransition):
        transition("reply", "draft", None, CLERK, to="rated")


@pytest.mark.parametrize(
    "machine,action,source",
    [
        ("proposal", "submit", "draft"),
        ("proposal", "cosign_accept", "awaiting_cosigners"),
        ("assignment", "rate", "replied"),
        ("reply", "draft", None),
        ("reply", "signoff_approve", "awaiting_signoff"),
    ],
)
def test_an_action_with_several_targets_needs_an_explicit_one(machine, action, source):
    role = sorted(SPEC[machine][action][0])[0]
    with pytest.raises(ValueError):
        transition(machine, action, source, role)


def test_terminal_states_are_the_specified_ones():
    assert {m: {str(s) for s in states} for m, states in TERMINAL.items()} == EXPECTED_TERMINAL
    assert {"mark_key", "record_consultation", "follow_up"} == ANNOTATIONS


@pytest.mark.parametrize(
    "machine,state", [(m, s) for m, ss in EXPECTED_TERMINAL.items() for s in sorted(ss)]
)
def test_terminal_states_have_no_exits_except_annotations(machine, state):
    actions = allowed_actions(machine, state)
    assert set(actions) <= ANNOTATIONS, actions
    for action in actions:
        roles = MACHINES[machine][action][0]
        for role in roles:
            assert transition(machine, action, state, role) == state


@pytest.mark.parametrize(
    "machine,state", [(m, s) for m in STATES for s in STATES[m] if s not in EXPECTED_TERMINAL[m]]
)
def test_every_non_terminal_state_has_a_way_out(machine, state):
    exits = {
        t for action, (_, moves) in SPEC[machine].items() if state in moves for t in moves[state]
    }
    assert exits - {state}, f"{machine}: nothing leaves {state}"


@pytest.mark.parametrize("machine", sorted(STATES))
def test_every_state_is_reachable_from_creation(machine):
    seen, frontier = set(), {None}
    while frontier:
        state = frontier.pop()
        for _, moves in MACHINES[machine].values():
            for target in moves.get(state, ()):
                if target not in seen:
                    seen.add(target)
                    frontier.add(target)
    assert {str(s) for s in seen} == set(STATES[machine])


@pytest.mark.parametrize(
    "machine,state,role,expected",
    [
        ("proposal", None, MEMBER, ["create"]),
        ("proposal", "draft", MEMBER, ["edit", "submit"]),
        ("proposal", "draft", SEC, []),
        ("proposal", "awaiting_cosigners", MEMBER, ["cosign_accept", "cosign_decline", "withdraw"]),
        ("proposal", "awaiting_cosigners", SYSTEM, ["cosign_expire"]),
        ("proposal", "submitted", MEMBER, ["withdraw"]),
        (
            "proposal",
            "submitted",
            SEC,
            ["pre_review", "file", "not_file", "merge", "return", "mark_key"],
        ),
        ("proposal", "pre_reviewed", SEC, ["file", "not_file", "merge", "return", "mark_key"]),
        ("proposal", "assigned", OFFICE, ["unassign"]),
        ("proposal", "filed", SEC, ["assign", "mark_key"]),
        ("proposal", "filed", MEMBER, []),
        ("proposal", "assigned", SEC, ["mark_key", "record_consultation"]),
        ("proposal", "assigned", SYSTEM, ["close"]),
        ("proposal", "closed", SEC, ["mark_key", "record_consultation"]),
        ("proposal", "withdrawn", MEMBER, []),
        ("assignment", "pending", CLERK, ["accept", "request_reassignment"]),
        ("assignment", "pending", HEAD, ["accept", "request_reassignment"]),
        ("assignment", "pending", SEC, []),
        (
            "assignment",
            "reassignment_requested",
            SEC,
            ["approve_reassignment", "refuse_reassignment"],
        ),
        ("assignment", "reassignment_requested", CLERK, []),
        (
            "assignment",
            "handling",
            CLERK,
            [
                "record_contact",
                "submit_opinion",
                "request_extension",
                "draft_reply",
                "deliver_reply",
            ],
        ),
        ("assignment", "handling", SEC, ["decide_extension", "deliver_reply"]),
        ("assignment", "replied", MEMBER, ["rate"]),
        ("assignment", "replied", CLERK, ["follow_up"]),
        (
            "assignment",
            "rehandling",
            CLERK,
            ["record_contact", "request_extension", "draft_reply", "deliver_reply"],
        ),
        ("assignment", "closed", CLERK, ["follow_up"]),
        ("assignment", "reassigned", SEC, []),
        ("reply", "awaiting_signoff", HEAD, ["signoff_approve", "signoff_return"]),
        ("reply", "awaiting_signoff", CLERK, []),
        ("reply", "awaiting_review", SEC, ["review_approve", "review_return"]),
        ("reply", "delivered", MEMBER, ["rate"]),
        ("reply", "delivered", SYSTEM, ["expire_rating"]),
        ("reply", "returned", CLERK, []),
    ],
)
def test_allowed_actions_lists_what_a_role_may_do_in_a_state(machine, state, role, expected):
    assert allowed_actions(machine, state, role) == expected


def test_allowed_actions_without_a_role_lists_every_role_s_actions():
    assert allowed_actions("reply", "awaiting_signoff") == ["signoff_approve", "signoff_return"]
    assert allowed_actions("proposal", "submitted") == [
        "withdraw",
        "pre_review",
        "file",
        "not_file",
        "merge",
        "return",
        "mark_key",
    ]
    assert allowed_actions("assignment", "replied") == [
        "decide_extension",
        "rate",
        "expire_rating",
        "follow_up",
    ]


@pytest.mark.parametrize("machine", sorted(STATES))
def test_admin_takes_no_business_action_in_any_state(machine):
    for state in [None] + STATES[machine]:
        assert allowed_actions(machine, state, ADMIN) == []
