"""Password rules (ASVS 5.0 §6.2): at least PASSWORD_MIN_LENGTH characters (default 8) that are
visible (spaces and invisible characters do not count, so a password of spaces is refused), at
most 256, and not one of the common passwords in ``common_passwords.txt`` (compared
case-insensitively, after trimming spaces). Any other character is allowed; no composition
rules, no expiry. The hash is PBKDF2-SHA256 with 600,000 iterations (config
PASSWORD_HASH_METHOD).

A password is hashed and checked in Unicode NFKC form (NIST SP 800-63B §5.1.1.2): a Chinese input
method in full-width mode types ``ｐａｓｓ``, which signs in as ``pass``."""

import os
import unicodedata
from functools import lru_cache

from flask import current_app, has_app_context

from ..accounts.models import normalise
from ..i18n import _

DEFAULT_MIN_LENGTH = 8
MAX_LENGTH = 256
LIST_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords():
    with open(LIST_FILE, encoding="utf-8") as fh:
        return frozenset(
            line.strip().lower() for line in fh if line.strip() and not line.startswith("#")
        )


def min_length():
    if has_app_context():
        return int(current_app.config.get("PASSWORD_MIN_LENGTH", DEFAULT_MIN_LENGTH))
    return DEFAULT_MIN_LENGTH


def _visible(char):
    # Z*: spaces and separators; C*: controls and formats (zero-width space, joiners, BOM …)
    return not char.isspace() and unicodedata.category(char)[0] not in "ZC"


def password_problem(password, username=None):
    """The reason ``password`` is refused, or None when it is acceptable."""
    password = normalise(password)
    n = min_length()
    visible = sum(1 for char in password if _visible(char))
    if password and not visible:
        return _("密码不能只由空格或不可见字符组成")
    if len(password) < n:
        return _("密码至少 %(n)d 位", n=n)
    if visible < n:
        return _("密码至少 %(n)d 个可见字符（空格不计）", n=n)
    if len(password) > MAX_LENGTH:
        return _("密码不超过 %(n)d 位", n=MAX_LENGTH)
    lowered = password.strip().lower()
    if lowered in common_passwords():
        return _("这个密码太常见，容易被猜中，请换一个")
    if username and lowered == str(username).strip().lower():
        return _("密码不能与用户名相同")
    return None
