"""Headless Chromium: every link of the header, as the browser draws it (Bootstrap and app.css
together), reaches WCAG AA contrast (4.5:1) against the colour behind it; the current page's
link stands apart from the others. The page's favicon loads."""

import re

import pytest
from selenium.webdriver.common.by import By

from proposals.extensions import db

from ..chromium import DESKTOP, PHONE, LiveServer, make_driver, quit_driver, require_browser, shot

# a browser page behaves the same over either database: one pass (balancing the two)
pytestmark = [pytest.mark.browser, pytest.mark.one_database()]

# For each header link: its text colour, the first opaque background behind it, its weight.
STYLES = """
const opaque = (el) => {
  for (; el; el = el.parentElement) {
    const bg = getComputedStyle(el).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(bg) && bg !== 'transparent') return bg;
  }
  return 'rgb(255, 255, 255)';
};
return [...document.querySelectorAll('nav.navbar .nav-link, nav.navbar .navbar-brand')].map(
  (el) => ({
    text: el.textContent.trim(),
    color: getComputedStyle(el).color,
    ground: opaque(el),
    weight: getComputedStyle(el).fontWeight,
    active: el.classList.contains('active'),
  }));
"""


def rgba(css):
    r, g, b, *alpha = (float(v) for v in re.findall(r"[\d.]+", css))
    return (r, g, b), (alpha[0] if alpha else 1.0)


def drawn(text, ground):
    """The text colour as seen: a see-through colour blended over its (opaque) ground."""
    (colour, alpha), (behind, _a) = rgba(text), rgba(ground)
    return tuple(alpha * c + (1 - alpha) * g for c, g in zip(colour, behind, strict=True))


def luminance(colour):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(text, ground):
    hi, lo = sorted((luminance(drawn(text, ground)), luminance(rgba(ground)[0])), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("size,label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_header_links_reach_wcag_aa_in_the_browser(world, app, size, label):
    require_browser()
    world.secretariat.set_password("correct-horse-9")
    db.session.commit()
    db.session.close()
    with LiveServer(app) as server:
        driver = make_driver(size)
        try:
            driver.get(server.url + "/login")
            driver.find_element(By.ID, "username").send_keys("sec")
            driver.find_element(By.ID, "password").send_keys("correct-horse-9")
            driver.find_element(By.ID, "submit").click()
            driver.find_element(By.CSS_SELECTOR, "[data-testid=current-user]")
            links = driver.execute_script(STYLES)
            assert len(links) >= 3 and sum(link["active"] for link in links) == 1, links
            for link in links:
                ratio = contrast(link["color"], link["ground"])
                assert ratio >= 4.5, f"{link['text']}: {ratio:.2f}:1 ({link})"
            active = next(link for link in links if link["active"])
            others = [link for link in links if not link["active"] and link["text"]]
            assert all(
                (o["ground"], o["weight"]) != (active["ground"], active["weight"]) for o in others
            )
            icon = driver.execute_script(
                "const l = document.querySelector('link[rel=icon]');"
                "return fetch(l.href).then(r => [r.status, r.headers.get('content-type')]);"
            )
            assert icon == [200, "image/x-icon"]
            if size == PHONE:
                driver.find_element(By.CSS_SELECTOR, ".navbar-toggler").click()
                driver.find_element(By.CSS_SELECTOR, "#nav.show")
            shot(driver, f"header-{label}")
        finally:
            quit_driver(driver)
