"""Small things every page shows: the favicon, the audit log's times and labels, the kind and
breadcrumb of a proposal awaiting co-signers, one timeline entry per assignment, and readable
header links."""

import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select

from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.notifications.models import Notification
from proposals.security.audit import REFUSALS
from proposals.security.models import AuditEvent
from proposals.web.account import AUDIT_KIND_LABELS
from proposals.workflow import operations as ops
from proposals.workflow.core import ACTION_LABELS, loaded
from proposals.workflow.models import HistoryEntry
from proposals.workflow.timeline import timeline

from .. import flows

ROOT = Path(__file__).resolve().parents[2]
TIMELINE = re.compile(r'<ol class="timeline[^"]*" data-testid="timeline">(.*?)</ol>', re.S)
BREADCRUMB = re.compile(r'<li class="breadcrumb-item active" aria-current="page">(.*?)</li>', re.S)


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# ------------------------------------------------------------------ 1. the favicon


def test_favicon_is_served_to_anyone_as_a_cacheable_icon(web):
    response = web().get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/x-icon"
    body = response.get_data()
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header: reserved 0, type 1 (icon)
    assert int.from_bytes(body[4:6], "little") >= 1  # at least one image
    assert response.cache_control.public and response.cache_control.max_age >= 86400


def test_every_page_links_the_favicon(web, world):
    for client, path in ((web(), "/login"), (web(world.member), "/")):
        html = page(client, path)
        link = re.search(r'<link rel="icon" href="([^"]+)"', html)
        assert link, path
        assert web().get(link.group(1)).status_code == 200


# ------------------------------------------------------------------ 2. the audit log


def audit_row(kind, when):
    db.session.add(
        AuditEvent(
            created_at=when,
            actor_username="m1",
            address="127.0.0.1",
            method="POST",
            path="/proposals/1/submit",
            kind=kind,
            status=200,
        )
    )


def test_audit_log_shows_beijing_time_and_chinese_labels_with_the_code(web, world):
    when = datetime(2026, 3, 1, 2, 30, 5, tzinfo=UTC)  # 10:30:05 in Beijing
    for kind in AUDIT_KIND_LABELS:
        audit_row(kind, when)
    db.session.commit()
    html = page(web(world.admin), "/account/audit?user=m1")
    assert "2026-03-01 10:30:05" in html
    assert "02:30:05" not in html and " UTC" not in html
    cells = re.findall(r'<td data-testid="audit-kind" title="([a-z_]+)">([^<]*)<code', html)
    assert sorted(code for code, _label in cells) == sorted(AUDIT_KIND_LABELS)
    for code, shown in cells:
        assert shown.strip() == AUDIT_KIND_LABELS[code], code
    options = dict(re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]*)</option>', html))
    assert options == AUDIT_KIND_LABELS


def test_every_kind_the_audit_records_has_a_label():
    """The kinds come from the code that writes them: note("…") calls, the refusals, and the
    two that audit.py derives (action, error)."""
    noted = set()
    for path in (ROOT / "proposals").rglob("*.py"):
        noted |= set(re.findall(r'audit\.note\(\s*"([a-z_]+)"', path.read_text("utf-8")))
    audit_py = (ROOT / "proposals/security/audit.py").read_text("utf-8")
    derived = set(re.findall(r'"(action|error)"', audit_py))
    recorded = noted | set(REFUSALS.values()) | derived
    assert {"login_ok", "action", "error", "refused"} <= recorded  # the scan found them
    assert recorded <= set(AUDIT_KIND_LABELS), recorded - set(AUDIT_KIND_LABELS)
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in AUDIT_KIND_LABELS.values())


# ------------------------------------------------------------------ 3. awaiting co-signers


def test_a_proposal_awaiting_cosigners_is_joint_and_says_so(web, api, world):
    p = flows.draft(world, cosigners=[world.member2])
    ops.submit_proposal(world.member, p)
    db.session.commit()
    assert p.state == "awaiting_cosigners" and p.kind == "joint"
    html = page(web(world.member), f"/proposals/{p.id}")
    assert "联名提案" in html and "个人提案" not in html
    assert [c.strip() for c in BREADCRUMB.findall(html)] == ["待联名确认"]
    assert api(world.member).get(f"/proposals/{p.id}").get_json()["kind"] == "joint"


def test_a_joint_proposal_nobody_joined_is_individual_again(world):
    declined = flows.draft(world, cosigners=[world.member2])
    ops.submit_proposal(world.member, declined)
    ops.respond_to_invitation(world.member2, declined, False)
    withdrawn = flows.draft(world, cosigners=[world.member2])
    ops.submit_proposal(world.member, withdrawn)
    ops.withdraw_proposal(world.member, withdrawn, "重复提交")
    accepted = flows.submitted(world, cosigners=[world.member2])
    db.session.commit()
    assert (declined.state, declined.kind) == ("submitted", "individual")
    assert (withdrawn.state, withdrawn.kind) == ("withdrawn", "individual")
    assert (accepted.state, accepted.kind) == ("submitted", "joint")


