"""GET /api/v1/openapi.json: an OpenAPI 3.0 description of the JSON API (docs/api.md), as Python
data.

The description is precise enough for schemathesis to validate every response against it
(tests/api/test_openapi.py); tests also check that every /api/v1 route of the app is described.
Routes of optional modules (attachments, similar proposals) are described when they exist.
"""

import copy

from flask import current_app, jsonify

from ..committee.settings import NOTIFICATION_CHANNELS
from ..workflow.states import AssignmentState, ProposalState, ReplyState
from .common import bp

# ---------------------------------------------------------------------------------- helpers


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema):
    out = dict(schema)
    out["nullable"] = True
    return out


def obj(required=(), optional=None, **props):
    """An object with these properties; ``required`` names the ones always present.
    Extra properties are allowed (clients ignore fields they do not know)."""
    properties = dict(props)
    properties.update(optional or {})
    out = {"type": "object", "properties": properties}
    if required:
        out["required"] = list(required)
    return out


def body_obj(**props):
    """A request body object: every property optional (the server names what is missing)."""
    return {"type": "object", "properties": props}


STR = {"type": "string"}
TEXT = {"type": "string", "maxLength": 20000}
INT = {"type": "integer"}
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
VERSION = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}  # as sent back (If-Match too)
BOOL = {"type": "boolean"}
NUM = {"type": "number"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
RATE = nullable({"type": "number", "minimum": 0, "maximum": 1})
N_STR, N_INT, N_DATE, N_DATETIME = nullable(STR), nullable(INT), nullable(DATE), nullable(DATETIME)

PROPOSAL_STATES = [s.value for s in ProposalState]
ASSIGNMENT_STATES = [s.value for s in AssignmentState]
REPLY_STATES = [s.value for s in ReplyState]
ROLES = ["member", "secretariat", "clerk", "department_head", "office", "admin"]
RATINGS = ["satisfied", "basically_satisfied", "unsatisfied"]


def enum(values):
    return {"type": "string", "enum": list(values)}


# ---------------------------------------------------------------------------------- schemas

PERSON = obj(["username", "name"], username=STR, name=STR, phone=N_STR, email=N_STR)

SCHEMAS = {
    "Error": obj(
        ["error"],
        error=obj(
            ["code", "message"],
            code=STR,
            message=STR,
            fields={"type": "object", "additionalProperties": STR},
        ),
    ),
    "User": obj(
        ["username", "name", "role", "department", "kind"],
        username=STR,
        name=STR,
        role=enum(ROLES),
        department=N_STR,
        kind=STR,
        org_type=N_STR,
        sector=N_STR,
    ),
    "Token": obj(["token", "user"], token=STR, user=ref("User")),
    "CodeName": obj(["code", "name"], code=STR, name=STR),
    "Session": obj(
        ["id", "label", "year", "current"],
        id=ID,
        label=STR,
        year=INT,
        current=BOOL,
        plenary_start=DATE,
        plenary_end=DATE,
        collection_start=DATE,
        collection_end=DATE,
    ),
    "Person": PERSON,
    "ProposalSummary": obj(
        [
            "id",
            "version",
            "state",
            "number",
            "title",
            "category",
            "kind",
            "session",
            "proposer",
            "submitted_at",
            "is_key",
        ],
        id=ID,
        version=INT,
        state=enum(PROPOSAL_STATES),
        state_label=STR,
        number=N_INT,
        number_label=N_STR,
        receipt_serial=N_INT,
        title=STR,
        category=STR,
        category_name=STR,
        kind=enum(["individual", "joint", "collective"]),
        session=ID,
        session_label=STR,
        proposer=STR,
        proposer_name=STR,
        submitted_at=N_DATETIME,
        is_key=BOOL,
        is_plenary=nullable(BOOL),
    ),
    "Rating": obj(
        ["reply_id", "rater", "rating", "primary", "source", "created_at"],
        reply_id=ID,
        rater=STR,
        rating=enum(RATINGS),
        comment=N_STR,
        primary=BOOL,
        # paper: returned on the opinion form and entered by the secretariat user entered_by
        source=enum(["online", "paper"]),
        entered_by=N_STR,
        created_at=DATETIME,
    ),
    "Reply": obj(
        [
            "id",
            "version",
            "assignment_id",
            "proposal_id",
            "department",
            "round",
            "state",
            "result",
            "text",
            "signer",
            "contact",
            "ratings",
        ],
        id=ID,
        version=INT,
        assignment_id=ID,
        proposal_id=ID,
        department=STR,
        round=INT,
        state=enum(REPLY_STATES),
        state_label=STR,
        result=STR,
        result_label=N_STR,
        text=STR,
        signer=STR,
        contact=STR,
        promised_date=N_DATE,
        created_at=DATETIME,
        delivered_at=N_DATETIME,
        rating_due=N_DATE,
        ratings={"type": "array", "items": ref("Rating")},
        return_comment=N_STR,
    ),
    "Assignment": obj(
        [
            "id",
            "version",
            "proposal_id",
            "department",
            "role",
            "state",
            "round",
            "accept_due",
            "contact_due",
            "opinion_due",
            "reply_due",
            "extended_to",
            "replies",
        ],
        id=ID,
        version=INT,
        proposal_id=ID,
        department=STR,
        department_name=STR,
        role=enum(["lead", "co", "split"]),
        state=enum(ASSIGNMENT_STATES),
        state_label=STR,
        round=INT,
        assigned_at=DATETIME,
        accepted_at=N_DATETIME,
        accept_due=DATE,
        contact_due=DATE,
        opinion_due=N_DATE,
        reply_due=DATE,
        extended_to=N_DATE,
        due=DATE,
        overdue=BOOL,
        days_left=INT,
        follow_up_open=BOOL,
        contacts={
            "type": "array",
            "items": obj(["mode", "date", "summary"], mode=STR, date=DATE, summary=STR),
        },
        follow_ups={
            "type": "array",
            "items": obj(["text", "done"], text=STR, done=BOOL, created_at=DATETIME),
        },
        replies={"type": "array", "items": ref("Reply")},
        opinion=nullable(obj(["text"], text=STR, created_at=DATETIME)),
        reassignment_reason=N_STR,
        extension_requests={
            "type": "array",
            "items": obj(
                ["id", "round", "until", "reason", "state"],
                id=ID,
                round=INT,
                until=DATE,
                reason=STR,
                state=enum(["pending", "approved", "refused"]),
                comment=N_STR,
            ),
        },
    ),
    "History": obj(
        ["action", "actor", "from_state", "to_state", "created_at"],
        action=STR,
        actor=N_STR,
        actor_name=STR,
        from_state=N_STR,
        to_state=N_STR,
        comment=N_STR,
        assignment_id=nullable(ID),
        reply_id=nullable(ID),
        created_at=DATETIME,
    ),
    "Notification": obj(
        ["id", "kind", "text", "created_at", "read"],
        id=ID,
        kind=STR,
        text=STR,
        link=N_STR,
        deadline=N_DATE,
        proposal_id=nullable(ID),
        created_at=DATETIME,
        read=BOOL,
    ),
}

SCHEMAS["Proposal"] = {
    "allOf": [
        ref("ProposalSummary"),
        obj(
            [
                "analysis",
                "suggestions",
                "proposers",
                "assignments",
                "replies",
                "ratings",
                "history",
            ],
            analysis=STR,
            suggestions=STR,
            proposers=obj(
                ["first", "cosigners"],
                first=ref("Person"),
                cosigners={
                    "type": "array",
                    "items": {
                        "allOf": [
                            ref("Person"),
                            obj(
                                ["state"],
                                state=enum(["invited", "accepted", "declined", "expired"]),
                                expires_on=N_DATE,
                            ),
                        ]
                    },
                },
            ),
            suggested_departments={"type": "array", "items": STR},
            filed_at=N_DATETIME,
            closed_at=N_DATETIME,
            created_at=DATETIME,
            review_comment=N_STR,
            not_filed_reason=N_STR,
            not_filed_reason_name=N_STR,
            disposition=nullable(enum(["opinion", "letter", "social_info", "none"])),
            merged_into=nullable(ID),
            merged={
                "type": "array",
                "items": obj(["id", "title", "proposer"], id=ID, title=STR, proposer=STR),
            },
            withdraw_reason=N_STR,
            supervisor=nullable(ref("Person")),
            consultation_due=BOOL,
            consultation_note=N_STR,
            assignments={"type": "array", "items": ref("Assignment")},
            replies={"type": "array", "items": ref("Reply")},
            ratings={"type": "array", "items": ref("Rating")},
            history={"type": "array", "items": ref("History")},
        ),
    ]
}


def page_of(item):
    return obj(
        ["items", "total", "page", "per_page"],
        items={"type": "array", "items": item},
        total={"type": "integer", "minimum": 0},
        page={"type": "integer", "minimum": 1},
        per_page={"type": "integer", "minimum": 1, "maximum": 100},
    )


SCHEMAS["ProposalPage"] = page_of(ref("ProposalSummary"))
SCHEMAS["AssignmentPage"] = page_of(ref("Assignment"))
SCHEMAS["NotificationPage"] = page_of(ref("Notification"))
SCHEMAS["Recognition"] = obj(
    [
        "id",
        "year",
        "kind",
        "state",
        "proposal",
        "department",
        "reason",
        "nominated_by",
        "nominated_at",
        "decided_by",
        "decided_at",
    ],
    id=ID,
    year=INT,
    kind=enum(["proposal", "department"]),
    kind_label=STR,
    state=enum(["nominated", "awarded", "declined"]),
    state_label=STR,
    proposal=nullable(
        obj(
            ["id", "number", "title", "proposer"],
            id=ID,
            number=N_INT,
            number_label=N_STR,
            title=STR,
            proposer=STR,
            proposer_name=STR,
            session=ID,
            session_label=STR,
        )
    ),
    department=N_STR,
    department_name=N_STR,
    reason=STR,
    nominated_by=STR,
    nominated_by_name=STR,
    nominated_at=DATETIME,
    decided_by=N_STR,
    decided_by_name=N_STR,
    decided_at=N_DATETIME,
    decision_comment=N_STR,
)
SCHEMAS["RecognitionPage"] = page_of(ref("Recognition"))
CHANNEL_LIST = {"type": "array", "items": {"type": "string", "enum": list(NOTIFICATION_CHANNELS)}}
TIMES = {
    "type": "array",
    "items": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
    "minItems": 2,
    "maxItems": 2,
}
SCHEMAS["Preferences"] = obj(
    ["kinds", "sms_quiet", "digest"],
    kinds={"type": "object", "additionalProperties": CHANNEL_LIST},
    sms_quiet=TIMES,
    digest=BOOL,
)

RESULTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
COUNT = {"type": "integer", "minimum": 0}
SCHEMAS["AnnualStats"] = obj(
    [
        "year",
        "as_of",
        "received",
        "filed",
        "merged",
        "not_filed",
        "withdrawn",
        "pending_review",
        "filing_rate",
        "not_filed_by_disposition",
        "by_category",
        "by_kind",
        "participation",
        "assignment_items",
        "replied_proposals",
        "reply_rate",
        "on_time_rate",
        "results",
        "satisfaction",
        "by_department",
        "headline",
    ],
    year=INT,
    as_of=DATE,
    received=COUNT,
    filed=COUNT,
    merged=COUNT,
    not_filed=COUNT,
    withdrawn=COUNT,
    pending_review=COUNT,
    filing_rate=RATE,
    not_filed_by_disposition=obj(
        ["opinion", "letter", "social_info", "none"],
        opinion=COUNT,
        letter=COUNT,
        social_info=COUNT,
        none=COUNT,
    ),
    by_category={
        "type": "array",
        "items": obj(
            ["code", "name", "received", "filed"], code=STR, name=STR, received=COUNT, filed=COUNT
        ),
    },
    by_kind=obj(
        ["individual", "joint", "collective"], individual=COUNT, joint=COUNT, collective=COUNT
    ),
    participation=obj(
        ["members", "active_members", "rate"], members=COUNT, active_members=COUNT, rate=RATE
    ),
    assignment_items=COUNT,
    replied_proposals=COUNT,
    reply_rate=RATE,
    on_time_rate=RATE,
    results=RESULTS,
    # whose ratings the satisfaction figures count (the setting rating_by)
    rating_basis=enum(["first", "all"]),
    satisfaction=obj(
        [
            "satisfied",
            "basically_satisfied",
            "unsatisfied",
            "unrated",
            "rated",
            "rate",
            "strict_rate",
        ],
        satisfied=COUNT,
        basically_satisfied=COUNT,
        unsatisfied=COUNT,
        unrated=COUNT,
        rated=COUNT,
        rate=RATE,
        strict_rate=RATE,
    ),
    by_department={
        "type": "array",
        "items": obj(
            [
                "code",
                "name",
                "assigned",
                "replied",
                "on_time",
                "overdue",
                "results",
                "satisfaction_rate",
            ],
            code=STR,
            name=STR,
            assigned=COUNT,
            replied=COUNT,
            on_time=COUNT,
            overdue=COUNT,
            results=RESULTS,
            satisfaction_rate=RATE,
        ),
    },
    headline=STR,
    recognitions=obj(
        ["proposals", "departments"],
        proposals={
            "type": "array",
            "items": obj(
                ["id", "number", "title", "proposer", "decided_by", "decided_at"],
                id=ID,
                number=N_INT,
                number_label=N_STR,
                title=STR,
                proposer=STR,
                decided_by=STR,
                decided_at=DATETIME,
            ),
        },
        departments={
            "type": "array",
            "items": obj(
                ["code", "name", "decided_by", "decided_at"],
                code=STR,
                name=STR,
                decided_by=STR,
                decided_at=DATETIME,
            ),
        },
    ),
)

# ---------------------------------------------------------------------------------- bodies

REVIEW_BODY = body_obj(
    decision=enum(["file", "not_file", "merge", "return"]),
    reason_code=STR,
    disposition=enum(["opinion", "letter", "social_info", "none"]),
    merge_into=ID,
    category=STR,
    comment=TEXT,
    title={"type": "string", "maxLength": 200},
    version=VERSION,
)
CONTENT_BODY = body_obj(
    title={"type": "string", "maxLength": 200},
    category=STR,
    analysis=TEXT,
    suggestions=TEXT,
    cosigners={"type": "array", "items": STR},
    suggested_departments={"type": "array", "items": STR},
    version=VERSION,
)

# ---------------------------------------------------------------------------------- operations

ERROR_CODES = {
    "400": "Bad or missing input (`validation_error`, with `fields`); nothing changed",
    "401": "Not logged in or the token is not valid (`unauthenticated`)",
    "403": "The role, unit or person may not do this to this record (`forbidden`)",
    "404": "No such record, or one the caller may not see (`not_found`)",
    "409": "Not allowed in the record's state (`invalid_state`) or changed by someone else "
    "first (`conflict`); nothing changed",
    "413": "Request too large",
    "429": "Rate limited",
}
JSON = "application/json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def id_param(name):
    return {"name": name, "in": "path", "required": True, "schema": ID}


def query(name, schema=STR, description=None):
    out = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        out["description"] = description
    return out


PAGE = [
    query("page", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}),
    query("per_page", {"type": "integer", "minimum": 1, "maximum": 100}),
]
BOOL_WORD = enum(["true", "false", "1", "0"])
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "pattern": "^[0-9]{1,9}$"},
    "description": "The version the client read (optimistic concurrency)",
}
PERIOD = [
    query("year", {"type": "integer", "minimum": 1900, "maximum": 9998}),
    query("session", ID),
    query("as_of", DATE),
]


