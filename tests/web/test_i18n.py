"""Chinese first, English complete: the catalog covers every msgid in the sources, the committed
.mo is the compiled .po, English pages carry no Chinese but the users' own data, and the API
and the command line stay Chinese by default."""

import io
import os
import re
from datetime import date
from html import unescape

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask import g
from flask_babel import force_locale

from proposals.accounts.service import HEADERS, ORG_WORDS, ROLE_WORDS
from proposals.committee import service as committee
from proposals.committee import settings as committee_settings
from proposals.committee.calendar import coverage_note, official_years
from proposals.committee.models import Holiday
from proposals.errors import ValidationError
from proposals.extensions import db
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CATALOG_DIR = os.path.join(ROOT, "proposals", "translations", "en", "LC_MESSAGES")
PO = os.path.join(CATALOG_DIR, "messages.po")
MO = os.path.join(CATALOG_DIR, "messages.mo")
# Chinese that English pages still show, each waiting for a change in a file owned elsewhere:
# history comments are stored in Chinese when written (proposals/workflow/operations.py
# assign_proposal: "<unit>（主办）"), and Proposal.number_label (proposals/workflow/models.py)
# still builds 第0001号 without gettext (the catalog already has "第%(n)s号").
KNOWN_GAPS = {"（主办）", "（会办）", "（分办）"}
# the language switcher names each language in itself
ENDONYMS = {"中文"}
NUMBER_LABEL = re.compile(r"第\d{4}号")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # Chinese characters
# full-width punctuation (（）：；、。，) left next to translated words: "Reply deadline："
CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]")


def _mapping():
    """babel.cfg, read the way pybabel reads it."""
    try:
        from babel.messages.frontend import parse_mapping_cfg as parse
    except ImportError:  # Babel < 2.14
        from babel.messages.frontend import parse_mapping as parse
    with open(os.path.join(ROOT, "babel.cfg"), encoding="utf-8") as fh:
        return parse(fh)


def source_msgids():
    """{msgid: [where]} extracted from the current sources, as scripts/i18n.sh does."""
    method_map, options_map = _mapping()
    keywords = dict(DEFAULT_KEYWORDS, _l=None, N_=None, lazy_gettext=None)
    found = {}

    def only_the_package(path):  # not .venv, tests, test-artifacts …
        return os.path.relpath(path, ROOT).split(os.sep)[0] in (".", "proposals")

    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords, directory_filter=only_the_package
    ):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def read_catalog():
    with open(PO, "rb") as fh:
        return read_po(fh)


def translated(message):
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(s and s.strip() for s in strings)


# --- (a) the English catalog is complete ---------------------------------------------------------


def test_every_msgid_in_the_sources_has_an_english_translation():
    catalog = read_catalog()
    found = source_msgids()
    assert len(found) > 500  # the extraction did run over the package
    missing = sorted(
        msgid for msgid in found if catalog.get(msgid) is None or not translated(catalog.get(msgid))
    )
    assert not missing, (
        f"{len(missing)} msgid(s) without an English translation; run scripts/i18n.sh and "
        "translate them in proposals/translations/en/LC_MESSAGES/messages.po:\n"
        + "\n".join(f"  {m!r}  ({found[m][0]})" for m in missing)
    )


def test_translations_keep_the_placeholders():
    catalog = read_catalog()
    problems = [f"{m.id!r}: {err}" for m, errors in catalog.check() for err in errors]
    assert not problems, "\n".join(problems)
    for message in catalog:
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            names = set(re.findall(r"%\((\w+)\)", ids[0]))
            for string in strings:
                assert set(re.findall(r"%\((\w+)\)", string)) == names, message.id


# --- (b) the committed .mo is the compiled .po ---------------------------------------------------


