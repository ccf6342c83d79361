"""Headless Chromium at 360 px and desktop width: a clerk's assignment list opens on the new
assignment first (not on last year's closed items), and the filter the clerk chose is there
again after logging out and in again (stored with the person, not the browser)."""

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from proposals.committee.calendar import utcnow
from proposals.extensions import db
from proposals.workflow.core import loaded

from .. import flows
from ..chromium import DESKTOP, LiveServer, make_driver, quit_driver, require_browser, shot

pytestmark = [pytest.mark.browser, pytest.mark.one_database("postgresql")]

PASSWORD = "correct-horse-9"
PHONE_360 = (360, 800)


def log_in(driver, url, username):
    driver.get(url + "/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "submit").click()
    driver.find_element(By.CSS_SELECTOR, "[data-testid=current-user]")


def log_out(driver):
    toggler = driver.find_elements(By.CSS_SELECTOR, ".navbar-toggler")
    if toggler and toggler[0].is_displayed():  # a phone: the menu opens first
        toggler[0].click()
    button = driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button")
    WebDriverWait(driver, 10).until(expected_conditions.element_to_be_clickable(button))
    button.click()
    driver.find_element(By.ID, "username")  # back on the login page


def click_and_load(driver, element):
    """Click ``element`` and wait for the next page (the old one gone)."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 10).until(expected_conditions.staleness_of(page))


def listed(driver):
    rows = driver.find_elements(By.CSS_SELECTOR, "[data-testid=assignment-list] .row-link")
    return [r.get_attribute("href").rsplit("#assignment-", 1)[1] for r in rows]


def a_year_of_work(world):
    """Twenty closed assignments of last year, then one new one: {"new": id, "handling": id}."""
    last_year = utcnow() - timedelta(days=365)
    for n in range(20):
        p = flows.handling(world, title=f"关于去年第{n + 1}件事的建议")
        a = loaded(p, "assignments").assignments[0]
        a.state, a.closed_at = "closed", last_year + timedelta(days=n)
        a.reply_due = (last_year - timedelta(days=90 - n)).date()
        p.state = "closed"
    handled = flows.handling(world, title="关于正在办理的建议")
    new = flows.assigned(world, title="关于新交办事项的建议")
    ids = {
        "new": loaded(new, "assignments").assignments[0].id,
        "handling": loaded(handled, "assignments").assignments[0].id,
    }
    world.clerk_a.set_password(PASSWORD)
    db.session.commit()
    db.session.close()  # no transaction held while the browser works
    return ids


@pytest.mark.parametrize("size,label", [(PHONE_360, "phone360"), (DESKTOP, "desktop")])
def test_the_clerks_list_opens_on_the_new_item_and_remembers_the_filter(world, app, size, label):
    require_browser()
    ids = a_year_of_work(world)
    with LiveServer(app) as server:
        driver = make_driver(size)
        try:
            log_in(driver, server.url, "clerk_a")
            driver.get(server.url + "/assignments")
            shown = listed(driver)
            assert shown[0] == str(ids["new"]), shown[:3]
            assert shown[1] == str(ids["handling"]), shown[:3]
            assert (
                Select(driver.find_element(By.ID, "sort")).first_selected_option.get_attribute(
                    "value"
                )
                == "work"
            )
            shot(driver, f"work-first-clerk-{label}")
            # the clerk narrows the list to the items in hand, sorted by deadline
            Select(driver.find_element(By.ID, "state")).select_by_value("handling")
            Select(driver.find_element(By.ID, "sort")).select_by_value("due")
            click_and_load(driver, driver.find_element(By.ID, "submit"))
            assert listed(driver) == [str(ids["handling"])]
            log_out(driver)
            log_in(driver, server.url, "clerk_a")
            driver.get(server.url + "/assignments")  # the bare list: the stored choice
            assert "state=handling" in driver.current_url
            assert listed(driver) == [str(ids["handling"])]
            state = Select(driver.find_element(By.ID, "state"))
            assert state.first_selected_option.get_attribute("value") == "handling"
            shot(driver, f"work-first-remembered-{label}")
            # reset: the default order again, and it stays so
            click_and_load(
                driver, driver.find_element(By.CSS_SELECTOR, "[data-testid=reset-filters]")
            )
            assert listed(driver)[0] == str(ids["new"])
            driver.get(server.url + "/assignments")
            assert "state=" not in driver.current_url and listed(driver)[0] == str(ids["new"])
        finally:
            quit_driver(driver)