def op(
    summary,
    tag,
    answer,
    *,
    status="200",
    params=(),
    body=None,
    public=False,
    media=JSON,
    body_required=False,
    refusals=None,
):
    """An operation; its error answers are every code of ERROR_CODES, or for a ``public`` one
    those that do not need a caller (``refusals``: the codes it gives besides)."""
    responses = {}
    if status == "204":
        responses["204"] = {"description": "Done"}
    elif media == JSON:
        responses[status] = {
            "description": "OK" if status == "200" else "Created",
            "content": {JSON: {"schema": answer}},
        }
    else:
        responses[status] = {
            "description": "The file",
            "content": {media: {"schema": {"type": "string", "format": "binary"}}},
        }
    for code in ERROR_CODES:
        if public and code in ("401", "403", "404", "409") and code not in (refusals or ()):
            continue
        responses[code] = {"$ref": f"#/components/responses/E{code}"}
    out = {"summary": summary, "tags": [tag], "operationId": None, "responses": responses}
    if params:
        out["parameters"] = list(params)
    if body is not None:
        out["requestBody"] = {"required": body_required, "content": {JSON: {"schema": body}}}
    if public:
        out["security"] = []
    return out


def proposal_action(summary, body=None):
    return op(
        summary, "proposals", ref("Proposal"), params=[id_param("proposal_id"), IF_MATCH], body=body
    )