def messages_of(catalog):
    """{msgid: msgstr} with plural forms as tuples."""

    def key(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {key(m.id): key(m.string) for m in catalog if m.id}


def test_the_committed_mo_matches_the_po():
    compiled = io.BytesIO()
    write_mo(compiled, read_catalog())
    compiled.seek(0)
    expected = messages_of(read_mo(compiled))
    with open(MO, "rb") as fh:
        committed = messages_of(read_mo(fh))
    stale = sorted(
        k for k in expected.keys() | committed.keys() if expected.get(k) != committed.get(k)
    )
    assert not stale, "messages.mo is out of date (run scripts/i18n.sh): " + ", ".join(
        repr(k) for k in stale[:20]
    )


# --- (c) English pages: no Chinese but the users' own data ---------------------------------------


def english(client):
    client.post("/lang/en", data={"next": "/"})
    return client


def page(client, path, method="GET", **kwargs):
    # the tests share one app context between requests: forget the locale Flask-Babel cached
    # on g for the previous request
    g.pop("_flask_babel", None)
    response = client.open(path, method=method, **kwargs)
    g.pop("_flask_babel", None)
    return response


def chinese_left(html, user_data):
    """The Chinese text and full-width punctuation in ``html`` (attributes such as aria-label
    and placeholder included) once the users' own data is taken out, each with a little of its
    surroundings."""
    text = NUMBER_LABEL.sub(" ", unescape(html))
    for value in sorted(set(user_data) | ENDONYMS, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"\s+", " ", text)
    return sorted(
        {
            text[max(m.start() - 20, 0) : m.end() + 20]
            for m in re.finditer(f"(?:{HAN.pattern}|{CJK_PUNCTUATION.pattern})+", text)
        }
    )


def user_data(world, *proposals):
    data = {world.unit_a.name, world.unit_b.name, world.unit_c.name}
    for user in (
        world.member,
        world.member2,
        world.member3,
        world.org,
        world.secretariat,
        world.admin,
        world.clerk_a,
        world.head_a,
        world.clerk_b,
        world.head_b,
        world.clerk_c,
    ):
        data.add(user.name)
    for p in proposals:
        data.update({p.title, p.analysis, p.suggestions})
    return {d for d in data if d}


def test_the_member_home_page_in_english(world, web):
    p = flows.submitted(world)
    html = page(english(web(world.member)), "/").get_data(as_text=True)
    assert 'lang="en"' in html
    for text in (
        "Home",
        "My proposals",
        "Sign out",
        "Hello, ",
        "Co-signing invitations awaiting your answer",
        "Recently submitted proposals",
        "Awaiting review",
        "Proposal Handling System",
    ):
        assert text in html, text
    assert not chinese_left(html, user_data(world, p))


@pytest.mark.parametrize(
    "who, expected",
    [
        (
            "secretariat",
            ("Awaiting filing review", "Awaiting assignment", "Proposals Committee Office"),
        ),
        ("clerk_a", ("To handle (work first)", "Our assignments", "Unit clerk")),
        ("head_a", ("Replies awaiting sign-off", "Unit head")),
        ("admin", ("Administration", "Users", "Settings", "System administrator")),
    ],
)
def test_each_role_home_page_in_english(world, web, who, expected):
    p = flows.assigned(world)
    html = page(english(web(getattr(world, who))), "/").get_data(as_text=True)
    for text in expected:
        assert text in html, text
    leftovers = chinese_left(html, user_data(world, p))
    assert not leftovers, leftovers


def test_the_proposal_page_in_english(world, web):
    p = flows.submitted(world)
    response = page(english(web(world.member)), f"/proposals/{p.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (
        "First proposer",
        "Background",
        "Suggestions",
        "History",
        "Awaiting review",
        f"Receipt No. {p.receipt_serial}",
        "Social development",
        "Individual proposal",
        "My actions",
        "Withdraw",
    ):
        assert text in html, text
    assert re.search(r"Term 10, Session \d+", html)  # the session, not 第十届第…次会议
    assert not chinese_left(html, user_data(world, p))


def test_a_filed_and_assigned_proposal_in_english(world, web):
    p = flows.assigned(world)
    html = page(english(web(world.clerk_a)), f"/proposals/{p.id}").get_data(as_text=True)
    for text in ("Filed", "Assigned", "Awaiting acceptance", "Lead", "Reply deadline", "days left"):
        assert text in html, text
    leftovers = chinese_left(html, user_data(world, p) | KNOWN_GAPS)
    assert not leftovers, leftovers


def test_the_admin_settings_page_in_english(world, web):
    committee_settings.set_value("reply_due_months", "4")
    db.session.add(
        Holiday(day=date(official_years()[1] + 1, 10, 1), is_workday=False, name="国庆节")
    )
    db.session.commit()
    html = page(english(web(world.admin)), "/admin/settings").get_data(as_text=True)
    for text in (
        "Settings",
        "Working-day calendar",
        "The official holiday data",
        "Changed (default 3)",
        "Holiday",
    ):
        assert text in html, text
    assert "holidays add" not in html  # the command is for the command line's note
    # the result codes' wordings are the committee's own text, shown as written
    wordings = committee_settings.SPECS["result_code_labels"].default
    leftovers = chinese_left(html, user_data(world) | {"国庆节", ",".join(wordings), *wordings})
    assert not leftovers, leftovers


def test_the_calendar_note_suits_the_command_line_and_the_settings_page(app):
    last = official_years()[1]
    today = date(last, 6, 1)  # next year's deadlines need the admin's holiday table
    assert HAN.search(coverage_note(today)) and "holidays add" in coverage_note(today)
    assert "holidays add" not in coverage_note(today, page=True)
    with app.test_request_context("/"), force_locale("en"):
        for_the_page = coverage_note(today, page=True)
        for_the_command = coverage_note(today)
        covered = coverage_note(date(last - 1, 6, 1), page=True)
    assert "holiday table below" in for_the_page and "holidays add" not in for_the_page
    assert "holidays add" in for_the_command and str(last + 1) in for_the_command
    assert f"{official_years()[0]}–{last}" in covered
    for note in (for_the_page, for_the_command, covered):
        assert not HAN.search(note), note


def test_a_units_assignment_page_in_english(world, web):
    p, reply = flows.replied(world, result="B")
    a = loaded(p, "assignments").assignments[0]
    html = page(english(web(world.clerk_a)), f"/assignments/{a.id}").get_data(as_text=True)
    # the result code's wording is the committee's own text, shown as written
    for text in ("Handling details", "Deadlines", "Phone: ", "B · 正在解决或列入计划"):
        assert text in html, text
    leftovers = chinese_left(html, user_data(world, p) | {"电话沟通", "正在解决或列入计划"})
    assert not leftovers, leftovers


def test_the_lists_in_english(world, web):
    p = flows.assigned(world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")])
    client = english(web(world.secretariat))
    html = page(client, "/proposals").get_data(as_text=True)
    a, b = world.unit_a.name, world.unit_b.name
    assert f"{a}, {b}" in html or f"{b}, {a}" in html, "the units, joined the English way"
    for text in ("Keyword", "Social development", "Individual proposal", "Assigned"):
        assert text in html, text
    leftovers = chinese_left(html, user_data(world, p))
    assert not leftovers, leftovers
    html = page(client, "/assignments").get_data(as_text=True)
    for text in ("Lead", "Co-handling", "Awaiting acceptance"):
        assert text in html, text
    leftovers = chinese_left(html, user_data(world, p))
    assert not leftovers, leftovers


def test_bad_list_filters_are_explained_in_english(world, web):
    client = english(web(world.secretariat))
    response = page(client, "/proposals?state=nope&year=soon&page=0")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for text in (
        "Unknown status",
        "Must be a whole number",
    ):
        assert text in html, text
    assert not chinese_left(html, user_data(world))
    response = page(client, "/assignments.csv?overdue=maybe")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Overdue: " in html
    assert not chinese_left(html, user_data(world))


def test_admin_refusals_in_english(world, web):
    client = english(web(world.admin))
    response = page(
        client,
        "/admin/users/new",
        "POST",
        data={
            "username": "!",
            "name": "",
            "role": "member",
            "password": "short",
            "department": world.unit_b.code,
            "email": "not-an-address",
            "phone": "",
            "org_type": "",
            "sector": "",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for text in (
        "Invalid username “!”",
        "Name is required",
        "The password must be at least 8 characters long",
        "Only clerks and unit heads belong to a handling unit",
        "“not-an-address” is not a valid email address",
    ):
        assert text in html, text
    assert not chinese_left(html, user_data(world))
    csv = "username,name,role,password,department\nbad1,Bad,clerk,password-1,NOPE\n"
    response = page(
        client,
        "/admin/users/import",
        "POST",
        data={"file": (io.BytesIO(csv.encode()), "users.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Line 2: Unknown unit code “NOPE”" in html
    # the page lists the Chinese column names and words an import file may use
    input_words = set(HEADERS) | set(ROLE_WORDS) | set(ORG_WORDS)
    leftovers = chinese_left(html, user_data(world) | input_words)
    assert not leftovers, leftovers


def test_a_percent_sign_in_an_admins_category_name_breaks_no_page(world, web):
    committee.create_reference("category", "carbon", "降碳 50%")
    db.session.commit()
    p = flows.submitted(world, category="carbon")
    for client in (web(world.member), english(web(world.member))):
        for path in (f"/proposals/{p.id}", "/proposals"):
            response = page(client, path)
            assert response.status_code == 200, path
            assert "降碳 50%" in response.get_data(as_text=True)


def test_an_error_page_in_english(world, web):
    client = english(web(world.member))
    response = page(client, "/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "Page not found" in html
    assert "Back to the home page" in html
    assert not chinese_left(html, user_data(world))


def test_a_refusal_from_an_operation_is_in_english(world, web):
    p = flows.submitted(world)
    client = english(web(world.member))
    response = page(client, f"/proposals/{p.id}/cosign", "POST", data={"accept": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "You have not been invited to co-sign this proposal" in html
    assert not chinese_left(html, user_data(world, p))


def test_the_language_can_be_switched_back_to_chinese(world, web):
    client = english(web(world.member))
    client.post("/lang/zh_CN", data={"next": "/"})
    html = page(client, "/").get_data(as_text=True)
    assert "我的提案" in html and "My proposals" not in html


# --- (d) Chinese by default: the API, the operations outside a request, the command line ---------


def test_an_api_validation_error_is_in_chinese(world, api):
    r = api(world.member).post("/proposals", json={"category": "society"})
    assert r.status_code == 400
    error = r.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"]["title"] == "请填写案由"
    assert HAN.search(error["message"])


def test_an_api_refusal_is_in_chinese(world, api):
    r = api(world.member).get("/proposals/999999")
    assert r.status_code == 404 and r.get_json()["error"]["message"] == "提案不存在"


def test_api_state_labels_are_chinese(world, api):
    p = flows.submitted(world)
    body = api(world.member).get(f"/proposals/{p.id}").get_json()
    assert body["state_label"] == "待审查"


def test_operations_outside_a_request_speak_chinese(world):
    with pytest.raises(ValidationError) as exc:
        ops.create_proposal(world.member, world.content(title="", suggestions="x" * 6000))
    assert exc.value.fields["title"] == "请填写案由"
    assert exc.value.fields["suggestions"] == "具体建议不能超过 5000 个字"


def test_operations_in_an_english_request_speak_english(world, app):
    from flask_babel import force_locale

    with (
        app.test_request_context("/"),
        force_locale("en"),
        pytest.raises(ValidationError) as exc,
    ):
        ops.create_proposal(world.member, world.content(title="", suggestions="x" * 6000))
    assert exc.value.fields["title"] == "Title is required"
    assert exc.value.fields["suggestions"] == "Suggestions must not be longer than 5000 characters"


def test_a_command_line_message_is_in_chinese(world, runner):
    result = runner.invoke(args=["settings", "set", "no_such_setting", "1"])
    assert result.exit_code != 0
    assert "未知的设置项 no_such_setting" in result.output
    result = runner.invoke(args=["settings", "set", "reply_due_months", "13"])
    assert result.exit_code != 0 and "应在 1 到 12 之间" in result.output
