"""Headless Chromium and axe-core (tests/browser/axe.py): every HTML page each kind of person
may open, on a desktop (1280 px) and a phone (360 px), has no WCAG 2.2 A/AA violation of impact
serious or critical; the keyboard reaches the main actions with a visible focus.

The pages are not a hand-kept list: they come from the access table (tests/security/
access_table.py ROUTES) over the access matrix's world (access_helpers.build_world, a proposal
in every state with its assignments and replies), each GET route the table allows the person,
kept when it answers 200 with HTML. A route is tried on the first and the last record state
allowed (a draft and a closed proposal, say), its form pages on the last one only, which keeps
the sweep short. Each page is loaded
once, axe injected once and run at 1280 px, then the window narrowed to 360 px and axe run
again over the same page."""

import re
import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from proposals.extensions import db

from ..chromium import LiveServer, make_driver, quit_driver, require_browser, shot
from ..security.access_helpers import PASSWORD, USERNAMES, build_world, global_targets
from ..security.access_table import ALLOW, ROUTES, Facts
from ..security.test_access_matrix import SCENARIOS_OF, build_url, has_target, limiter_off
from . import axe

pytestmark = [pytest.mark.browser, pytest.mark.one_database("sqlite")]

DESKTOP_1280 = (1280, 900)
PHONE_360 = (360, 800)

# each kind of person, as the access matrix's principal standing for it
PEOPLE = {
    "member": "owner",
    "organisation": "org",
    "clerk": "lead_clerk",
    "department_head": "lead_head",
    "secretariat": "sec",
    "office": "office",
    "admin": "admin",
    "anonymous": "anon",
}


def candidate_urls(principal, scenarios, targets):
    """{rule: [url, …]}: each GET page route outside the API the table allows ``principal``:
    a record's page on the first and the last scenario allowed, any other on the last."""
    out = {}
    for (rule, method), route in sorted(ROUTES.items()):
        if method != "GET" or rule.startswith("/api/") or "." in rule.rsplit("/", 1)[-1]:
            continue  # the API and the files (.csv, .xlsx, .pdf …): no page to read
        allowed = []
        for name in route.scenarios or SCENARIOS_OF[route.kind]:
            scenario = scenarios[name] if name else None
            if scenario is not None and not has_target(route.kind, scenario):
                continue
            if route.expect(Facts(principal, scenario, route.kind)) == ALLOW:
                allowed.append(build_url(rule, route.kind, scenario, targets) + route.query)
        if allowed:
            # a record's own page in its earliest and latest state; its forms in the latest
            ends = [allowed[0], allowed[-1]] if rule.endswith("_id>") else [allowed[-1]]
            out[rule] = list(dict.fromkeys(ends))
    return out


def html_pages(principal, users, scenarios, targets, web):
    """The URLs of ``principal``'s pages that answer 200 with HTML (downloads, files and
    redirects left out)."""
    client = web(users[principal]) if users[principal] is not None else web()
    pages = []
    for urls in candidate_urls(principal, scenarios, targets).values():
        for url in urls:
            resp = client.get(url)
            if resp.status_code == 200 and resp.mimetype == "text/html":
                pages.append(url)
    db.session.commit()
    db.session.close()  # no transaction held while the browser works
    return pages