def assignment_action(summary, body=None, status="200", answer=None):
    return op(
        summary,
        "assignments",
        answer or ref("Assignment"),
        status=status,
        params=[id_param("assignment_id"), IF_MATCH],
        body=body,
    )


def reply_action(summary, body):
    return op(summary, "replies", ref("Reply"), params=[id_param("reply_id"), IF_MATCH], body=body)


P, A, R = "/proposals/{proposal_id}", "/assignments/{assignment_id}", "/replies/{reply_id}"

PATHS = {
    "/openapi.json": {"get": op("This description", "meta", {"type": "object"}, public=True)},
    "/auth/token": {
        "post": op(
            "Log in: a bearer token",
            "auth",
            ref("Token"),
            public=True,
            body=body_obj(username=STR, password=STR),
            body_required=True,
            refusals=("401",),  # wrong credentials
        ),
        "delete": op("Revoke the token used", "auth", None, status="204"),
    },
    "/me": {"get": op("The caller", "reference", ref("User"))},
    "/departments": {"get": op("Units", "reference", {"type": "array", "items": ref("CodeName")})},
    "/categories": {
        "get": op("Categories", "reference", {"type": "array", "items": ref("CodeName")})
    },
    "/sessions": {
        "get": op("Committee sessions", "reference", {"type": "array", "items": ref("Session")})
    },
    "/not-filed-reasons": {
        "get": op(
            "Reasons for not filing", "reference", {"type": "array", "items": ref("CodeName")}
        )
    },
    "/proposals": {
        "get": op(
            "The proposals the caller may see",
            "proposals",
            ref("ProposalPage"),
            params=[
                query("state", enum(PROPOSAL_STATES)),
                query("year", {"type": "integer", "minimum": 1900, "maximum": 9998}),
                query("session", ID),
                query("category"),
                query("department"),
                query("q"),
                query("key", BOOL_WORD),
                query("overdue", BOOL_WORD),
                query("sort", enum(["submitted", "submitted_asc", "number", "title", "state"])),
                *PAGE,
            ],
        ),
        "post": op(
            "A member starts a draft",
            "proposals",
            ref("Proposal"),
            status="201",
            body=CONTENT_BODY,
            body_required=True,
        ),
    },
    P: {
        "get": op(
            "One proposal with its history",
            "proposals",
            ref("Proposal"),
            params=[id_param("proposal_id")],
        ),
        "patch": op(
            "Edit a draft (first proposer)",
            "proposals",
            ref("Proposal"),
            params=[id_param("proposal_id"), IF_MATCH],
            body=CONTENT_BODY,
        ),
    },
    P + "/submit": {"post": proposal_action("Submit a draft", body_obj(version=VERSION))},
    P + "/cosign": {
        "post": proposal_action(
            "Confirm or decline co-signing", body_obj(accept=BOOL, version=VERSION)
        )
    },
    P + "/withdraw": {
        "post": proposal_action("Withdraw before filing", body_obj(reason=TEXT, version=VERSION))
    },
    P + "/review": {"post": proposal_action("Filing review (secretariat)", REVIEW_BODY)},
    "/proposals/review-batch": {
        "post": op(
            "File many submitted proposals at once, all or nothing (secretariat)",
            "proposals",
            obj(
                ["items", "total"],
                items={"type": "array", "items": ref("ProposalSummary")},
                total=INT,
            ),
            body=body_obj(
                ids={"type": "array", "items": ID, "minItems": 1, "maxItems": 500},
                decision=enum(["file"]),
                category=STR,
            ),
        )
    },
    P + "/assign": {
        "post": proposal_action(
            "Assign to units (secretariat)",
            body_obj(
                departments={
                    "type": "array",
                    "items": body_obj(code=STR, role=enum(["lead", "co"])),
                },
                due_date=DATE,
                version=VERSION,
            ),
        )
    },
    P + "/key": {
        "post": proposal_action(
            "Mark or unmark a key proposal", body_obj(key=BOOL, supervisor=STR, version=VERSION)
        )
    },
    P + "/consultation": {
        "post": proposal_action(
            "Record the face-to-face consultation after a second 'unsatisfied'",
            body_obj(note=TEXT, version=VERSION),
        )
    },
    "/assignments": {
        "get": op(
            "Assignments: a unit's own; the secretariat's all",
            "assignments",
            ref("AssignmentPage"),
            params=[
                query("state", enum(ASSIGNMENT_STATES)),
                query("overdue", BOOL_WORD),
                query("department"),
                *PAGE,
            ],
        )
    },
    A: {
        "get": op(
            "One assignment", "assignments", ref("Assignment"), params=[id_param("assignment_id")]
        )
    },
    A + "/accept": {"post": assignment_action("Accept (签收)", body_obj(version=VERSION))},
    A + "/reassignment-request": {
        "post": assignment_action("Ask for reassignment", body_obj(reason=TEXT, version=VERSION))
    },
    A + "/confirm": {
        "post": assignment_action(
            "Confirm or refuse a joint assignment (the office supervising the unit)",
            body_obj(approve=BOOL, comment=TEXT, version=VERSION),
        )
    },
    A + "/reassignment-decision": {
        "post": assignment_action(
            "Decide a reassignment request (secretariat, or the unit's office by setting)",
            body_obj(approve=BOOL, department=STR, comment=TEXT, version=VERSION),
        )
    },
    A + "/contacts": {
        "post": assignment_action(
            "Record a contact with the proposer",
            body_obj(mode=STR, date=DATE, summary=TEXT, version=VERSION),
            status="201",
        )
    },
    A + "/opinion": {
        "post": assignment_action(
            "A co-unit's opinion", body_obj(text=TEXT, version=VERSION), status="201"
        )
    },
    A + "/extension-request": {
        "post": assignment_action(
            "Ask for an extension", body_obj(until=DATE, reason=TEXT, version=VERSION), status="201"
        )
    },
    A + "/extension-decision": {
        "post": assignment_action(
            "Decide an extension (secretariat)",
            body_obj(approve=BOOL, comment=TEXT, version=VERSION),
        )
    },
    A + "/reply": {
        "post": assignment_action(
            "Draft the reply",
            body_obj(
                result=STR, text=TEXT, signer=STR, contact=STR, promised_date=DATE, version=VERSION
            ),
            status="201",
            answer=ref("Reply"),
        )
    },
    A + "/follow-up": {
        "post": assignment_action(
            "Follow-up of a B-class reply",
            body_obj(text=TEXT, done=BOOL, version=VERSION),
            status="201",
        )
    },
    R: {"get": op("One reply", "replies", ref("Reply"), params=[id_param("reply_id")])},
    R + "/signoff": {
        "post": reply_action(
            "Sign-off by the unit's head", body_obj(approve=BOOL, comment=TEXT, version=VERSION)
        )
    },
    R + "/review": {
        "post": reply_action(
            "Review by the secretariat",
            body_obj(approve=BOOL, comment=TEXT, result=STR, version=VERSION),
        )
    },
    R + "/rating": {
        "post": reply_action(
            "Rating by the first proposer (or, as the settings allow, another proposer)",
            body_obj(rating=enum(RATINGS), comment=TEXT, version=VERSION),
        )
    },
    R + "/paper-rating": {
        "post": reply_action(
            "A rating returned on the paper opinion form, entered by the secretariat",
            body_obj(rater=STR, rating=enum(RATINGS), comment=TEXT, version=VERSION),
        )
    },
    "/notifications": {
        "get": op(
            "Own notifications, newest first", "notifications", ref("NotificationPage"), params=PAGE
        )
    },
    "/notifications/{notification_id}/read": {
        "post": op(
            "Mark a notification read",
            "notifications",
            ref("Notification"),
            params=[id_param("notification_id")],
        )
    },
    "/me/notification-preferences": {
        "get": op("Own notification preferences", "notifications", ref("Preferences")),
        "put": op(
            "Set own notification preferences (a part left out stays as it was)",
            "notifications",
            ref("Preferences"),
            body=body_obj(
                kinds={"type": "object", "additionalProperties": CHANNEL_LIST},
                sms_quiet=TIMES,
                digest=BOOL,
            ),
        ),
    },
    "/stats/annual": {
        "get": op("Annual figures (secretariat)", "stats", ref("AnnualStats"), params=PERIOD)
    },
    "/stats/annual.xlsx": {
        "get": op("Annual report, Excel", "stats", None, params=PERIOD, media=XLSX)
    },
    "/recognitions": {
        "get": op(
            "A year's nominations of excellent proposals and outstanding units (secretariat)",
            "recognition",
            ref("RecognitionPage"),
            params=[query("year", {"type": "integer", "minimum": 1900, "maximum": 9998}), *PAGE],
        ),
        "post": op(
            "Nominate a filed proposal or a unit for a year (secretariat)",
            "recognition",
            ref("Recognition"),
            status="201",
            body=body_obj(
                year=INT,
                kind=enum(["proposal", "department"]),
                proposal_id=ID,
                number=INT,
                department=STR,
                reason=TEXT,
            ),
            body_required=True,
        ),
    },
    "/recognitions/{recognition_id}/decision": {
        "post": op(
            "Award or decline a nomination, once (secretariat)",
            "recognition",
            ref("Recognition"),
            params=[id_param("recognition_id")],
            body=body_obj(award=BOOL, comment=TEXT),
        )
    },
}

