"""Headless Chromium on the secretariat's exports page (/exports): a compilation started from
the form shows a progress bar; once the job is built (here by the function the embedded loop
calls), the page's script shows "已完成" and the download link without a reload."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from proposals.documents import jobs
from proposals.extensions import db

from ..chromium import DESKTOP, LiveServer, make_driver, quit_driver, require_browser, shot
from ..documents.year import Year

pytestmark = [pytest.mark.browser, pytest.mark.one_database()]
PASSWORD = "correct-horse-9"


def test_the_progress_bar_turns_into_a_download_link(world, app):
    require_browser()
    Year(world)
    world.secretariat.set_password(PASSWORD)
    db.session.commit()
    with LiveServer(app) as server:
        driver = make_driver(DESKTOP)
        try:
            driver.get(server.url + "/login")
            driver.find_element(By.ID, "username").send_keys("sec")
            driver.find_element(By.ID, "password").send_keys(PASSWORD)
            driver.find_element(By.ID, "submit").click()
            driver.find_element(By.CSS_SELECTOR, "[data-testid=current-user]")
            driver.find_element(By.LINK_TEXT, "汇编和清单").click()
            Select(driver.find_element(By.ID, "period")).select_by_visible_text(world.session.label)
            driver.find_element(By.ID, "submit").click()
            row = driver.find_element(By.CSS_SELECTOR, "tr[data-export]")
            assert row.get_attribute("data-state") == "queued"
            assert row.find_elements(By.TAG_NAME, "progress")
            assert not row.find_elements(By.CSS_SELECTOR, "[data-testid=export-download]")
            shot(driver, "exports-queued")
            db.session.commit()
            assert jobs.run_pass() == 1
            link = WebDriverWait(driver, 15).until(
                lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=export-download]")
            )[0]
            assert row.find_element(By.CSS_SELECTOR, "[data-testid=export-state]").text == "已完成"
            assert row.find_element(By.TAG_NAME, "progress").get_attribute("value") == "1"
            assert link.get_attribute("href").endswith("/file")
            shot(driver, "exports-done")
        finally:
            quit_driver(driver)
