"""Headless Chromium: one joint proposal carried through the pages only, from the draft to the
second rating after re-handling (重新办理), by every person who touches it, each logging in and
out through the login form; on a desktop window and on a 375-px phone.

member m1 drafts with co-signer m2 and submits → m2 accepts → sec files and assigns (ZJJ lead +
CZJ co-unit) → clerk_b accepts and gives the co-unit opinion → clerk_a accepts, records a contact,
drafts reply B → head_a signs off → sec reviews and delivers → m1 rates unsatisfied →
clerk_a drafts reply A → head_a signs off → sec delivers → m1 rates satisfied → 已办结.

Only the world fixture's setup (users, units, session) is done in the database; every step of
the proposal goes through the browser. No database transaction is held while the browser works."""

import re
import time
from datetime import timedelta

import pytest
from selenium.common.exceptions import (
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from proposals.committee.calendar import local_date, utcnow
from proposals.extensions import db
from proposals.workflow.core import ACTION_LABELS, loaded
from proposals.workflow.models import Proposal

from ..chromium import DESKTOP, PHONE, LiveServer, make_driver, quit_driver, require_browser, shot

# the browser journey; the same operations run on SQLite in test_api_flow: the PostgreSQL
# pass only (conftest.py), which balances the two passes
pytestmark = [pytest.mark.browser, pytest.mark.one_database("postgresql")]

PASSWORD = "journey-pass-9"
WAIT = 10

ANALYSIS = "情况分析：我市老旧小区数量多、设施老化，加装电梯、停车、管网改造等问题突出。" * 2
SUGGESTIONS = (
    "具体建议：一、加快老旧小区改造，完善配套设施；二、建立长效管理机制；"
    "三、鼓励居民参与，统筹财政与社会资金。"
)

# The history of the proposal, in order: (action, who) — proposals/workflow/core.py ACTION_LABELS.
HISTORY = [
    ("create", "m1"),
    ("submit", "m1"),
    ("cosign_accept", "m2"),
    ("file", "sec"),
    ("assign", "sec"),
    ("assign_unit", "sec"),
    ("assign_unit", "sec"),
    ("accept", "clerk_b"),
    ("submit_opinion", "clerk_b"),  # CZJ, the co-unit
    ("accept", "clerk_a"),
    ("record_contact", "clerk_a"),  # ZJJ, the lead unit
    ("draft_reply", "clerk_a"),
    ("signoff", "head_a"),
    ("review_reply", "sec"),
    ("deliver_reply", "sec"),
    ("rate", "m1"),
    ("rehandle", None),  # unsatisfied
    ("draft_reply", "clerk_a"),
    ("signoff", "head_a"),
    ("review_reply", "sec"),
    ("deliver_reply", "sec"),
    ("rate", "m1"),
    ("close", None),  # satisfied
]


def gone(element):
    """EC.staleness_of, also when Chromium answers that the node no longer belongs to the
    document (a WebDriverException, not a StaleElementReferenceException, while the next page
    replaces the old one)."""

    def check(_driver):
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    return check


class Journey:
    """A browser session driven as one person after another, through the pages only."""

    def __init__(self, driver, server, size, label, people):
        self.driver, self.url, self.width, self.label = driver, server.url, size[0], label
        self.people = people
        self.wait = WebDriverWait(driver, WAIT)
        self.pages = 0

    # --- page helpers ------------------------------------------------------------------------

    def css(self, selector, root=None):
        return (root or self.driver).find_element(By.CSS_SELECTOR, selector)

    def xpath(self, expr, root=None):
        return (root or self.driver).find_element(By.XPATH, expr)

    def visible(self, by, value):
        return self.wait.until(EC.visibility_of_element_located((by, value)))

    def clickable(self, by, value):
        return self.wait.until(EC.element_to_be_clickable((by, value)))

    def reveal(self, element, block="center"):
        """Scroll to an element at once (Bootstrap's smooth scrolling would move it under the
        pointer while clicking)."""
        self.driver.execute_script(
            "arguments[0].scrollIntoView({block: arguments[1], behavior: 'instant'})",
            element,
            block,
        )

    def loaded(self, path_pattern=None):
        """The new page is there: checks the path and that the page never scrolls sideways."""
        self.wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
        if path_pattern:
            self.wait.until(EC.url_matches(path_pattern))
        self.pages += 1
        width = self.driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= self.width, (
            f"{self.driver.current_url} scrolls sideways on the {self.label}: {width}px"
        )
        errors = self.driver.find_elements(By.CSS_SELECTOR, "main .alert-danger")
        assert not errors, errors[0].text

    def follow(self, element, path_pattern=None):
        """Click a link or a submit button and wait for the next page."""
        html = self.driver.find_element(By.TAG_NAME, "html")
        self.reveal(element)
        self.wait.until(lambda d: element.is_displayed() and element.is_enabled())
        element.click()
        self.wait.until(gone(html))
        self.loaded(path_pattern)

    def submit(self, path_pattern=None):
        """The page form's own submit button (the header's language form has one too)."""
        self.follow(self.driver.find_element(By.ID, "submit"), path_pattern)

    def link(self, text, root=None, path_pattern=None):
        """Follow the link in the page body whose text is exactly ``text``."""
        self.follow(
            self.xpath(
                f".//main//a[normalize-space()='{text}']"
                if root is None
                else f".//a[normalize-space()='{text}']",
                root,
            ),
            path_pattern,
        )

    def button(self, text, root=None, path_pattern=None):
        scope = root if root is not None else self.css("main")
        self.follow(self.xpath(f".//button[normalize-space()='{text}']", scope), path_pattern)

    def flash(self, text, category="success"):
        """A message (by default a success) says what happened."""

        def found(d):
            alerts = d.find_elements(By.CSS_SELECTOR, f"main .alert-{category}")
            return any(text in a.text for a in alerts)

        try:
            self.wait.until(found)
        except TimeoutException:
            alerts = [a.text for a in self.driver.find_elements(By.CSS_SELECTOR, "main .alert")]
            raise AssertionError(
                f"no flash {text!r} on {self.driver.current_url}: {alerts}"
            ) from None

    def fill(self, field_id, text):
        el = self.driver.find_element(By.ID, field_id)
        self.reveal(el)
        el.clear()
        el.send_keys(text)

    def choose(self, name, value):
        radio = self.css(f"main input[type=radio][name='{name}'][value='{value}']")
        self.reveal(radio)
        radio.click()
        assert radio.is_selected()

    def select(self, field_id, value):
        element = self.driver.find_element(By.ID, field_id)
        if element.get_attribute("multiple") and not element.is_displayed():
            # a picker (static/js/picker.js) stands for the multi-select: find by code, Enter
            search = self.driver.find_element(By.ID, f"{field_id}-search")
            self.reveal(search)
            search.send_keys(value)
            search.send_keys(Keys.ENTER)
            chosen = [o.get_attribute("value") for o in Select(element).all_selected_options]
            assert value in chosen, (field_id, value, chosen)
            return
        Select(element).select_by_value(value)

    def shot(self, step):
        """The whole page, not only what fits in the window (the viewport is stretched to the
        page's height for the screenshot, at the same width)."""
        d = self.driver
        width, height = d.execute_script(
            "return [window.innerWidth, document.documentElement.scrollHeight]"
        )
        d.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": min(height, 8000), "deviceScaleFactor": 1, "mobile": False},
        )
        try:
            shot(d, f"{step}-{self.label}")
        finally:
            d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def open_menu(self):
        """On the phone the navbar is collapsed: open the toggler first."""
        toggler = self.css(".navbar-toggler")
        if toggler.is_displayed() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            self.wait.until(
                lambda d: (
                    "show" in self.css("#nav").get_attribute("class")
                    and "collapsing" not in self.css("#nav").get_attribute("class")
                )
            )

    def nav(self, text, path_pattern=None):
        self.open_menu()
        self.follow(
            self.clickable(
                By.XPATH, f"//nav//a[contains(@class,'nav-link')][normalize-space()='{text}']"
            ),
            path_pattern,
        )

    # --- who is at the keyboard --------------------------------------------------------------

    def login(self, username):
        name = self.people[username]
        if "/login" not in self.driver.current_url:
            self.driver.get(self.url + "/login")
            self.loaded(r"/login")
        self.fill("username", username)
        self.fill("password", PASSWORD)
        self.submit(r"/$")
        self.flash(f"欢迎，{name}。")
        user = self.css("[data-testid=current-user]").get_attribute("textContent")
        assert name in user

    def logout(self):
        self.open_menu()
        button = self.clickable(By.CSS_SELECTOR, "form[action$='/logout'] button")
        self.follow(button, r"/login")
        self.flash("您已退出登录。", "info")

    # --- the proposal page -------------------------------------------------------------------

    def proposal_badge(self):
        return self.css("h1[data-testid=proposal-title] ~ .badge.state").text

    def assignment_card(self, unit):
        cards = self.driver.find_elements(By.CSS_SELECTOR, "main section[id^='assignment-']")
        card = next((c for c in cards if unit in self.css(".card-header h2", c).text), None)
        assert card is not None, f"no assignment card for {unit}"
        return card

    def assignment_badge(self, unit):
        return self.css(".card-header .badge.state", self.assignment_card(unit)).text

    def last_reply(self, unit):
        replies = self.assignment_card(unit).find_elements(By.CSS_SELECTOR, "[id^='reply-']")
        assert replies, f"no reply shown for {unit}"
        return replies[-1]

    def reply_badge(self, unit):
        return self.css(".badge.state", self.last_reply(unit)).text

    def unit_actions(self, unit):
        return self.css("[data-testid^='unit-actions-']", self.assignment_card(unit))

    def open_from_home(self, section, title):
        """Follow the proposal's link in a section of the home page."""
        heading = self.xpath(f"//main//section[.//h2[normalize-space()='{section}']]")
        self.link(title, root=heading, path_pattern=r"/proposals/\d+")


