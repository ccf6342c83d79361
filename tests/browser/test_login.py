"""Headless Chromium: the login page and a role's home page, on a desktop and a phone."""

import pytest
from selenium.webdriver.common.by import By

from proposals.extensions import db

from ..chromium import DESKTOP, PHONE, LiveServer, make_driver, quit_driver, require_browser, shot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size,label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_member_logs_in_through_the_browser_and_sees_the_home_page(world, app, size, label):
    require_browser()
    world.member.set_password("correct-horse-9")
    db.session.commit()
    db.session.close()
    with LiveServer(app) as server:
        driver = make_driver(size)
        try:
            driver.get(server.url + "/")
            assert "/login" in driver.current_url
            shot(driver, f"login-{label}")
            driver.find_element(By.ID, "username").send_keys("m1")
            driver.find_element(By.ID, "password").send_keys("correct-horse-9")
            driver.find_element(By.ID, "submit").click()
            user = driver.find_element(By.CSS_SELECTOR, "[data-testid=current-user]")
            assert "张委员" in user.get_attribute("textContent")
            width = driver.execute_script("return document.documentElement.scrollWidth")
            assert width <= size[0], "the page must not scroll sideways"
            shot(driver, f"member-home-{label}")
        finally:
            quit_driver(driver)
