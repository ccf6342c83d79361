"""Headless Chromium: drafts are never lost (static/js/autosave.js). A member types a new
proposal, it saves itself, a reload shows it; the login session is revoked, the member types on,
signs in again and is back on the form with the text offered back. A unit's reply draft is kept
in the browser over a reload and removed once the reply is submitted."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import select, update

from proposals.committee.calendar import local_date, utcnow
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.handling.models import Reply
from proposals.security.models import LoginSession
from proposals.workflow.core import loaded
from proposals.workflow.models import Proposal

from .. import flows
from ..chromium import DESKTOP, PHONE, LiveServer, make_driver, quit_driver, require_browser, shot

# a browser page behaves the same over either database: one pass (balancing the two)
pytestmark = [pytest.mark.browser, pytest.mark.one_database("postgresql")]

PASSWORD = "autosave-pass-9"
WAIT = 15
FIRST = "具体建议：一、加快老旧小区改造；"
MORE = "二、建立长效管理机制。"
KEPT = "return Object.keys(localStorage).filter(k => k.indexOf(':reply:') !== -1);"


def sign_in(driver, username):
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "submit").click()


def press(driver, element):
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def send(driver, button):
    """Submit the button's form as a click on it would (a bar fixed at the bottom of the
    window may lie over the button; this test is about the draft, not the layout)."""
    driver.execute_script("arguments[0].form.requestSubmit(arguments[0]);", button)


def status_says(driver, text):
    def check(d):
        found = d.find_elements(By.CSS_SELECTOR, "[data-testid=autosave-status]")
        return found and text in found[0].get_attribute("textContent")

    WebDriverWait(driver, WAIT).until(check, f"the autosave status never said {text!r}")


def stored_suggestions():
    db.session.expire_all()
    texts = db.session.scalars(select(Proposal.suggestions)).all()
    db.session.rollback()  # hold no transaction while the browser works
    return texts


@pytest.mark.parametrize("size,label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_new_proposal_saves_itself_and_survives_an_expired_session(world, app, size, label):
    require_browser()
    world.member.set_password(PASSWORD)
    db.session.commit()
    db.session.close()
    with LiveServer(app) as server:
        driver = make_driver(size)
        try:
            driver.get(server.url + "/proposals/new")
            sign_in(driver, "m1")
            WebDriverWait(driver, WAIT).until(lambda d: d.current_url.endswith("/proposals/new"))
            driver.find_element(By.ID, "title").send_keys("关于加快老旧小区改造的建议")
            Select(driver.find_element(By.ID, "category")).select_by_value("society")
            driver.find_element(By.ID, "suggestions").send_keys(FIRST)
            status_says(driver, "已自动保存")
            assert stored_suggestions() == [FIRST], "one draft, holding what was typed"
            edit_url = driver.current_url
            assert edit_url.endswith("/edit"), "the page now edits the draft it made"
            shot(driver, f"autosave-saved-{label}")

            driver.refresh()
            assert driver.find_element(By.ID, "suggestions").get_attribute("value") == FIRST

            # the session ends on the server (idle timeout, revoked): the member types on
            db.session.execute(update(LoginSession).values(revoked_at=utcnow()))
            db.session.commit()
            db.session.close()
            driver.find_element(By.ID, "suggestions").send_keys(MORE)
            status_says(driver, "登录已过期")
            assert stored_suggestions() == [FIRST]
            shot(driver, f"autosave-expired-{label}")
            driver.find_element(By.CSS_SELECTOR, "[data-testid=autosave-login]").click()
            sign_in(driver, "m1")
            WebDriverWait(driver, WAIT).until(
                lambda d: d.current_url == edit_url, "signing in comes back to the same form"
            )
            offer = driver.find_element(By.CSS_SELECTOR, "[data-autosave-restore]")
            assert offer.is_displayed(), "the newer copy in the browser is offered back"
            assert driver.find_element(By.ID, "suggestions").get_attribute("value") == FIRST
            shot(driver, f"autosave-restore-{label}")
            driver.find_element(By.CSS_SELECTOR, "[data-autosave-restore-yes]").click()
            value = driver.find_element(By.ID, "suggestions").get_attribute("value")
            assert value == FIRST + MORE
            status_says(driver, "已自动保存")
            assert stored_suggestions() == [FIRST + MORE]
        finally:
            quit_driver(driver)


def test_a_reply_draft_is_kept_in_the_browser_until_it_is_submitted(world, app):
    require_browser()
    p = flows.handling(world)
    a = loaded(p, "assignments").assignments[0]
    reply_url = f"/assignments/{a.id}/reply"
    world.clerk_a.set_password(PASSWORD)
    db.session.commit()
    db.session.close()
    text = "答复：已将老旧小区改造列入年度计划。" * 3
    with LiveServer(app) as server:
        driver = make_driver(DESKTOP)
        try:
            driver.get(server.url + reply_url)
            sign_in(driver, "clerk_a")
            driver.find_element(By.ID, "text").send_keys(text)
            status_says(driver, "已保存在本机")
            driver.refresh()
            driver.find_element(By.CSS_SELECTOR, "[data-autosave-restore-yes]").click()
            assert driver.find_element(By.ID, "text").get_attribute("value") == text

            press(driver, driver.find_element(By.CSS_SELECTOR, "input[name=result][value=A]"))
            driver.find_element(By.ID, "signer").send_keys("王局长")
            driver.find_element(By.ID, "contact").send_keys("赵科长 13900000000")
            submit = "form[data-autosave-key] [type=submit]"
            # refused (no 办前沟通 recorded yet: an error page): the copy stays
            send(driver, driver.find_element(By.CSS_SELECTOR, submit))
            WebDriverWait(driver, WAIT).until(
                lambda d: not d.find_elements(By.CSS_SELECTOR, "form[data-autosave-key]")
            )
            assert driver.execute_script(KEPT) != []

            hops.record_contact(
                world.clerk_a, a, {"mode": "phone", "date": local_date(utcnow()), "summary": "电话"}
            )
            db.session.commit()
            db.session.close()
            driver.get(server.url + reply_url)
            driver.find_element(By.CSS_SELECTOR, "[data-autosave-restore-yes]").click()
            assert (
                driver.find_element(By.ID, "contact").get_attribute("value") == "赵科长 13900000000"
            )
            send(driver, driver.find_element(By.CSS_SELECTOR, submit))
            WebDriverWait(driver, WAIT).until(lambda d: "/proposals/" in d.current_url)
            assert driver.execute_script(KEPT) == [], "the submitted reply's copy is removed"
            db.session.expire_all()
            replies = db.session.scalars(select(Reply).where(Reply.assignment_id == a.id)).all()
            assert [r.state for r in replies] == ["awaiting_signoff"], "it went to sign-off"
            db.session.rollback()
        finally:
            quit_driver(driver)
