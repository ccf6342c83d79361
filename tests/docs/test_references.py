"""The repository stands on its own: nothing in it points at files outside it (a clone has
none) or at issue numbers (history belongs in commit messages), and every link of the README
and docs/ to a file of the repository leads to one that exists."""

import os
import re
import subprocess

import pytest

from ..infra import ROOT

pytestmark = pytest.mark.one_database

# the specification's files are upper case; the repository's docs are lower case
OUTSIDE = re.compile(r"\.\./shared|\b(?:DOMAIN|API|STYLE)\.md\b|\b[Ii]ssues? #?\d+\b")
# a Markdown link to a relative path: [text](path) or [text](path#anchor)
LINK = re.compile(r"\]\((?!https?://|mailto:|#)([^)#\s]+)(?:#[^)]*)?\)")


def tracked_text_files():
    names = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, names):
        path = os.path.join(ROOT, name)
        if not os.path.isfile(path):
            continue  # deleted in the work tree
        with open(path, "rb") as f:
            data = f.read()
        if b"\0" in data:
            continue  # binary (images, the compiled catalog)
        yield name, data.decode("utf-8", "replace")


def outside_references(text):
    return [m.group(0) for m in OUTSIDE.finditer(text)]


def test_the_checks_see_what_they_look_for():
    assert outside_references("see ../shared/DOMAIN.md §5 and issue 7") == [
        "../shared",
        "DOMAIN.md",
        "issue 7",
    ]
    assert outside_references("docs/domain.md and docs/api.md; an issued token") == []
    assert LINK.findall("[a](docs/api.md) [b](https://x.org) [c](docs/x.md#y)") == [
        "docs/api.md",
        "docs/x.md",
    ]


def test_no_file_refers_outside_the_repository_or_to_issue_numbers():
    found = {}
    for name, text in tracked_text_files():
        hits = outside_references(text)
        if hits and name != "tests/docs/test_references.py":
            found[name] = sorted(set(hits))
    assert not found, found


def test_every_link_of_the_readme_and_the_docs_leads_to_a_file_here():
    broken = []
    for name, text in tracked_text_files():
        if not name.endswith(".md"):
            continue
        folder = os.path.dirname(os.path.join(ROOT, name))
        for target in LINK.findall(text):
            if not os.path.exists(os.path.normpath(os.path.join(folder, target))):
                broken.append(f"{name}: {target}")
    assert not broken, broken
