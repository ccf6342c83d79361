"""Contact details out of the public texts (proposals/disclosure/redact.py), over the corpus of
tests/disclosure/redaction_corpus.py: what must disappear does, in every written form, and
ordinary text comes back byte-identical."""

import re
import timeit
import unicodedata

import pytest

from proposals.disclosure.redact import redact

from .redaction_corpus import KEPT, REMOVED

HIDDEN = "〔已隐去〕"
CHINESE_DIGITS = str.maketrans(
    "〇零一二三四五六七八九幺壹贰叁肆伍陆柒捌玖", "001234567891123456789"
)
MIN_RUN = 7  # this many digits of a hidden number in a row would give it away


def fold(text):
    """What a reader could recover: full-width as ASCII, Chinese digits as digits, the
    separators between digits dropped, lower case."""
    text = unicodedata.normalize("NFKC", text).translate(CHINESE_DIGITS).lower()
    return re.sub(r"(?<=\d)[\s.\-_·—–()]+(?=\d)", "", text)


def recoverable(secret, out):
    """The parts of ``secret`` still readable in ``out``: 7 of its digits in a row, or (when
    it has fewer digits) the secret itself, once both are folded."""
    digits = re.sub(r"\D", "", fold(secret))
    folded = fold(out)
    if len(digits) >= MIN_RUN:
        runs = {digits[i : i + MIN_RUN] for i in range(len(digits) - MIN_RUN + 1)}
        return sorted(run for run in runs if run in folded)
    return [secret] if fold(secret) in folded else []


@pytest.mark.parametrize("text, secrets", REMOVED, ids=[f"removed{n}" for n in range(len(REMOVED))])
def test_contact_details_are_removed(text, secrets):
    out = redact(text)
    assert HIDDEN in out, out
    for secret in secrets:
        assert secret not in out, out
        assert recoverable(secret, out) == [], out


@pytest.mark.parametrize("text", KEPT, ids=[f"kept{n}" for n in range(len(KEPT))])
def test_ordinary_text_is_kept_byte_identical(text):
    assert redact(text) == text


def test_the_corpus_is_large_enough_and_its_secrets_are_in_their_texts():
    assert len(REMOVED) >= 60 and len(KEPT) >= 40
    for text, secrets in REMOVED:
        assert secrets and all(s in text for s in secrets), text


def test_the_folding_of_these_tests_sees_through_the_written_forms():
    # the checks are only as good as fold(): make sure it is not fooled
    assert fold("１３７ １２３４-５６７８") == "13712345678"
    assert fold("一三九一二三四五六七八") == "13912345678"
    assert recoverable("138.0013.8000", "电话1380013 8000") != []
    assert recoverable("zhang_san88", "微信 ＺＨＡＮＧ_ＳＡＮ88") != []
    assert recoverable("王某某", "联系人王某某") == ["王某某"]


def test_only_the_detail_goes_the_words_around_it_stay():
    text = "如有问题请致电 8765 4321（工作日）。联系人：王某，邮箱 wang(at)hz.gov.cn，谢谢。"
    assert (
        redact(text)
        == "如有问题请致电 〔已隐去〕（工作日）。联系人：〔已隐去〕，邮箱 〔已隐去〕，谢谢。"
    )


def test_redacting_a_long_text_takes_a_few_milliseconds_at_most():
    # a 5,000-character reply with a contact detail every few sentences; the list page
    # redacts up to 20 titles, a proposal's page a handful of texts
    sentence = "针对提案提出的老旧小区加装电梯问题，2026年投入资金1.38亿元，惠及138000人。"
    details = [*(t for t, _ in REMOVED[::7]), *KEPT[::5]]
    text = ""
    while len(text) < 5000:
        text += sentence * 3 + details[len(text) % len(details)]
    text = text[:5000]
    calls = 20
    seconds = min(timeit.repeat(lambda: redact(text), number=calls, repeat=3)) / calls
    assert seconds < 0.025, f"{seconds * 1000:.2f} ms"  # generous: about 1 ms on a laptop