# Optional modules: described only when their routes exist (see described_paths()).
SIMILAR_ITEM = obj(
    ["id", "title", "score"], id=ID, title=STR, score=NUM, state=STR, year=N_INT, number=N_INT
)
SIMILAR = {"type": "array", "items": SIMILAR_ITEM}
OPTIONAL_PATHS = {
    "/proposals/similar": {
        "get": op(
            "Similar proposals for a draft being written",
            "proposals",
            {"oneOf": [SIMILAR, obj(["items"], items=SIMILAR)]},
            params=[
                query("title"),
                query("text"),
                query("exclude", ID),
                query("limit", {"type": "integer", "minimum": 1, "maximum": 50}),
            ],
        )
    },
    P + "/similar": {
        "get": op(
            "Proposals on the same matter, best first",
            "proposals",
            {"oneOf": [SIMILAR, obj(["items"], items=SIMILAR)]},
            params=[
                id_param("proposal_id"),
                query("limit", {"type": "integer", "minimum": 1, "maximum": 50}),
            ],
        )
    },
}

ATTACHMENT = obj(
    ["id", "filename", "size", "content_type", "kind", "created_at"],
    id=ID,
    filename=STR,
    size={"type": "integer", "minimum": 0},
    content_type=STR,
    kind=STR,
    sha256=STR,
    proposal_id=nullable(ID),
    reply_id=nullable(ID),
    uploaded_by=STR,
    created_at=DATETIME,
    download_url=STR,
)
SCHEMAS["Attachment"] = ATTACHMENT
SCHEMAS["AttachmentPage"] = page_of(ref("Attachment"))
UPLOAD = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
    "description": "One file (PDF, Word, Excel or an image); its type is checked by content",
}


