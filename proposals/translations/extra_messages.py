"""Msgids that the extractor cannot find in the code because they reach gettext through a
variable, e.g. ``{{ _(role_labels[r]) }}`` or ``_(p.category.name)``. Never imported: only
scripts/i18n.sh reads this file (babel.cfg maps proposals/**.py), so that the English catalog
has them.

An entry may go once the module that defines the string marks it with N_ (proposals.i18n);
the seeded reference data (categories, not-filed reasons) stays here: the migration that
inserts it must not import application code, and the pages translate the names they know.
"""
from proposals.i18n import N_

# proposals/web/nav.py NAV
N_("首页")
N_("写提案")
N_("我的提案")
N_("提案")
N_("交办")
N_("待办")
N_("本单位承办")
N_("用户")
N_("承办单位")
N_("会次")
N_("类别")
N_("不予立案理由")
N_("设置")
N_("重点提案")
N_("统计")
N_("审计日志")
N_("重点提案督办")  # SUPERVISOR_ITEM

# proposals/workflow/models.py Proposal.number_label, once it reads
# _("第%(n)s号", n=f"{self.number:04d}")
N_("第%(n)s号")

# the categories and not-filed reasons seeded by the initial migration (docs/domain.md)
N_("经济建设")
N_("政治建设")
N_("文化建设")
N_("社会建设")
N_("生态文明建设")
N_("涉及国家秘密")
N_("国家明令禁止的事项")
N_("涉及党的组织或人事问题")
N_("属于民主党派内部事务")
N_("涉及正在诉讼或仲裁的案件")
N_("属于学术探讨")
N_("涉及提案人本人或亲属的个人问题")
N_("为作品或产品宣传推介")
N_("具名检举揭发")
N_("内容空泛、没有具体建议")
N_("不属于本会职责范围")
N_("其他")

# proposals/attachments/checks.py FORMATS_LABEL (a pure module, no proposals.i18n import),
# shown through _(FORMATS_LABEL) in proposals/attachments/service.py and web/attachments.py
N_("PDF、Word（doc/docx）、Excel（xls/xlsx）、JPEG、PNG")
