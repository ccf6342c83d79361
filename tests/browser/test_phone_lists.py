"""Headless Chromium: every table list at 360 px (cards, no sideways scroll, 44 px tap targets,
dates and numbers on one line) and at desktop width (the tables unchanged), logged in as the
member, a unit's clerk, the secretariat and the admin."""

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By

from proposals.committee.calendar import utcnow
from proposals.extensions import db
from proposals.workflow import operations as ops

from .. import flows
from ..chromium import DESKTOP, LiveServer, make_driver, quit_driver, require_browser, shot

# a browser page behaves the same over either database: one pass (balancing the two)
pytestmark = [pytest.mark.browser, pytest.mark.one_database()]

PASSWORD = "correct-horse-9"
PHONE_360 = (360, 800)
LONG_TITLE = "关于加快推进城市老旧小区综合改造和完善社区居家养老服务设施建设的建议"

# the pages each person has, and the selector of the list on each
PAGES = {
    "m1": [("/proposals", "[data-testid=proposal-list]")],
    "clerk_a": [
        ("/proposals", "[data-testid=proposal-list]"),
        ("/assignments", "[data-testid=assignment-list]"),
    ],
    "sec": [
        ("/proposals", "[data-testid=proposal-list]"),
        ("/assignments", "[data-testid=assignment-list]"),
        ("/secretariat/queues", "#to-review table"),
    ],
    "admin": [("/admin/users", "[data-testid=user-list]")],
}

# What the page looks like in the browser, measured by the page itself.
MEASURE = r"""
const list = document.querySelector(arguments[0]);
const shown = (el) => {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
};
const label = (el) => (el.getAttribute("aria-label") || el.textContent || el.value || "")
  .trim().slice(0, 30);
// every control in a list, its pagination and its filter form (and the queue page's jumps)
const controls = [];
document.querySelectorAll(
  ".table-cards, .phone-taps, .queue-jumps"
).forEach((box) => box.querySelectorAll(
  "a, button, input:not([type=hidden]), select, summary, label.tap-check"
).forEach((el) => {
  if (!shown(el)) return;
  // a checkbox inside its 44 px label is tapped through the label
  if (el.matches("input[type=checkbox]") && el.closest("label.tap-check")) return;
  const r = el.getBoundingClientRect();
  controls.push({ what: el.tagName + " " + label(el), height: Math.round(r.height) });
}));
// dates (2026-12-06, 2026年12月6日, 2026-12-06 10:30), numbers (第0017号), receipt serials:
// each occurrence must lie on one line (a range over it has a single box)
const pattern = new RegExp([
  "\\d{4}-\\d{2}-\\d{2}( \\d{2}:\\d{2})?",
  "\\d{4}年\\d{1,2}月\\d{1,2}日",
  "第\\d+号",
  "收件号 \\S+",
].join("|"), "g");
const broken = [];
let dates = 0;
const walker = document.createTreeWalker(document.getElementById("main"), NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  if (!node.parentElement || !shown(node.parentElement)) continue;
  for (const m of node.data.matchAll(pattern)) {
    const range = document.createRange();
    range.setStart(node, m.index);
    range.setEnd(node, m.index + m[0].length);
    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    dates += 1;
    if (tops.size > 1) broken.push(m[0]);
  }
}
let row = null, title = null;
if (list) {
  const tr = list.querySelector("tbody tr");
  tr.scrollIntoView({ block: "center", behavior: "instant" });
  const cell = tr.querySelector(".cell-title");
  const link = tr.querySelector(".row-link");
  row = { display: getComputedStyle(tr).display, height: tr.getBoundingClientRect().height,
          width: tr.getBoundingClientRect().width,
          tapHeight: link ? link.getBoundingClientRect().height : null,
          // the whole card is the tap target: what lies under the card's lower part is the link
          tapCovers: link ? (() => {
            const r = tr.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.bottom - 4);
            return hit === link || link.contains(hit);
          })() : null,
          theadShown: list.querySelector("thead").getBoundingClientRect().height > 2,
          labels: [...tr.querySelectorAll("td[data-label]")].filter(shown)
            .map((td) => getComputedStyle(td, "::before").content) };
  title = { width: cell.getBoundingClientRect().width, text: cell.textContent.trim() };
}
return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
         controls, broken, dates, row, title };
"""