def run_journey(j, units, title):
    """Every step of the proposal, each through its page."""
    d = j.driver
    zjj, czj = units["ZJJ"], units["CZJ"]
    promised = (local_date(utcnow()) + timedelta(days=180)).isoformat()

    # --- m1 drafts the joint proposal and submits it ------------------------------------------
    j.login("m1")
    j.link("写提案", path_pattern=r"/proposals/new$")
    j.fill("title", title)
    j.select("category", "society")
    j.fill("analysis", ANALYSIS)
    j.fill("suggestions", SUGGESTIONS)
    j.select("cosigners", "m2")
    j.select("suggested_departments", "ZJJ")
    count = int(j.css("[data-char-count=body]").text)
    assert count == len(ANALYSIS) + len(SUGGESTIONS) and count >= 100
    j.shot("proposal-form")
    j.follow(d.find_element(By.ID, "submit_now"), r"/proposals/\d+$")
    j.flash("提案已提交，等待联名人确认。")
    assert j.proposal_badge() == "待联名确认"
    assert "李委员（待确认）" in j.css("main dl").text
    proposal_id = int(re.search(r"/proposals/(\d+)", d.current_url).group(1))
    j.shot("proposal-submitted")
    j.logout()

    # --- m2 accepts the invitation ------------------------------------------------------------
    j.login("m2")
    j.open_from_home("待确认的联名邀请", title)
    actions = j.css("[data-testid=member-actions]")
    assert "张委员邀请您联名此提案。" in actions.text
    j.shot("cosign")
    j.button("同意联名", root=actions, path_pattern=rf"/proposals/{proposal_id}$")
    j.flash("您已同意联名。")
    assert j.proposal_badge() == "待审查"
    assert "李委员（已确认）" in j.css("main dl").text
    j.logout()

    # --- sec files it and assigns it to ZJJ (lead) and CZJ (co-unit) --------------------------
    j.login("sec")
    j.open_from_home("待立案审查", title)
    j.link("立案审查", path_pattern=rf"/proposals/{proposal_id}/review$")
    j.choose("decision", "file")
    j.shot("review-form")
    j.submit(rf"/proposals/{proposal_id}$")
    j.flash("已立案。")
    assert j.proposal_badge() == "已立案"
    j.link(
        "交办",
        root=j.css("[data-testid=secretariat-actions]"),
        path_pattern=rf"/proposals/{proposal_id}/assign$",
    )
    assert (
        Select(d.find_element(By.ID, "units-0-code")).first_selected_option.get_attribute("value")
        == "ZJJ"
    ), "the suggested unit is proposed"
    j.select("units-0-role", "lead")
    j.select("units-1-code", "CZJ")
    j.select("units-1-role", "co")
    j.wait.until(
        EC.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-assign-mode]"), "主办＋会办")
    )
    j.shot("assign-form")
    j.submit(rf"/proposals/{proposal_id}$")
    j.flash("已交办。")
    assert j.proposal_badge() == "已交办"
    assert j.assignment_badge(zjj) == "待签收" and j.assignment_badge(czj) == "待签收"
    j.logout()

    # --- clerk_b (CZJ, co-unit) accepts and gives the co-unit opinion -------------------------
    j.login("clerk_b")
    new = j.xpath("//main//section[.//h2[normalize-space()='待办理（工作优先）']]")
    assert title in new.text
    j.shot("unit-home")
    j.open_from_home("待办理（工作优先）", title)
    j.button("签收", root=j.unit_actions(czj), path_pattern=rf"/proposals/{proposal_id}")
    j.flash("已签收，请在期限内与提案人沟通。")
    assert j.assignment_badge(czj) == "办理中"
    j.link("会办意见", root=j.unit_actions(czj), path_pattern=r"/assignments/\d+/opinion$")
    j.fill("text", "会办意见：财政局将统筹安排老旧小区改造资金，支持住建局牵头实施。")
    j.submit(rf"/proposals/{proposal_id}")
    j.flash("会办意见已提交主办单位。")
    assert j.assignment_badge(czj) == "已办结"
    j.logout()

    # --- clerk_a (ZJJ, lead) accepts, records a contact, drafts reply B -----------------------
    j.login("clerk_a")
    j.open_from_home("待办理（工作优先）", title)
    j.button("签收", root=j.unit_actions(zjj), path_pattern=rf"/proposals/{proposal_id}")
    j.flash("已签收，请在期限内与提案人沟通。")
    assert j.assignment_badge(zjj) == "办理中"
    j.link("记录沟通", root=j.unit_actions(zjj), path_pattern=r"/assignments/\d+/contacts$")
    j.select("mode", "phone")
    assert d.find_element(By.ID, "date").get_attribute("value"), "today is proposed"
    j.fill("summary", "电话联系张委员，沟通办理思路与时间安排。")
    j.submit(rf"/proposals/{proposal_id}")
    j.flash("已记录办前沟通。")
    assert "电话联系张委员" in j.assignment_card(zjj).text
    j.link("答复", root=j.unit_actions(zjj), path_pattern=r"/assignments/\d+/reply$")
    assert "会办意见：财政局" in j.css("main").text, "the co-unit's opinion is shown"
    j.choose("result", "B")
    promised_input = j.visible(By.ID, "promised_date")
    d.execute_script("arguments[0].value = arguments[1]", promised_input, promised)
    j.fill("text", "答复正文：一、已将老旧小区改造列入明年计划；二、建立长效管理机制。")
    j.fill("signer", "局长 王某")
    j.fill("contact", "赵某 0571-88888888")
    j.shot("reply-form")
    j.submit(rf"/proposals/{proposal_id}")
    j.flash("答复已提交。")
    assert j.reply_badge(zjj) == "待签发"
    j.logout()

    # --- head_a signs off ---------------------------------------------------------------------
    j.login("head_a")
    j.open_from_home("待签发的答复", title)
    j.link("签发", root=j.last_reply(zjj), path_pattern=r"/replies/\d+/signoff$")
    j.choose("approve", "yes")
    j.shot("signoff")
    j.submit(rf"/proposals/{proposal_id}")
    j.flash("答复已签发。")
    assert j.reply_badge(zjj) == "待审核"
    j.logout()

    # --- sec reviews and delivers -------------------------------------------------------------
    j.login("sec")
    j.open_from_home("待审核的答复", title)
    j.link("审核答复", root=j.last_reply(zjj), path_pattern=r"/replies/\d+/review$")
    j.choose("approve", "approve")
    j.shot("reply-review")
    j.submit(rf"/proposals/{proposal_id}")
    j.flash("答复已审核通过并送达。")
    assert j.reply_badge(zjj) == "已送达"
    assert j.assignment_badge(zjj) == "已答复"
    j.logout()

    # --- m1 rates it unsatisfied: back to the unit for re-handling ----------------------------
    j.login("m1")
    j.open_from_home("待测评的答复", title)
    j.follow(j.css("[data-testid=rate-button]", j.last_reply(zjj)), r"/replies/\d+/rate$")
    j.choose("rating", "unsatisfied")
    j.fill("comment", "答复未说明资金来源和完成时间，请重新办理。")
    j.shot("rate-form")
    j.submit(rf"/proposals/{proposal_id}")
    j.flash("测评已提交：不满意。答复已退回承办单位重新办理。")
    assert j.assignment_badge(zjj) == "重新办理"
    assert "不满意" in j.last_reply(zjj).text
    assert j.proposal_badge() == "已交办"
    j.logout()

    # --- clerk_a: the second reply (A), found through the menu ---------------------------------
    j.login("clerk_a")
    j.nav("本单位承办", r"/assignments")
    j.link(title, path_pattern=rf"/proposals/{proposal_id}")
    assert j.assignment_badge(zjj) == "重新办理"
    j.link("答复", root=j.unit_actions(zjj), path_pattern=r"/assignments/\d+/reply$")
    j.choose("result", "A")
    j.wait.until(EC.invisibility_of_element_located((By.ID, "promised_date")))
    j.fill("text", "重新办理答复：资金已落实，改造工程年内完工，长效管理办法已印发。")
    j.fill("signer", "局长 王某")
    j.fill("contact", "赵某 0571-88888888")
    j.shot("reply-form-round2")
    j.submit(rf"/proposals/{proposal_id}")
    j.flash("答复已提交。")
    assert j.reply_badge(zjj) == "待签发"
    j.logout()

    # --- head_a signs off again ---------------------------------------------------------------
    j.login("head_a")
    j.open_from_home("待签发的答复", title)
    j.link("签发", root=j.last_reply(zjj), path_pattern=r"/replies/\d+/signoff$")
    j.choose("approve", "yes")
    j.submit(rf"/proposals/{proposal_id}")
    j.flash("答复已签发。")
    j.logout()

    # --- sec delivers -------------------------------------------------------------------------
    j.login("sec")
    j.open_from_home("待审核的答复", title)
    j.link("审核答复", root=j.last_reply(zjj), path_pattern=r"/replies/\d+/review$")
    j.choose("approve", "approve")
    j.submit(rf"/proposals/{proposal_id}")
    j.flash("答复已审核通过并送达。")
    assert j.reply_badge(zjj) == "已送达"
    j.logout()

    # --- m1 rates the second reply satisfied: the proposal is closed --------------------------
    j.login("m1")
    j.open_from_home("待测评的答复", title)
    j.follow(j.css("[data-testid=rate-button]", j.last_reply(zjj)), r"/replies/\d+/rate$")
    assert "这是重新办理后的答复" in j.css("main").text
    j.choose("rating", "satisfied")
    j.shot("rate-form-round2")
    j.submit(rf"/proposals/{proposal_id}")
    j.flash("测评已提交：满意。")
    assert j.proposal_badge() == "已办结"
    assert j.assignment_badge(zjj) == "已办结" and j.assignment_badge(czj) == "已办结"
    j.shot("closed")  # the whole page: badges, both replies, ratings and the timeline
    labels = timeline_labels(d)
    j.logout()
    return proposal_id, labels