def attachments_of(param, tag):
    upload = op("Attach a file", tag, ref("Attachment"), status="201", params=[id_param(param)])
    upload["requestBody"] = UPLOAD
    return {
        "get": op("Its attachments", tag, ref("AttachmentPage"), params=[id_param(param), *PAGE]),
        "post": upload,
    }


OPTIONAL_PATHS.update(
    {
        P + "/attachments": attachments_of("proposal_id", "attachments"),
        R + "/attachments": attachments_of("reply_id", "attachments"),
        "/attachments/{attachment_id}": {
            "get": op(
                "Download (as an attachment, nosniff)",
                "attachments",
                None,
                params=[id_param("attachment_id")],
                media="*/*",
            ),
            "delete": op(
                "Remove an attachment",
                "attachments",
                None,
                status="204",
                params=[id_param("attachment_id")],
            ),
        },
    }
)

# Assignment plans (交办方案, api/plans.py): the template sheet, an uploaded plan checked row by
# row, reading it and applying it.
CODES = {"type": "array", "items": STR}
SCHEMAS["AssignmentPlan"] = obj(
    ["id", "filename", "created_by", "created_at", "applied_by", "applied_at", "applicable"]
    + ["rows", "errors"],
    id=ID,
    filename=STR,
    created_by=STR,
    created_at=DATETIME,
    applied_by=N_STR,
    applied_at=N_DATETIME,
    applicable=BOOL,
    rows={
        "type": "array",
        "items": obj(
            ["row", "proposal_id", "number", "lead", "co", "split", "due_date"],
            row=INT,
            session_id=nullable(ID),
            session=STR,
            number=N_INT,
            number_label=N_STR,
            proposal_id=nullable(ID),
            title=STR,
            lead=N_STR,
            co=CODES,
            split=CODES,
            due_date=N_DATE,
        ),
    },
    errors={"type": "array", "items": obj(["row", "message"], row=INT, message=STR)},
)
PLAN_UPLOAD = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
    "description": "The filled sheet (.xlsx or .csv, header on line 1, at most 5 MB)",
}
PLAN_CREATE = op(
    "Upload a plan: every row checked and the plan kept, nothing assigned (secretariat)",
    "assignment-plans",
    ref("AssignmentPlan"),
    status="201",
)
PLAN_CREATE["requestBody"] = PLAN_UPLOAD
PATHS.update(
    {
        "/assignment-plans/template.xlsx": {
            "get": op(
                "The filed proposals waiting for assignment, as the plan's sheet (secretariat)",
                "assignment-plans",
                None,
                media=XLSX,
            )
        },
        "/assignment-plans": {"post": PLAN_CREATE},
        "/assignment-plans/{plan_id}": {
            "get": op(
                "A plan with its checked rows and errors (secretariat)",
                "assignment-plans",
                ref("AssignmentPlan"),
                params=[id_param("plan_id")],
            )
        },
        "/assignment-plans/{plan_id}/apply": {
            "post": op(
                "Apply a plan without errors, all or nothing, every row checked again "
                "(secretariat)",
                "assignment-plans",
                {
                    "allOf": [
                        ref("AssignmentPlan"),
                        obj(["assigned"], assigned={"type": "array", "items": ID}),
                    ]
                },
                params=[id_param("plan_id")],
            )
        },
    }
)