def log_in(driver, url, username):
    driver.get(url + "/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "submit").click()
    driver.find_element(By.CSS_SELECTOR, "[data-testid=current-user]")


@pytest.fixture()
def swept_world(app, world):
    scenarios, users = build_world(world)
    targets = global_targets(world)
    saved = limiter_off(app)
    yield scenarios, users, targets
    for lim, state in saved:
        lim.enabled = state


@pytest.mark.parametrize("person", list(PEOPLE))
def test_every_page_passes_axe_on_a_desktop_and_a_phone(app, swept_world, web, person, capsys):
    require_browser()
    source = axe.source()  # before the browser starts: a failed download fails here
    assert "axe" in source
    started = time.perf_counter()
    scenarios, users, targets = swept_world
    principal = PEOPLE[person]
    pages = html_pages(principal, users, scenarios, targets, web)
    expected = {"/login", "/public"} if person == "anonymous" else {"/"}
    assert expected <= set(pages), f"{person}: {pages}"
    found = []
    with LiveServer(app) as server:
        driver = make_driver(DESKTOP_1280)
        try:
            if person != "anonymous":
                log_in(driver, server.url, USERNAMES[principal])
            for url in pages:
                driver.set_window_size(*DESKTOP_1280)
                driver.get(server.url + url)
                desktop = axe.blocking(axe.run(driver))
                found += axe.describe(desktop, f"{url} @1280")
                driver.set_window_size(*PHONE_360)
                phone = axe.blocking(axe.run(driver))
                found += axe.describe(phone, f"{url} @360")
                if desktop or phone:
                    shot(driver, f"axe-{person}-{re.sub(r'[^a-z0-9]+', '-', url)}")
        finally:
            quit_driver(driver)
    with capsys.disabled():
        print(
            f"\naxe sweep, {person}: {len(pages)} pages × 2 widths "
            f"in {time.perf_counter() - started:.1f}s"
        )
    assert not found, f"{len(found)} serious/critical axe violations:\n" + "\n".join(found)


# ------------------------------------------------------------------ keyboard

# The focused element and whether its focus is drawn: an outline or a box shadow (Bootstrap's
# focus ring) that differs from the same element's look unfocused is not measurable from the
# computed style alone, so the test asks for a visible outline or a focus box shadow.
FOCUS = """
const el = document.activeElement;
const s = getComputedStyle(el);
const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
const ring = s.boxShadow && s.boxShadow !== 'none';
const r = el.getBoundingClientRect();
return {tag: el.tagName, id: el.id, name: el.getAttribute('name'), type: el.getAttribute('type'),
        text: (el.textContent || el.value || '').trim().slice(0, 30),
        href: el.getAttribute('href'), visible: outline || ring,
        shown: r.width > 0 && r.height > 0};
"""


def tab_through(driver, limit=150):
    """Press Tab from the top of the page until the focus comes back round; each stop."""
    driver.execute_script("document.activeElement.blur(); window.scrollTo(0, 0);")
    stops = []
    for _ in range(limit):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        stop = driver.execute_script(FOCUS)
        if stop["tag"] == "BODY" or (stops and stop == stops[0]):
            break
        stops.append(stop)
    return stops


@pytest.mark.parametrize("size,label", [(DESKTOP_1280, "desktop"), (PHONE_360, "phone")])
def test_the_keyboard_reaches_the_main_actions_with_a_visible_focus(
    app, world, size, label, capsys
):
    from .. import flows

    require_browser()
    for n in range(3):
        flows.draft(world, title=f"草稿提案{n + 1}：关于改善社区公共服务的建议")
    world.member.set_password(PASSWORD)
    db.session.commit()
    db.session.close()
    with LiveServer(app) as server:
        driver = make_driver(size)
        try:
            log_in(driver, server.url, "m1")
            # the proposal form: every field, then saving and submitting
            driver.get(server.url + "/proposals/new")
            stops = tab_through(driver)
            shot(driver, f"keyboard-form-{label}")
            assert stops[0]["href"] == "#main", f"the skip link comes first: {stops[0]}"
            hidden = [s for s in stops if s["shown"] and not s["visible"]]
            assert not hidden, f"focus not drawn on: {hidden}"
            names = {s["name"] or s["id"] for s in stops}
            for field in ("title", "category", "analysis", "suggestions", "save"):
                assert field in names, f"the keyboard never reaches {field}: {names}"
            # the home page's main action and the list's every proposal
            for path, wanted in (("/", "/proposals/new"), ("/proposals", r"/proposals/\d+")):
                driver.get(server.url + path)
                stops = tab_through(driver)
                hidden = [s for s in stops if s["shown"] and not s["visible"]]
                assert not hidden, f"{path}: focus not drawn on: {hidden}"
                links = [s["href"] or "" for s in stops]
                reached = [h for h in links if re.fullmatch(wanted, h)]
                assert len(reached) >= (3 if path == "/proposals" else 1), f"{path}: {links}"
            # the header's text size buttons work from the keyboard
            driver.execute_script("window.scrollTo(0, 0)")
            if size == PHONE_360:  # in the folded menu
                driver.find_element(By.CSS_SELECTOR, ".navbar-toggler").click()
                driver.find_element(By.CSS_SELECTOR, "#nav.show")
            button = driver.find_element(By.CSS_SELECTOR, "button.text-size-larger")
            driver.execute_script("arguments[0].focus()", button)
            driver.switch_to.active_element.send_keys(Keys.ENTER)
            driver.find_element(By.CSS_SELECTOR, "html.text-larger")
            assert "/proposals" in driver.current_url
        finally:
            quit_driver(driver)
