"""Chinese texts for the demo: proposals, replies, contacts, opinions and the secretariat's
comments, composed from the topic's own problems and suggestions."""

from ..documents.text import chinese_date, salutation
from ..handling.models import CONTACT_MODES

NUMERALS = "一二三四五六七八九十"

_ANALYSIS = [
    "近年来，我市{subject_work}取得积极进展，但调研中发现仍存在一些突出问题。{points}{tail}",
    "{subject}事关群众切身利益和全市高质量发展大局。从实际情况看，{points}{tail}",
    "笔者在走访调研中了解到，我市{subject}还存在不少短板。{points}{tail}",
    "今年以来，围绕{subject}，我们开展了专题调研，召开座谈会听取基层意见。{points}{tail}",
]
_TAILS = [
    "这些问题如不及时解决，将影响相关工作的成效，群众对此反映较多。",
    "有关方面虽已采取一些措施，但效果尚不明显，亟需统筹研究解决。",
    "与周边先进地区相比，我市在这方面仍有较大差距，需要引起重视。",
    "这些问题已成为制约工作深入推进的瓶颈，社会关注度较高。",
]
_PADDING = (
    "在调研过程中，我们走访了相关部门、乡镇（街道）和企业，听取了基层干部群众的意见，"
    "大家普遍认为上述问题具有一定代表性，希望有关部门统筹研究、拿出切实管用的措施。"
)


def joined(subject, word):
    """``subject`` followed by ``word``, unless it already ends in it: "执行工作" stays
    "执行工作", "湿地保护" becomes "湿地保护工作"."""
    return subject if subject.endswith(word) else subject + word


def _numbered(items, sep="；", end="。"):
    return sep.join(f"{NUMERALS[i]}是{item}" for i, item in enumerate(items)) + end


def proposal_content(topic, title, rng, limits):
    """Title, category, 情况分析 and 具体建议 within the committee's length limits."""
    analysis = rng.choice(_ANALYSIS).format(
        subject=topic.subject,
        subject_work=joined(topic.subject, "工作"),
        points=_numbered(topic.problems),
        tail=rng.choice(_TAILS),
    )
    suggestions = "为此，建议：" + _numbered(topic.suggestions, sep="。", end="。")
    return fit(
        {
            "title": title,
            "category": topic.category,
            "analysis": analysis,
            "suggestions": suggestions,
        },
        limits,
    )


def fit(content, limits):
    """Pad (or trim) the analysis so that analysis + suggestions fit the length settings."""
    low, high = limits
    length = len(content["analysis"]) + len(content["suggestions"])
    while length < low:
        content["analysis"] += _PADDING
        length += len(_PADDING)
    if length > high:
        content["suggestions"] = content["suggestions"][:high]
        content["analysis"] = content["analysis"][: high - len(content["suggestions"])]
    return content


def pronoun(proposers):
    """您 for one member; 你们 for several proposers or an organisation, as replies write."""
    if len(proposers) == 1 and not proposers[0].org_type:
        return "您"
    return "你们"


_RESULT_BODY = {
    "A": (
        "您提出的建议针对性和可操作性强，我们已全部采纳并落实到具体工作中。",
        "目前该项工作已完成，相关措施已经落地见效。",
    ),
    "B": (
        "您提出的建议很有价值，我们已将其列入{year}年度工作计划，正在组织实施。",
        "该项工作正在推进中，预计于{promised}前完成，我们将及时向您反馈进展情况。",
    ),
    "C": (
        "您提出的建议很有见地，但受财力和现有政策条件限制，目前暂不具备全面实施的条件。",
        "我们将留作参考，在今后工作中积极创造条件，逐步推动解决。",
    ),
}

_POINTS = {
    "A": (
        "我们会同有关部门进行了专题研究，已将该项建议纳入工作方案，相关措施已落实到位。",
        "该项建议已被采纳，我们已出台配套措施并组织实施，取得了初步成效。",
        "我们已将该项建议吸收到年度重点工作中，明确了责任分工，目前已办理完毕。",
    ),
    "B": (
        "该项工作已列入计划，目前正在推进，我们将按确定的时间节点抓好落实。",
        "我们已制定实施方案，明确了责任分工和完成时限，正在组织实施。",
        "相关前期工作已经启动，所需资金正在争取，我们将加快推进。",
    ),
    "C": (
        "经研究，该项建议所需的资金和政策条件目前尚不具备，我们将在今后工作中统筹考虑。",
        "该项建议涉及上级事权和现行政策规定，暂难实施，我们已向上级部门反映。",
        "受现有条件限制，该项建议暂时难以落实，我们将留作参考，条件成熟时积极推动。",
    ),
}