# long documents built in the background (api/exports.py, documents/jobs.py)
EXPORT_STATES = ["queued", "running", "done", "failed"]
SCHEMAS["Export"] = obj(
    ["id", "kind", "format", "params", "state", "progress", "created_at", "finished_at"],
    optional={"download": STR, "file_name": STR, "error": STR},
    id=ID,
    kind=enum(["compilation", "assignment_list"]),
    format=enum(["docx", "pdf"]),
    params=obj(year=INT, session=ID),
    state=enum(EXPORT_STATES),
    progress={"type": "number", "minimum": 0, "maximum": 1},
    created_at=DATETIME,
    finished_at=N_DATETIME,
)
EXPORT_FILE = op(
    "The built file of an export, Word or PDF (its requester; 409 until built)",
    "exports",
    None,
    params=[id_param("export_id")],
    media=DOCX,
)
EXPORT_FILE["responses"]["200"]["content"]["application/pdf"] = {
    "schema": {"type": "string", "format": "binary"}
}
EXPORT_REQUEST = op(
    "Queue a long document: the compilation or the assignment list of a year or a "
    "session, as Word or PDF (secretariat)",
    "exports",
    obj(["id", "state"], id=ID, state=enum(["queued"])),
    status="202",
    body=body_obj(
        kind=enum(["compilation", "assignment_list"]),
        format=enum(["docx", "pdf"]),
        year={"type": "integer", "minimum": 1900, "maximum": 9998},
        session=ID,
    ),
    body_required=True,
)
EXPORT_REQUEST["responses"]["202"]["description"] = "Accepted: the export is queued"
PATHS.update(
    {
        "/exports": {"post": EXPORT_REQUEST},
        "/exports/{export_id}": {
            "get": op(
                "An export's state and progress (its requester)",
                "exports",
                ref("Export"),
                params=[id_param("export_id")],
            )
        },
        "/exports/{export_id}/file": {"get": EXPORT_FILE},
    }
)

