"""Contact details out of free text (docs/domain.md, §7): the public portal shows proposal titles,
texts and reply texts with phone numbers, e-mail addresses, QQ and WeChat ids, identity card
numbers and the names on contact lines ("联系人：…") replaced by a placeholder.

It works in three steps:

1. A *view* of the text is made to match on, one character for one: full-width forms become
   ASCII (１３８ → 138, ＠ → @, ：→ :, （ → ( ), so the patterns see ASCII digits and
   punctuation only.
2. The patterns below find what to hide in the view. Each match gives a span: the whole
   match, or its group ``value`` when the label before it stays ("电话：" stays, the number
   goes).
3. The spans are merged and replaced by the placeholder in the original text. The view has
   the same length as the text, so its positions are the text's: everything outside the
   spans comes back byte-identical.

To add a pattern, write it against the view (ASCII digits and punctuation), add it to
PATTERNS, and add cases to tests/disclosure/redaction_corpus.py: what must go, and the
ordinary text near it that must stay. Speed: Python's ``re`` skips quickly to where a match
can start only when a pattern begins with a literal, alternatives of literals or one character
class — so a pattern here begins with one, and its look-behind checks come right after it
(START_OF_NUMBER); no re.IGNORECASE (write "QQ|qq"). A 5,000-character text takes about a
millisecond.
"""

import re

from ..i18n import _

# ---------------------------------------------------------------- 1. the view

# full-width forms U+FF01–FF5E are ASCII shifted by 0xFEE0; also the ideographic space and
# the small ＠
FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000\ufe6b]+")
TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xFE6B: 0x40}


def view(text):
    """``text`` as the patterns see it, of the same length: full-width forms as ASCII."""
    return FULL_WIDTH.sub(lambda m: m.group().translate(TO_ASCII), text)


# ---------------------------------------------------------------- 2. the patterns

# between two digits of one number: nothing, or up to two of space, dot, hyphen, dash
# ("138 0013 8000", "138.0013.8000", "1 3 8 …", "0571 - 8888"); never a comma (2,000,000)
SEP = r"[ \t.\-·—–]{0,2}"
# Right after a number's first character: the number is not glued to a letter, digit or "_"
# before it (art_1229063387.html, col13800138000), nor continues another one with a dot or a
# hyphen (a decimal, a date). And after its last character, the same.
START_OF_NUMBER = r"(?<![0-9A-Za-z_].)(?<![0-9][.\-].)"
END_OF_NUMBER = r"(?![0-9A-Za-z_])(?![.\-][0-9])"
# a number followed by a unit is a quantity, not a phone: 13800000000元, 1380000件
NOT_A_QUANTITY = r"(?!\s*(?:元|万|亿|千|百|人|户|个|件|次|台|辆|吨|米|亩|平方|%|‰))"

# mainland mobiles 13x–19x in any grouping; after +86 / 0086 too, glued or not (the country
# code stays: it tells nothing)
AFTER_COUNTRY_CODE = r"(?<=86.)|(?<=86[ \-].)"
MOBILE = re.compile(
    rf"1(?:{AFTER_COUNTRY_CODE}|{START_OF_NUMBER}){SEP}[3-9](?:{SEP}[0-9]){{9}}"
    rf"{END_OF_NUMBER}{NOT_A_QUANTITY}"
)
# landlines with an area code: 0571-88888888, (010)66554433, 0571 8888 8888 转 803, and
# after +86 the international (0)571 8765 4321
LANDLINE = re.compile(
    rf"(?:\(0[0-9]{{2,3}}\)|\(0\)[0-9]{{2,3}}|0{START_OF_NUMBER}[0-9]{{2,3}})"
    rf"{SEP}[0-9]{{3,4}}{SEP}[0-9]{{4}}"
    rf"(?:\s*(?:转|分机|ext\.?)\s*[0-9]{{1,5}}|-[0-9]{{1,5}})?{END_OF_NUMBER}"
)
# 400/800 service numbers
SERVICE = re.compile(rf"[48]{START_OF_NUMBER}00{SEP}[0-9]{{3}}{SEP}[0-9]{{4}}{END_OF_NUMBER}")
# identity cards: 18 characters (region, birth date, serial, check digit or X), also grouped
# 6-8-4 ("330106 19900101 123X")
BIRTH = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"  # month and day
ID_CARD = re.compile(
    rf"[1-9]{START_OF_NUMBER}[0-9]{{5}}{SEP}(?:18|19|20)[0-9]{{2}}{BIRTH}{SEP}[0-9]{{3}}[0-9Xx]"
    rf"{END_OF_NUMBER}"
)
# 15 digits or more in an unbroken run: an old 15-digit identity card, a new one, a bank card.
# Amounts that large are written with 万/亿, not digit by digit.
LONG_NUMBER = re.compile(rf"[0-9]{START_OF_NUMBER}[0-9]{{14,}}[Xx]?{END_OF_NUMBER}{NOT_A_QUANTITY}")

# a number read out digit by digit in Chinese (一三八零零一三八零零零, 幺三八〇〇…, 壹叁捌…,
# 138零零13八000): 7 digit-like characters or more, separators allowed, 3 of them Chinese
# digits. It goes whole, whatever it is: nobody writes a quantity or a date that way
# (一百三十八户 and 三千八百万 have 百/千 between, 二〇二六年 is four). "张三13800138000" is a
# name and a mobile (one Chinese digit).
CHINESE_DIGIT = "〇零一二三四五六七八九幺壹贰叁肆伍陆柒捌玖"
DIGIT_LIKE = rf"[0-9{CHINESE_DIGIT}]"
AHEAD_IN_THE_RUN = rf"[0-9 \t.\-·—–]*[{CHINESE_DIGIT}]"  # a Chinese digit further on
SPELLED_OUT = re.compile(
    rf"{DIGIT_LIKE}"
    rf"(?:(?<=[{CHINESE_DIGIT}])(?={AHEAD_IN_THE_RUN * 2})|(?={AHEAD_IN_THE_RUN * 3}))"
    rf"(?:{SEP}{DIGIT_LIKE}){{6,}}"
)

