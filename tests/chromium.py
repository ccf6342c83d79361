"""Headless Chromium (Debian's chromium and chromium-driver) against the app served on
loopback, for the end-to-end tests. Screenshots go to a folder named at the end of the run."""

import os
import shutil
import tempfile
import threading
from datetime import datetime

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
DESKTOP = (1366, 900)
PHONE = (375, 812)


def browser_available():
    return os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)


def require_browser():
    if not browser_available():
        if os.environ.get("CI"):
            pytest.fail(
                "chromium and chromium-driver are required in CI (scripts/test.sh installs them)"
            )
        pytest.skip("chromium / chromedriver not installed")


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)


def make_driver(size):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="proposals-chromium-")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=zh-CN",
        f"--user-data-dir={profile}",
        f"--window-size={size[0]},{size[1]}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_window_size(*size)
    driver.implicitly_wait(3)
    driver._profile_dir = profile
    return driver


def quit_driver(driver):
    try:
        driver.quit()
    finally:
        shutil.rmtree(getattr(driver, "_profile_dir", ""), ignore_errors=True)


_SHOTS = {}


def screenshot_dir():
    """One folder per test run, named in the terminal summary (see tests/conftest.py)."""
    if "dir" not in _SHOTS:
        base = os.environ.get("SCREENSHOT_DIR") or os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "test-artifacts"
        )
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        db = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
        path = os.path.join(base, f"screenshots-{stamp}-{db}")
        os.makedirs(path, exist_ok=True)
        _SHOTS["dir"] = path
    return _SHOTS["dir"]


def shot(driver, name):
    path = os.path.join(screenshot_dir(), f"{len(os.listdir(screenshot_dir())) + 1:02d}-{name}.png")
    driver.save_screenshot(path)
    return path


def screenshots_taken():
    return _SHOTS.get("dir")