# official documents (公文) of one record, and the annual section (api/documents.py)
PDF = "application/pdf"
UNAVAILABLE = {
    "description": "PDF asked for but the server cannot make one (no LibreOffice, or the "
    "conversion failed: `unavailable`); the .docx is still served",
    "content": {JSON: {"schema": ref("Error")}},
}


def document(summary, tag, params, fmt):
    out = op(summary, tag, None, params=params, media=PDF if fmt == "pdf" else DOCX)
    if fmt == "pdf":
        out["responses"]["503"] = UNAVAILABLE
    return out


for _fmt in ("docx", "pdf"):
    _kind = "Word" if _fmt == "docx" else "PDF"
    PATHS.update(
        {
            f"/replies/{{reply_id}}/letter.{_fmt}": {
                "get": document(
                    f"答复函 (reply letter), {_kind}: whoever may see the reply, once delivered "
                    "(409 before)",
                    "replies",
                    [id_param("reply_id")],
                    _fmt,
                )
            },
            f"/replies/{{reply_id}}/opinion-form.{_fmt}": {
                "get": document(
                    f"征询意见表 (paper opinion form), {_kind}: the secretariat and the "
                    "proposers, once delivered",
                    "replies",
                    [id_param("reply_id")],
                    _fmt,
                )
            },
            f"/assignments/{{assignment_id}}/notice.{_fmt}": {
                "get": document(
                    f"交办通知书 (assignment notice), {_kind}: the secretariat, the unit, "
                    "its supervising office",
                    "assignments",
                    [id_param("assignment_id")],
                    _fmt,
                )
            },
            f"/proposals/{{proposal_id}}/not-filed-notice.{_fmt}": {
                "get": document(
                    f"不予立案告知书 (not-filed notice), {_kind}: the secretariat and the "
                    "proposers of a not-filed proposal",
                    "proposals",
                    [id_param("proposal_id")],
                    _fmt,
                )
            },
            f"/stats/annual.{_fmt}": {
                "get": document(
                    f"提案工作情况 (the annual report section), {_kind} (secretariat)",
                    "stats",
                    PERIOD,
                    _fmt,
                )
            },
        }
    )