def reply_text(
    result,
    proposers,
    title,
    topic,
    unit_name,
    promised=None,
    year=None,
    second=False,
    share=None,
    split_with=(),
    co_units=(),
):
    """A unit's reply letter. ``share`` is the part of the suggestions this unit answers (all
    of them unless the proposal is split between ``split_with`` and this unit); ``co_units``
    are the units whose opinions a lead unit took into account."""
    share = list(topic.suggestions if share is None else share)
    if split_with:
        how = (
            f"该提案由{unit_name}与{'、'.join(split_with)}分别办理，我单位负责办理其中"
            + "、".join(f"“{s}”" for s in share)
            + "方面的建议，"
        )
        study = "组织专人认真研究"
    else:
        how = f"{unit_name}高度重视，"
        study = f"会同{'、'.join(co_units)}认真研究" if co_units else "组织专人认真研究"
    intro = (
        f"您提出的《{title}》收悉。"
        + ("针对您对前次答复的意见，我们重新进行了研究办理。" if second else "")
        + f"{how}{study}，并与您进行了沟通，现答复如下："
    )
    # a split unit words its points from a different starting point than its partners
    offset = len(split_with) and sum(map(ord, unit_name)) % 3
    points = [
        f"{NUMERALS[i]}、关于“{suggestion}”的建议。{_POINTS[result][(i + offset) % 3]}"
        for i, suggestion in enumerate(share)
    ]
    first, last = _RESULT_BODY[result]
    fmt = {"year": year or "", "promised": chinese_date(promised) if promised else ""}
    body = "\n".join(
        [
            intro,
            first.format(**fmt),
            *points,
            last.format(**fmt),
            f"感谢您对{joined(topic.subject, '工作')}的关心和支持，欢迎继续提出宝贵意见。",
        ]
    )
    # the texts speak to one member (您); several proposers or an organisation are 你们
    return salutation(proposers) + "\n" + body.replace("您", pronoun(proposers))


def split_share(suggestions, index, count):
    """The suggestions the ``index``-th of ``count`` split units answers: every
    ``count``-th one, at least one each."""
    share = list(suggestions[index::count])
    return share or [suggestions[index % len(suggestions)]]


_CONTACTS = {
    "meeting": "与提案人面谈，详细了解提案背景和具体诉求，介绍了我单位相关工作进展和办理思路。",
    "forum": "邀请提案人参加办理座谈会，与相关科室负责人共同研究落实措施，提案人提出了补充意见。",
    "phone": "电话联系提案人，就办理思路和时间安排进行沟通，提案人表示认可。",
    "email": "通过邮件向提案人发送办理方案征求意见，提案人回复同意并提出补充建议。",
    "letter": "致函提案人介绍办理工作安排，并征求提案人对办理工作的意见。",
    "other": "陪同提案人实地查看有关情况，现场交流办理措施。",
}
CONTACT_WEIGHTS = [
    ("phone", 5),
    ("meeting", 4),
    ("forum", 2),
    ("email", 1),
    ("letter", 1),
    ("other", 1),
]
assert set(_CONTACTS) == set(CONTACT_MODES)


def contact_summary(mode):
    return _CONTACTS[mode]


def opinion_text(unit_name, topic, rng, lead_name=None):
    suggestion = rng.choice(topic.suggestions)
    lead = f"主办单位{lead_name}" if lead_name else "主办单位"
    return (
        f"经研究，{unit_name}同意{lead}的办理思路。关于“{suggestion}”，我单位将在职责范围内"
        "积极配合，做好政策衔接和资金、项目保障等工作，并及时向主办单位提供相关资料。"
    )