def test_a_draft_keeps_its_breadcrumb_and_a_received_proposal_its_serial(web, world):
    draft = flows.draft(world)
    received = flows.submitted(world)
    assert [
        c.strip() for c in BREADCRUMB.findall(page(web(world.member), f"/proposals/{draft.id}"))
    ] == ["草稿"]
    html = page(web(world.member), f"/proposals/{received.id}")
    assert [c.strip() for c in BREADCRUMB.findall(html)] == [f"收件号 {received.receipt_serial}"]


# ------------------------------------------------------------------ 4. one entry per assignment


def test_an_assignment_is_one_timeline_entry_naming_every_unit(web, api, world):
    p = flows.assigned(world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")])
    rows = db.session.scalars(
        select(HistoryEntry.action).where(HistoryEntry.proposal_id == p.id)
    ).all()
    assert rows.count("assign") == 1 and rows.count("assign_unit") == 2  # the record stays whole

    timeline_html = TIMELINE.search(page(web(world.secretariat), f"/proposals/{p.id}")).group(1)
    steps = re.findall(r"<div>([^<：]+)[：<]", timeline_html)  # each entry's action label
    assert steps == [ACTION_LABELS[a] for a in ("create", "submit", "file", "assign")]
    assert "市住房和城乡建设局（主办）" in timeline_html and "市财政局（会办）" in timeline_html

    history = api(world.secretariat).get(f"/proposals/{p.id}").get_json()["history"]
    assert [h["action"] for h in history] == ["create", "submit", "file", "assign"]

    # each unit was still told of its assignment (notifications read the assign_unit rows)
    told = db.session.scalars(
        select(Notification.recipient_id).where(Notification.kind == "assignment_new")
    ).all()
    assert world.clerk_a.id in told and world.clerk_b.id in told


def test_an_approved_reassignment_still_shows_the_new_unit(web, world):
    p = flows.assigned(world)
    a = loaded(p, "assignments").assignments[0]
    hops.request_reassignment(world.clerk_a, a, "不属于本单位职责")
    hops.decide_reassignment(
        world.secretariat, a, {"approve": True, "department": "JYJ", "comment": "改由教育局"}
    )
    db.session.commit()
    timeline_html = TIMELINE.search(page(web(world.secretariat), f"/proposals/{p.id}")).group(1)
    steps = re.findall(r"<div>([^<：]+)[：<]", timeline_html)
    assert steps.count(ACTION_LABELS["assign"]) == 1
    assert steps.count(ACTION_LABELS["assign_unit"]) == 1  # the new unit, not folded away
    assert "市教育局" in timeline_html


def entry(action, actor_id=1, second=0):
    return SimpleNamespace(
        action=action, actor_id=actor_id, created_at=datetime(2026, 3, 1, 2, 0, second, tzinfo=UTC)
    )


def test_timeline_folds_only_the_unit_rows_of_the_same_assignment():
    assign, unit_a, unit_b = entry("assign"), entry("assign_unit"), entry("assign_unit")
    later = entry("assign_unit", second=9)  # a reassignment approved afterwards
    other = entry("assign_unit", actor_id=2)  # someone else at the same moment
    assert timeline([assign, unit_a, unit_b, later]) == [assign, later]
    assert timeline([assign, other]) == [assign, other]
    assert timeline([unit_a, assign, unit_b]) == [unit_a, assign]
    accept = entry("accept")
    assert timeline([assign, accept, unit_a]) == [assign, accept, unit_a]


# ------------------------------------------------------------------ 5. header contrast


def luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def hex_rgb(value):
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))


def declarations(css, selector):
    """The declarations of every rule whose selector list is exactly ``selector``, merged."""
    found = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if [s.strip() for s in selectors.split(",")] == [selector]:
            for name, value in re.findall(r"([-\w]+)\s*:\s*([^;]+)", body):
                found[name.strip()] = value.strip()
    return found


def test_every_header_link_reaches_wcag_aa_against_the_header(web, world):
    css = re.sub(r"/\*.*?\*/", "", (ROOT / "proposals/static/css/app.css").read_text(), flags=re.S)
    ground = hex_rgb(declarations(css, ".bg-gov")["background-color"])
    navbar = declarations(css, ".navbar.bg-gov")
    active = declarations(css, ".navbar.bg-gov .nav-link.active")
    for var in ("--bs-navbar-color", "--bs-navbar-hover-color", "--bs-navbar-brand-color"):
        assert contrast(hex_rgb(navbar[var]), ground) >= 4.5, var
    active_ground = hex_rgb(active["background-color"])
    assert contrast(hex_rgb(navbar["--bs-navbar-active-color"]), active_ground) >= 4.5
    # the current page stands apart from the others by more than colour of text
    assert active_ground != ground and active.get("font-weight") in ("bold", "700")
    # and the header these rules style is the one every page has
    html = page(web(world.member), "/")
    assert 'class="navbar navbar-expand-lg navbar-dark bg-gov"' in html
    assert 'class="nav-link active" aria-current="page"' in html