# ---------------------------------------------------------------------------------- assembly


def to_openapi_path(rule):
    """/api/v1/proposals/<int:proposal_id> → /proposals/{proposal_id}"""
    import re

    path = rule[len(bp.url_prefix) :] if rule.startswith(bp.url_prefix) else rule
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", path)


def api_rules(app):
    """(OpenAPI path, lower-case method) of every /api/v1 route of the app."""
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(bp.url_prefix + "/") or rule.rule == bp.url_prefix:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                out.add((to_openapi_path(rule.rule), method.lower()))
    return out


def described_paths(app=None):
    paths = copy.deepcopy(PATHS)
    present = {path for path, _m in api_rules(app)} if app is not None else set()
    for path, item in OPTIONAL_PATHS.items():
        if path in present:
            paths[path] = copy.deepcopy(item)
    extra = getattr(app, "extensions", {}).get("openapi_paths", {}) if app else {}
    for path, item in extra.items():  # other modules may register their own descriptions
        paths.setdefault(path, {}).update(copy.deepcopy(item))
    for path, item in paths.items():
        for method, operation in item.items():
            operation["operationId"] = method + path.replace("/", "_").replace("{", "").replace(
                "}", ""
            ).replace(".", "_").replace("-", "_")
    return paths


def build_spec(app=None):
    responses = {
        f"E{code}": {"description": text, "content": {JSON: {"schema": ref("Error")}}}
        for code, text in ERROR_CODES.items()
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "提案工作系统 JSON API",
            "version": "1",
            "description": "See docs/api.md. Errors always have the shape "
            '{"error": {"code", "message", "fields"}}.',
        },
        "servers": [{"url": bp.url_prefix}],
        "security": [{"bearerAuth": []}],
        "paths": described_paths(app),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": copy.deepcopy(SCHEMAS),
            "responses": responses,
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    """No login needed: the description holds no data."""
    return jsonify(build_spec(current_app._get_current_object()))
