"""Headless Chromium: the co-signer and unit pickers on the proposal form (static/js/picker.js),
by tap and Enter on a desktop window and a phone, and by keyboard only; the saved draft has
exactly the chosen people and units."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from proposals.extensions import db
from proposals.workflow.core import loaded
from proposals.workflow.models import Proposal

from ..chromium import DESKTOP, PHONE, LiveServer, make_driver, quit_driver, require_browser, shot
from ..conftest import LONG

# a browser page behaves the same over either database: one pass (balancing the two)
pytestmark = [pytest.mark.browser, pytest.mark.one_database("postgresql")]

PASSWORD = "picker-pass-9"
ANALYSIS = "情况分析：" + "我市老旧小区数量多、设施老化。" * 3


@pytest.fixture()
def people(world, make):
    """Two members whose initials are both zs, one with a polyphonic surname, one other."""
    make.user("member", username="zhangsan", name="张三")
    make.user("member", username="zhaosi", name="赵四")
    make.user("member", username="lisi", name="李四")
    make.user("member", username="zengxm", name="曾小明")
    world.member.set_password(PASSWORD)
    db.session.commit()
    db.session.close()
    return world


class Page:
    def __init__(self, driver, url):
        self.driver, self.url = driver, url
        self.wait = WebDriverWait(driver, 10)

    def css(self, selector, root=None):
        return (root or self.driver).find_element(By.CSS_SELECTOR, selector)

    def reveal(self, element):
        self.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element
        )
        return element

    def login(self):
        self.driver.get(self.url + "/login")
        self.driver.find_element(By.ID, "username").send_keys("m1")
        self.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.driver.find_element(By.ID, "submit").click()
        self.wait.until(
            EC.presence_of_element_located((By.CSS_SELECTOR, "[data-testid=current-user]"))
        )

    def new_proposal(self):
        self.driver.get(self.url + "/proposals/new")
        self.driver.find_element(By.ID, "title").send_keys("关于发展社区养老服务的建议")
        Select(self.driver.find_element(By.ID, "category")).select_by_value("society")
        self.driver.find_element(By.ID, "analysis").send_keys(ANALYSIS)
        self.driver.find_element(By.ID, "suggestions").send_keys(LONG[:120])

    def search(self, field):
        return self.driver.find_element(By.ID, f"{field}-search")

    def options(self, field):
        listbox = self.driver.find_element(By.ID, f"{field}-listbox")
        if not listbox.is_displayed():
            return []
        return [o.text for o in listbox.find_elements(By.CSS_SELECTOR, "[role=option]")]

    def chips(self, field):
        box = self.driver.find_element(By.CSS_SELECTOR, f"[data-testid={field}-chips]")
        return [c.text for c in box.find_elements(By.CSS_SELECTOR, ".picker-chip-name")]

    def type_in(self, field, text):
        box = self.reveal(self.search(field))
        box.click()
        box.send_keys(text)
        self.wait.until(
            lambda _d: self.options(field) or self.css(f"#{field}-listbox .picker-empty")
        )

    def tap_option(self, field, label):
        option = self.driver.find_element(
            By.XPATH, f"//ul[@id='{field}-listbox']/li[@role='option'][normalize-space()='{label}']"
        )
        option.click()

    def remove(self, field, label):
        button = self.css(f"[data-testid={field}-chips] button[aria-label='移除 {label}']")
        self.reveal(button).click()

    def active_id(self):
        return self.driver.switch_to.active_element.get_attribute("id")


def saved_draft():
    db.session.expire_all()
    p = db.session.query(Proposal).one()
    loaded(p, "cosigners", "suggested_departments")
    return (
        p,
        sorted(c.user.username for c in p.cosigners),
        sorted(d.code for d in p.suggested_departments),
    )


@pytest.mark.parametrize("size,label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_pick_two_by_initials_remove_one_and_save(people, app, size, label):
    require_browser()
    with LiveServer(app) as server:
        driver = make_driver(size)
        try:
            page = Page(driver, server.url)
            page.login()
            page.new_proposal()
            # the plain multi-select gives way to the picker; its label names the search box
            assert not driver.find_element(By.ID, "cosigners").is_displayed()
            label_for = page.css("label[for=cosigners-search]").text
            assert "联名人" in label_for

            # (the lists follow the database's order of names: compared as sets)
            page.type_in("cosigners", "zs")
            first, second = page.options("cosigners")
            assert {first, second} == {"张三", "赵四"}
            page.search("cosigners").send_keys(Keys.ENTER)  # the first match
            assert page.chips("cosigners") == [first]
            assert page.search("cosigners").get_attribute("value") == ""

            page.type_in("cosigners", "zs")
            assert page.options("cosigners") == [second]  # the chosen one is not offered again
            page.tap_option("cosigners", second)
            page.type_in("cosigners", "li")
            page.tap_option("cosigners", "李四")
            assert set(page.chips("cosigners")) == {"张三", "赵四", "李四"}  # none dropped
            shot(driver, f"picker-three-chosen-{label}")

            page.remove("cosigners", "赵四")
            assert sorted(page.chips("cosigners")) == sorted(["张三", "李四"])

            page.type_in("suggested_departments", "CZJ")  # by code
            page.tap_option("suggested_departments", "市财政局")
            page.type_in("suggested_departments", "zf")  # 住房 by pinyin initials
            assert page.options("suggested_departments") == ["市住房和城乡建设局"]
            page.search("suggested_departments").send_keys(Keys.ENTER)
            assert page.chips("suggested_departments") == ["市财政局", "市住房和城乡建设局"]

            width = driver.execute_script("return document.documentElement.scrollWidth")
            assert width <= size[0], "the page must not scroll sideways"
            shot(driver, f"picker-form-{label}")

            save = page.reveal(driver.find_element(By.ID, "save"))
            save.click()
            page.wait.until(EC.url_matches(r"/proposals/\d+$"))
            p, cosigners, units = saved_draft()
            assert cosigners == ["lisi", "zhangsan"]
            assert units == ["CZJ", "ZJJ"]

            # editing the draft shows the stored choices as chips
            driver.get(f"{server.url}/proposals/{p.id}/edit")
            assert sorted(page.chips("cosigners")) == sorted(["张三", "李四"])
            assert page.chips("suggested_departments") == ["市财政局", "市住房和城乡建设局"]
            shot(driver, f"picker-edit-{label}")
        finally:
            quit_driver(driver)


def test_keyboard_only(people, app):
    require_browser()
    with LiveServer(app) as server:
        driver = make_driver(DESKTOP)
        try:
            page = Page(driver, server.url)
            page.login()
            page.new_proposal()
            keys = driver.switch_to.active_element  # the suggestions box, last filled
            assert page.active_id() == "suggestions"
            keys.send_keys(Keys.TAB)
            assert page.active_id() == "cosigners-search"
            search = page.search("cosigners")
            assert search.get_attribute("role") == "combobox"
            assert search.get_attribute("aria-expanded") == "false"

            search.send_keys("zh")
            shown = page.options("cosigners")  # the database's order of names
            assert sorted(shown) == sorted(["张三", "赵四"])
            assert search.get_attribute("aria-expanded") == "true"
            current = driver.find_element(By.ID, search.get_attribute("aria-activedescendant"))
            assert current.text == shown[0] and current.get_attribute("aria-selected") == "true"
            search.send_keys(Keys.ARROW_DOWN)
            current = driver.find_element(By.ID, search.get_attribute("aria-activedescendant"))
            assert current.text == shown[1]
            search.send_keys(Keys.ARROW_DOWN)  # wraps round to the first
            current = driver.find_element(By.ID, search.get_attribute("aria-activedescendant"))
            assert current.text == shown[0]
            search.send_keys(Keys.ARROW_UP)  # and back to the last
            assert page.options("cosigners") == shown
            search.send_keys(Keys.ENTER)
            assert page.chips("cosigners") == ["赵四"] if shown[1] == "赵四" else ["张三"]
            chosen = shown[1]
            assert page.active_id() == "cosigners-search"

            search.send_keys("zxm")  # the surname reading: 曾 zeng, not ceng
            assert page.options("cosigners") == ["曾小明"]
            search.send_keys(Keys.ENTER)
            assert sorted(page.chips("cosigners")) == sorted(["曾小明", chosen])

            # Escape closes the list, a second Escape clears the box; Enter never submits
            search.send_keys("ls")
            assert page.options("cosigners") == ["李四"]
            search.send_keys(Keys.ESCAPE)
            assert search.get_attribute("aria-expanded") == "false"
            assert search.get_attribute("value") == "ls"
            search.send_keys(Keys.ENTER)
            assert driver.current_url.endswith("/proposals/new")
            assert sorted(page.chips("cosigners")) == sorted(["曾小明", chosen])
            search.send_keys(Keys.ESCAPE)
            assert search.get_attribute("value") == ""

            # ArrowDown on the empty box opens the whole list
            search.send_keys(Keys.ARROW_DOWN)
            others = {"张三", "赵四", "李四", "李委员", "王委员"} - {chosen}
            assert set(page.options("cosigners")) == others
            search.send_keys(Keys.ESCAPE)
            assert search.get_attribute("aria-expanded") == "false"

            # Shift+Tab reaches the last chip's remove button; Enter removes that chip only
            last_chip = page.chips("cosigners")[-1]
            search.send_keys(Keys.SHIFT, Keys.TAB)
            focused = driver.switch_to.active_element
            assert focused.get_attribute("aria-label") == f"移除 {last_chip}"
            focused.send_keys(Keys.ENTER)
            kept = sorted({"曾小明", chosen} - {last_chip})
            assert page.chips("cosigners") == kept
            assert page.active_id() == "cosigners-search"  # no chip after it: back to the box

            # Tab leaves the field for the units picker
            driver.switch_to.active_element.send_keys(Keys.TAB)
            assert page.active_id() == "suggested_departments-search"
            units = page.search("suggested_departments")
            units.send_keys("jyj")
            units.send_keys(Keys.ENTER)
            assert page.chips("suggested_departments") == ["市教育局"]
            shot(driver, "picker-keyboard")

            page.reveal(driver.find_element(By.ID, "save")).click()
            page.wait.until(EC.url_matches(r"/proposals/\d+$"))
            _p, cosigners, units = saved_draft()
            usernames = {"曾小明": "zengxm", "张三": "zhangsan", "赵四": "zhaosi"}
            assert cosigners == [usernames[kept[0]]] and units == ["JYJ"]
        finally:
            quit_driver(driver)
