"""Headless Chromium at 360 px: a member picks A++ in the header (the folded phone menu), the
page grows, and none of the member's main pages scrolls sideways at that size."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from proposals.extensions import db

from .. import flows
from ..chromium import LiveServer, make_driver, quit_driver, require_browser, shot

pytestmark = [pytest.mark.browser, pytest.mark.one_database("sqlite")]

PASSWORD = "correct-horse-9"
PHONE_360 = (360, 800)
LONG_TITLE = "关于加快推进城市老旧小区综合改造和完善社区居家养老服务设施建设的建议"

MEASURE = """
return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
        root: parseFloat(getComputedStyle(document.documentElement).fontSize),
        cls: document.documentElement.className};
"""


def test_at_a_plus_plus_no_main_page_of_a_member_scrolls_sideways_on_a_phone(world, app):
    require_browser()
    draft = flows.draft(world, title=LONG_TITLE)
    replied, _reply = flows.replied(world, title=LONG_TITLE + "（已答复）")
    for n in range(3):
        flows.draft(world, title=f"草稿提案{n + 1}：关于改善社区公共服务的建议")
    world.member.set_password(PASSWORD)
    db.session.commit()
    pages = [
        "/",
        "/proposals",
        "/proposals/new",
        f"/proposals/{draft.id}",
        f"/proposals/{draft.id}/edit",
        f"/proposals/{replied.id}",
        "/notifications",
        "/notifications/preferences",
        "/account/password",
    ]
    db.session.close()  # no transaction held while the browser works
    with LiveServer(app) as server:
        driver = make_driver(PHONE_360)
        try:
            driver.get(server.url + "/login")
            assert driver.execute_script(MEASURE)["root"] == 16  # anonymous: the default
            driver.find_element(By.ID, "username").send_keys("m1")
            driver.find_element(By.ID, "password").send_keys(PASSWORD)
            driver.find_element(By.ID, "submit").click()
            driver.find_element(By.CSS_SELECTOR, "[data-testid=current-user]")
            driver.get(server.url + "/proposals")
            driver.find_element(By.CSS_SELECTOR, ".navbar-toggler").click()
            driver.find_element(By.CSS_SELECTOR, "#nav.show button.text-size-larger").click()
            # the form posts and the page comes back: wait for the new page, not the old one
            WebDriverWait(driver, 10).until(
                lambda d: d.execute_script(MEASURE)["cls"] == "text-larger"
            )
            seen = driver.execute_script(MEASURE)
            assert seen["cls"] == "text-larger" and seen["root"] == 20, seen
            assert driver.current_url.endswith("/proposals"), "back on the same page"
            pressed = driver.find_element(By.CSS_SELECTOR, "button[aria-pressed=true]")
            assert pressed.get_attribute("value") == "larger"
            wide = []
            for path in pages:
                driver.get(server.url + path)
                seen = driver.execute_script(MEASURE)
                assert seen["cls"] == "text-larger", (path, seen)
                if seen["scroll"] > seen["inner"]:
                    wide.append(f"{path}: {seen['scroll']}px > {seen['inner']}px")
                    shot(driver, f"text-larger-wide-{path.strip('/').replace('/', '-')}")
            shot(driver, "text-larger-360")
            assert not wide, "pages scrolling sideways at A++ on 360 px:\n" + "\n".join(wide)
        finally:
            quit_driver(driver)