EXTENSION_REASONS = [
    "本提案涉及多个部门职责，需协调有关单位共同研究，相关政策正在制定中，申请延期答复。",
    "办理需开展专题调研并征求相关部门和专家意见，无法在规定期限内完成答复，申请延期。",
    "提案所提事项需提请市政府常务会议研究，会议安排尚未确定，申请延期答复。",
]
EXTENSION_APPROVED = [
    "同意延期，请抓紧办理，按期答复。",
    "同意。请加强与提案人沟通，确保办理质量。",
]
EXTENSION_REFUSED = ["该提案不涉及复杂的协调事项，请按原期限答复。", "延期理由不充分，请按期答复。"]
REASSIGN_REASONS = [
    "本提案所提事项主要不属于我单位职责范围，建议调整由{other}承办。",
    "根据机构改革后的职责划分，该事项已划转至{other}，申请调整承办单位。",
]
REASSIGN_REFUSED = ["该事项与你单位职责密切相关，请认真办理。"]
SIGNOFF_RETURNS = [
    "答复内容未逐条回应提案建议，请修改完善后重新报送。",
    "请补充具体措施和完成时限，进一步完善答复内容。",
]
REVIEW_RETURNS = [
    "答复过于原则，请针对提案所提建议逐条答复。",
    "答复中未说明与提案人沟通情况，请补充后重新报送。",
    "答复结果定为 A 类依据不足，请核实后重新报送。",
]
REVIEW_CORRECTIONS = ["经审核，答复所述措施尚在研究中，办理结果调整为留作参考。"]
RETURN_COMMENTS = [
    "具体建议过于笼统，请补充可操作的措施后重新提交。",
    "情况分析缺少数据支撑，请补充调研情况后重新提交。",
    "本提案涉及多个事项，请按照一事一案的要求修改后重新提交。",
]
NOT_FILED_COMMENTS = {
    "personal": "所提事项属于个人问题，不符合提案立案条件，已转有关部门按来信办理。",
    "litigation": "所提事项已进入司法程序，不宜作为提案办理。",
    "promotion": "提案内容涉及特定产品的宣传推介，不予立案。",
    "out_of_remit": "所提事项不属于本市职权范围，已作为意见建议向上级政协反映。",
    "no_suggestion": "提案内容较为空泛，没有具体建议，已转为社情民意信息报送。",
    "academic": "所提事项属于学术探讨范畴，不予立案。",
    "accusation": "具名检举揭发事项不属于提案范围，已转有关部门依规处理。",
    "party_internal": "所提事项涉及党的组织和人事问题，不予立案。",
    "democratic_party_internal": "所提事项属于民主党派内部事务，建议由党派组织自行研究。",
    "other": "所提事项较为具体，已转有关部门作为意见建议研究办理。",
}
WITHDRAW_REASONS = [
    "所提问题已由有关部门解决，申请撤回。",
    "经进一步调研，拟修改完善后另行提交，申请撤回。",
    "与其他委员提案内容重复，申请撤回。",
]
RATING_COMMENTS = {
    "satisfied": ["办理态度认真，沟通充分，答复具体，满意。", "措施具体，落实到位。", None, None],
    "basically_satisfied": [
        "答复基本回应了建议，希望加快落实进度。",
        "部分建议尚未落实，希望继续跟进。",
    ],
    "unsatisfied": [
        "答复未针对所提建议，措施不具体，不满意。",
        "办理过程中未与提案人进行实质性沟通，答复内容空泛。",
        "答复所述措施与实际情况不符，问题没有得到解决。",
    ],
}
FOLLOW_UP_PROGRESS = [
    "相关工作已完成前期准备，正在按计划组织实施。",
    "项目已纳入年度计划，资金已落实，正在推进。",
]
FOLLOW_UP_DONE = ["已按答复承诺完成相关工作，并向提案人通报了办理结果。"]
CONSULTATION_NOTES = [
    "提案委员会办公室组织提案人与承办单位当面协商，双方就后续办理措施达成一致，"
    "承办单位将按协商意见继续推进落实。"
]
EDIT_ADDITION = "此外，建议建立工作推进台账，明确责任单位和完成时限，定期通报进展情况。"


def revised(content, limits):
    """The edit a proposer makes after a return for revision: one more concrete suggestion."""
    edited = fit(
        {"analysis": content["analysis"], "suggestions": content["suggestions"] + EDIT_ADDITION},
        limits,
    )
    return {"analysis": edited["analysis"], "suggestions": edited["suggestions"]}