# e-mail: name@host.tld, and as people disguise it: name(at)host.com, name [at] host dot com,
# name # host.com, name at 163 dot com, name@126[dot]com (brackets may be 【】)
AT = r"(?: *@ *| *[(\[【] *(?:at|AT) *[)\]】] *| +(?:at|AT) +| *# *)"
DOT = r"(?:\.| *[(\[【] *(?:dot|DOT) *[)\]】] *| +(?:dot|DOT) +|点)"
EMAIL = re.compile(
    rf"[A-Za-z0-9](?<![A-Za-z0-9._%+\-/].)[A-Za-z0-9._%+\-]*{AT}"
    rf"[A-Za-z0-9\-]+(?:{DOT}[A-Za-z0-9\-]+)*{DOT}[A-Za-z]{{2,}}(?![A-Za-z0-9\-])"
)

# "联系电话：…", "联系人 赵某 …": a label, then a colon (or, after 联系人/联系电话/联系方式, a
# space): what follows up to the next punctuation goes, the label stays. Without a colon
# 联系人 is a word like any other ("联系人民群众"). Latin labels (Tel, QQ, vx …) are written in
# their usual cases and not checked for a word before them ("hotel:" would count): rare in
# this prose, and cheaper than a look-behind on every character.
LABELS = (
    "联系人|联系电话|联系方式|联系手机|办公电话|手机号码|手机号|手机|电话|座机|固话|传真"
    "|电子邮箱|电子邮件|邮箱|E-mail|e-mail|Email|email|EMAIL|Tel|TEL|tel|QQ号?|qq号?"
    "|微信号?|WeChat|VX|vx|WX|wx|V信|v信|身份证号码?|身份证|证件号码?|经办人"
)
LABELLED = re.compile(
    rf"(?:{LABELS})(?: *: *|(?<=联系人) +|(?<=联系电话|联系方式) +)"
    r"(?P<value>[^,;!?\n\r)\]】。]+)"
)
# a number of 7 digits or more that is not a quantity: a local phone number
PHONE_LIKE = rf"[0-9](?:{SEP}[0-9]){{6,}}{END_OF_NUMBER}{NOT_A_QUANTITY}"
# a name right after 联系人 / 经办人 when a phone follows: "联系人张三 13800138000",
# "联系人李四，电话…" (the phone itself is another pattern's); "联系人民群众1380000人次" stays
NAMED = re.compile(
    r"(?:联系人|经办人)(?P<value>[\u4e00-\u9fff]{2,4}?)"
    rf"(?= *[,、]? *(?:电话|手机|座机|固话|[(+]?{PHONE_LIKE}))"
)
# a bare number of 7 digits or more after 电话/座机/致电…, no colon: "座机 8888 8888",
# "电话88888888", "请致电 8765 4321" (short public hotlines, 拨打12345, stay)
CALLED = re.compile(
    r"(?:电话|座机|固话|手机|传真|热线|致电|拨打|Tel|TEL|tel)(?:号码)?(?:是|为)? *"
    rf"(?P<value>{PHONE_LIKE})"
)
# QQ (and QQ群) numbers: "QQ 12345678", "QQ12345678"
QQ = re.compile(r"(?:QQ|qq|Qq)(?:群|号码?)? *(?P<value>[1-9][0-9]{4,10})(?![0-9])")
# WeChat ids (6–20 letters, digits, _ or -, starting with a letter) or numbers after 微信,
# 微信号, vx, wx, V信: "微信 zhang_san88", "VX zhaoliu". 微信公众号 and 微信 APP stay (no id);
# a word shaped like an id goes too ("微信 Android 版" loses "Android": better than an id kept).
WECHAT = re.compile(
    r"(?:微信号?|WeChat|VX|Vx|vx|WX|Wx|wx|V信|v信|威信) *"
    r"(?P<value>[A-Za-z][A-Za-z0-9_\-]{5,19}|[1-9][0-9]{4,10})(?![A-Za-z0-9_\-])"
)

PATTERNS = (
    LABELLED,
    NAMED,
    CALLED,
    QQ,
    WECHAT,
    EMAIL,
    MOBILE,
    LANDLINE,
    SERVICE,
    ID_CARD,
    LONG_NUMBER,
    SPELLED_OUT,
)


# ---------------------------------------------------------------- 3. the replacement


def placeholder():
    return _("〔已隐去〕")


def hidden_spans(text):
    """The (start, end) spans of ``text`` to hide, sorted and merged."""
    seen = view(text)
    spans = []
    for pattern in PATTERNS:
        for match in pattern.finditer(seen):
            start, end = match.span("value" if "value" in pattern.groupindex else 0)
            while end > start and seen[end - 1].isspace():  # "联系人：赵某 " keeps its space
                end -= 1
            if end > start:
                spans.append((start, end))
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def redact(text):
    """``text`` with its contact details replaced by the placeholder; the rest unchanged."""
    if not text:
        return text or ""
    mark = placeholder()
    parts, last = [], 0
    for start, end in hidden_spans(text):
        parts += [text[last:start], mark]
        last = end
    parts.append(text[last:])
    return "".join(parts)
