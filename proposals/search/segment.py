"""Chinese word segmentation for the index and for queries (jieba, search mode).

jieba's dictionary is loaded once, lazily, on the first text to segment, and quietly. Documents
and queries go through exactly the same function, so that a query term is found whenever the
document contains the same word. Search mode (``cut_for_search``) also yields the dictionary
words inside a long word (自来水 → 自来水, 自来, 来水), so a query for a part of a compound
finds it.

Normalisation: Latin letters lower-cased, full-width forms folded (NFKC), punctuation dropped,
a few true synonyms of government writing folded onto one form (乡村 → 农村), stop words and
single characters dropped (a single character matches far too much to be a useful term; a
query made only of single characters is answered by a substring match instead, see query.py).
"""

import logging
import re
import threading
import unicodedata

_lock = threading.Lock()
_ready = False

# Words every proposal uses: they would only slow the index and blur the ranking.
STOP_WORDS = frozenset(
    """
    关于 建议 提案 的 和 与 及 以及 等 在 对 是 了 为 将 把 被 从 由 向 并 或 其 之 这 那 这些
    那些 一是 二是 三是 四是 五是 六是 一些 一个 进一步 我市 我区 我县 本市 全市 全区 全县 方面
    问题 工作 有关 相关 有效 不断 目前 当前 近年来 近年 存在 一定 通过 进行 加以 予以 给予 可以
    能够 需要 应当 应该 要 也 都 还 又 就 而 但 但是 因此 所以 如果 同时 以及 其中 我们 他们
    大家 有 没有
    """.split()  # noqa: SIM905  (a word list reads best as text)
)

# A few synonyms of committee writing, folded onto one form (documents and queries alike).
SYNONYMS = {
    "乡村": "农村",
    "老人": "老年人",
    "长者": "老年人",
    "银发": "老年人",
    "孩子": "儿童",
    "小孩": "儿童",
    "医保": "医疗保险",
    "公交车": "公交",
    "公共交通": "公交",
    "停车位": "车位",
    "电瓶车": "电动车",
    "电动自行车": "电动车",
    "中小企业": "小微企业",
    "民营企业": "民企",
    "农民工": "务工人员",
    "外卖员": "骑手",
    "快递员": "快递小哥",
    "托育": "托幼",
    "高校毕业生": "大学生",
    "毕业生": "大学生",
    "街道": "街镇",
    "乡镇": "街镇",
}

_KEEP = re.compile(r"[0-9a-z\u3400-\u9fff]+")
MAX_TERM = 40


def _load():
    global _ready
    if _ready:
        return
    with _lock:
        if not _ready:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _ready = True


def _cut(text):
    _load()
    import jieba

    return jieba.cut_for_search(text)


def normalise(token):
    token = unicodedata.normalize("NFKC", token).lower()
    token = "".join(_KEEP.findall(token))
    return SYNONYMS.get(token, token)


def tokens(text):
    """The index terms of ``text`` in order, repeated as often as they occur."""
    if not text:
        return []
    out = []
    for raw in _cut(text):
        term = normalise(raw)
        if len(term) < 2 or len(term) > MAX_TERM or term in STOP_WORDS:
            continue
        out.append(term)
    return out


def query_terms(q):
    """The distinct terms of a query, in order."""
    seen = []
    for term in tokens(q or ""):
        if term not in seen:
            seen.append(term)
    return seen[:16]


def surface_forms(q):
    """What to highlight for a query: its words as typed (also the single characters and the
    synonyms that were folded together), longest first."""
    forms = set()
    if not q:
        return []
    for raw in _cut(q):
        word = unicodedata.normalize("NFKC", raw).strip().lower()
        word = "".join(_KEEP.findall(word))
        if not word or word in STOP_WORDS:
            continue
        forms.add(word)
        canonical = SYNONYMS.get(word, word)
        forms.add(canonical)
        forms.update(k for k, v in SYNONYMS.items() if v == canonical)
    return sorted(forms, key=lambda w: (-len(w), w))
