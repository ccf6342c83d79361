"""axe-core (Deque's accessibility rules engine) for the browser tests: the pinned release from
the npm registry, fetched once into .cache/axe-core/ (gitignored), checked against the
registry's sha512 integrity, injected into the page and run over the WCAG 2.x A and AA rules.

No npm is needed: the tarball is a plain .tgz whose package/axe.min.js is the whole engine. A
failed download fails the test (CI reaches the registry); it is never a skip."""

import base64
import hashlib
import io
import os
import tarfile
import urllib.request

import pytest

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
# `dist.integrity` of https://registry.npmjs.org/axe-core/4.14.1
INTEGRITY = "sha512-" + (
    "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
CACHE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    ".cache",
    "axe-core",
)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")

_SOURCE = {}


def _matches(data):
    digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
    return f"sha512-{digest}" == INTEGRITY


def _download():
    try:
        with urllib.request.urlopen(TARBALL, timeout=60) as resp:  # noqa: S310 — a fixed https URL
            return resp.read()
    except OSError as exc:
        pytest.fail(f"could not download axe-core {VERSION} from {TARBALL}: {exc}")


def source():
    """The text of axe.min.js of the pinned release (downloaded and verified once)."""
    if "js" in _SOURCE:
        return _SOURCE["js"]
    tarball = os.path.join(CACHE, f"axe-core-{VERSION}.tgz")
    data = None
    if os.path.exists(tarball):
        with open(tarball, "rb") as f:
            data = f.read()
        if not _matches(data):  # a partial or tampered file: fetch it again
            data = None
    if data is None:
        data = _download()
        if not _matches(data):
            pytest.fail(f"{TARBALL} does not match the pinned integrity {INTEGRITY}")
        os.makedirs(CACHE, exist_ok=True)
        partial = f"{tarball}.{os.getpid()}.part"  # parallel workers: an atomic rename
        with open(partial, "wb") as f:
            f.write(data)
        os.replace(partial, tarball)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile("package/axe.min.js")
        _SOURCE["js"] = member.read().decode("utf-8")
    return _SOURCE["js"]


RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then((r) => done(r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => ({target: n.target.join(' '), impact: n.impact,
                                  summary: (n.failureSummary || '').slice(0, 300)})),
  }))))
  .catch((e) => done([{id: 'axe-error', impact: 'critical', help: String(e), targets: []}]));
"""


def inject(driver):
    """Put axe into the page just loaded (once per page load)."""
    if not driver.execute_script("return typeof window.axe !== 'undefined'"):
        driver.execute_script(source())


def run(driver):
    """The violations of the WCAG 2.0/2.1/2.2 A and AA rules on the page as it is drawn now."""
    inject(driver)
    driver.set_script_timeout(60)
    return driver.execute_async_script(RUN, TAGS)


def blocking(violations):
    """The violations of impact serious or critical."""
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations, page, most=5):
    """One line per failing element (at most ``most`` per rule and page): rule id, impact,
    page, target selector, and the first reason axe gives."""
    lines = []
    for v in violations:
        nodes = v["targets"] or [{"target": "", "summary": ""}]
        for node in nodes[:most]:
            reasons = [r.strip() for r in node["summary"].splitlines()[1:] if r.strip()]
            why = f" — {reasons[0][:160]}" if reasons else ""
            lines.append(f"{v['id']} [{v['impact']}] {page} {node['target']}{why}")
        if len(nodes) > most:
            lines.append(f"{v['id']} [{v['impact']}] {page} … and {len(nodes) - most} more")
    return lines
