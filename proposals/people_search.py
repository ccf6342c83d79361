"""Pinyin keys for finding people and units by typing: ``zs`` or ``zhangsan`` finds 张三.

The pickers on the proposal form match what one types against a name, its pinyin initials and
its full pinyin; these are computed here once per name (pypinyin's dictionary lookups are cheap
but a national committee has about 2,000 members) and sent with each option.

pypinyin reads a character by its commonest reading, which for some surnames is not the surname
reading (曾 céng, but the surname is Zēng), so the first character of a person's name is read
from ``SURNAMES`` first."""

from pypinyin import Style, lazy_pinyin

# Surnames whose reading as a surname differs from the character's commonest reading.
SURNAMES = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "员": "yun",
    "覃": "qin",
    "翟": "zhai",
    "召": "shao",
    "种": "chong",
    "秘": "bi",
    "缪": "miao",
    "繁": "po",
    "尉": "yu",
    "长": "chang",
    "重": "chong",
    "褚": "chu",
    "句": "gou",
    "隗": "wei",
    "眭": "sui",
    "万": "wan",
    "薄": "bo",
    "任": "ren",
    "沈": "shen",
    "贾": "jia",
    "卜": "bu",
    "藏": "zang",
    "臧": "zang",
    "角": "jue",
    "折": "she",
    "粘": "nian",
    "阚": "kan",
    "能": "nai",
}


def _syllables(text, surname):
    words = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: list(chars))
    # lazy_pinyin gives one item per Chinese character; the first is the surname's
    if surname and text and text[0] in SURNAMES and words:
        words[0] = SURNAMES[text[0]]
    return [w.lower() for w in words if w.strip()]


def pinyin_keys(text, surname=False):
    """``(initials, full)`` for ``text``: ``("zs", "zhangsan")`` for 张三. With ``surname`` the
    first character is read as a surname (单 shan, not dan). Characters that are not Chinese
    (letters, digits) are kept as they are; punctuation and spaces are dropped."""
    words = _syllables((text or "").strip(), surname)
    words = [w for w in words if any(c.isalnum() for c in w)]
    initials = "".join(w[0] for w in words)
    return initials, "".join(words)


def search_attrs(text, surname=False):
    """The data attributes an option carries for the pickers (static/js/picker.js)."""
    initials, full = pinyin_keys(text, surname)
    return {"data-initials": initials, "data-pinyin": full}
