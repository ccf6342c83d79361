"""Contact details out of free text (docs/domain.md): the public portal shows proposal and
reply texts with phone numbers, e-mail addresses and labelled contact lines ("联系人：…",
"联系电话：…", "邮箱：…") replaced by a placeholder."""

import re

from ..i18n import _

# "联系人：赵某 0571-88888888" — the label stays, what follows it up to the next punctuation or
# line end goes. A colon is required ("联系人民群众" is not a contact line), or a space after
# 联系人 / 联系电话 / 联系方式 ("联系人 赵某").
LABELLED = re.compile(
    r"(?P<label>联系人|联\s*系\s*人|联系电话|联系方式|联系手机|办公电话|手机号码|手机号|手机|电话"
    r"|传真|电子邮箱|电子邮件|邮箱|[Ee]-?mail|QQ|微信号?)"
    r"(?P<colon>\s*[:：]\s*|(?<=联系人)\s+|(?<=联系电话)\s+|(?<=联系方式)\s+)"
    r"(?P<value>[^，,。；;！!？?\n\r）)】\]]+)"
)
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+\s*[@＠]\s*[A-Za-z0-9\-]+(?:\s*[.．]\s*[A-Za-z0-9\-]+)+")
# mainland mobiles (13x–19x), optionally +86, with or without separators
MOBILE = re.compile(r"(?<![\d])(?:(?:\+|＋)?86[\s\-]?)?1[3-9]\d(?:[\s\-－]?\d{4}){2}(?![\d])")
# landlines with an area code: 0571-88888888, (010)12345678, 0571 8888 8888, extension -123
LANDLINE = re.compile(
    r"(?<![\d])(?:[(（]0\d{2,3}[)）]|0\d{2,3})[\s\-－—]?\d{3,4}[\s\-]?\d{4}"
    r"(?:[\s\-－]?(?:转|ext\.?)?\s?\d{1,5})?(?![\d])"
)
# service numbers 400/800 and bare local numbers of 7–8 digits after 电话/拨打
SERVICE = re.compile(r"(?<![\d])[48]00[\s\-]?\d{3}[\s\-]?\d{4}(?![\d])")
CALL = re.compile(r"(?P<label>电话|拨打|致电|热线)(?P<value>\s*\d[\d\s\-]{6,}\d)")


def placeholder():
    return _("〔已隐去〕")


def redact(text):
    """``text`` without phone numbers, e-mail addresses or labelled contact details."""
    if not text:
        return text or ""
    mark = placeholder()
    out = LABELLED.sub(lambda m: m.group("label") + m.group("colon") + mark, text)
    out = EMAIL.sub(mark, out)
    out = MOBILE.sub(mark, out)
    out = LANDLINE.sub(mark, out)
    out = SERVICE.sub(mark, out)
    out = CALL.sub(lambda m: m.group("label") + mark, out)
    return out