def log_in(driver, url, username):
    driver.delete_all_cookies()
    driver.get(url + "/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "submit").click()
    driver.find_element(By.CSS_SELECTOR, "[data-testid=current-user]")


def lists_world(world):
    """Enough of everything for each list to have rows: a member's 21 proposals (two pages),
    a unit's pending, handling and overdue assignments, and a queue of each kind."""
    for n in range(16):
        flows.draft(world, title=f"草稿提案{n + 1}：关于改善社区公共服务的建议")
    flows.submitted(world, title=LONG_TITLE)
    flows.filed(world, title="关于完善公共文化设施的建议")
    flows.assigned(world, title=LONG_TITLE + "（交办）")
    flows.handling(world, title="关于发展夜间经济的建议")
    late = flows.filed(world, title="关于治理噪声扰民的建议")
    ops.assign_proposal(
        world.secretariat,
        late,
        [{"code": world.unit_a.code, "role": "lead"}],
        now=utcnow() - timedelta(days=120),
    )
    for user in (world.member, world.clerk_a, world.secretariat, world.admin):
        user.set_password(PASSWORD)
    db.session.commit()
    db.session.close()  # no transaction held while the browser works


def check_page(driver, server, path, selector, size, name):
    driver.get(server.url + path)
    driver.find_element(By.CSS_SELECTOR, selector)
    seen = driver.execute_script(MEASURE, selector)
    shot(driver, name)
    where = f"{name} ({path})"
    assert seen["scroll"] <= seen["inner"], f"{where} scrolls sideways: {seen['scroll']}px"
    if path != "/admin/users":  # the users list holds no dates
        assert seen["dates"] > 0, f"{where}: no date or number found to check"
    assert not seen["broken"], f"{where}: broken across lines: {seen['broken']}"
    row = seen["row"]
    if size == DESKTOP:
        assert row["display"] == "table-row" and row["theadShown"], f"{where}: not a table"
        return seen
    assert row["display"] == "flex" and not row["theadShown"], f"{where}: rows are not cards"
    assert row["width"] >= size[0] - 80, f"{where}: the card is {row['width']}px wide"
    assert row["labels"] and all(c.startswith('"') for c in row["labels"]), row["labels"]
    # the title wraps in full, on the card's whole width
    assert seen["title"]["width"] >= size[0] * 0.6, f"{where}: title column {seen['title']}"
    small = [c for c in seen["controls"] if c["height"] < 44]
    assert not small, f"{where}: tap targets under 44px: {small}"
    if row["tapHeight"] is not None:
        assert row["tapHeight"] >= 44 and row["tapCovers"], f"{where}: the card is not a link"
    return seen


@pytest.mark.parametrize("size,label", [(DESKTOP, "desktop"), (PHONE_360, "phone360")])
def test_every_list_reads_as_cards_on_a_phone_and_as_a_table_on_a_desktop(world, app, size, label):
    require_browser()
    lists_world(world)
    with LiveServer(app) as server:
        driver = make_driver(size)
        try:
            for username, pages in PAGES.items():
                log_in(driver, server.url, username)
                for path, selector in pages:
                    name = f"list-{username}-{path.strip('/').replace('/', '-')}-{label}"
                    seen = check_page(driver, server, path, selector, size, name)
                    if size != DESKTOP and (username, path) == ("m1", "/proposals"):
                        # 21 proposals: the pagination is there and was measured
                        pages_links = [c for c in seen["controls"] if c["what"].startswith("A 2")]
                        assert pages_links, seen["controls"]
        finally:
            quit_driver(driver)