def timeline_labels(driver):
    """The action label of each timeline entry, in order (the entry's second line)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('[data-testid=timeline] > li'))"
        ".map(li => li.children[1].textContent.trim().split('：')[0]);"
    )


def check_database(proposal_id):
    """What the pages did, as stored: closed, two ratings, round 2, the history in order."""
    p = db.session.get(Proposal, proposal_id)
    assert p.state == "closed" and p.closed_at is not None
    cosigners = [(c.user.username, c.state) for c in loaded(p, "cosigners").cosigners]
    assert p.kind == "joint" and cosigners == [("m2", "accepted")]
    assert p.number is not None
    lead = next(a for a in loaded(p, "assignments").assignments if a.role == "lead")
    co = next(a for a in loaded(p, "assignments").assignments if a.role == "co")
    assert (lead.department.code, co.department.code) == ("ZJJ", "CZJ")
    assert lead.state == "closed" and lead.round == 2
    assert co.state == "closed" and loaded(co, "opinion").opinion is not None
    contacts = loaded(lead, "contacts").contacts
    assert len(contacts) == 1 and contacts[0].mode == "phone"
    replies = sorted(loaded(lead, "replies").replies, key=lambda r: r.id)
    assert [(r.round, r.result, r.state) for r in replies] == [(1, "B", "rated"), (2, "A", "rated")]
    assert replies[0].promised_date is not None and replies[1].promised_date is None
    ratings = [rt for r in replies for rt in loaded(r, "ratings").ratings]
    assert [(rt.rater.username, rt.rating, rt.is_primary) for rt in ratings] == [
        ("m1", "unsatisfied", True),
        ("m1", "satisfied", True),
    ]
    assert "重新办理" in ratings[0].comment
    assert not p.consultation_due
    assert [
        (h.action, h.actor.username if h.actor else None) for h in loaded(p, "history").history
    ] == HISTORY
    return p


@pytest.mark.parametrize("size,label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_joint_proposal_from_draft_to_second_rating_through_the_pages(world, app, size, label):
    require_browser()
    staff = (
        world.member,
        world.member2,
        world.secretariat,
        world.clerk_a,
        world.head_a,
        world.clerk_b,
    )
    for user in staff:
        user.set_password(PASSWORD)
    db.session.commit()
    people = {u.username: u.name for u in staff}
    units = {"ZJJ": world.unit_a.name, "CZJ": world.unit_b.name}
    db.session.close()  # no transaction held while the browser works
    title = "关于加快老旧小区改造的建议"
    started = time.monotonic()
    with LiveServer(app) as server:
        driver = make_driver(size)
        driver.implicitly_wait(0)  # explicit waits only
        # no smooth scrolling to #anchors nor collapse animations (Bootstrap honours this)
        driver.execute_cdp_cmd(
            "Emulation.setEmulatedMedia",
            {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]},
        )
        try:
            journey = Journey(driver, server, size, label, people)
            proposal_id, labels = run_journey(journey, units, title)
        finally:
            quit_driver(driver)
    elapsed = time.monotonic() - started

    # the timeline showed every step, in order, with its Chinese label; an assignment is one
    # step (its per-unit rows fold into it: proposals/workflow/timeline.py)
    assert labels == [ACTION_LABELS[action] for action, _ in HISTORY if action != "assign_unit"]
    try:
        check_database(proposal_id)
    finally:
        db.session.commit()
        db.session.close()
    print(f"\n{label}: {journey.pages} pages in {elapsed:.1f}s")
