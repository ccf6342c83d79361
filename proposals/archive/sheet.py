"""Reading the sheet of earlier years' proposals: a CSV (UTF-8, or GBK as Excel saves it on a
Chinese Windows) or an XLSX file with a header row, each column found by its Chinese header or
an English alias. Every value comes back as text (an Excel date as YYYY-MM-DD, a whole number
without ".0"), with its line number: the header is line 1, as a spreadsheet numbers its rows."""

import csv
import io
import os
from dataclasses import dataclass, field
from datetime import date, datetime

from ..errors import ValidationError
from ..i18n import N_, _, join

# key: (the Chinese header, a msgid shown in messages; the other headers accepted for it)
COLUMNS = {
    "year": (N_("年度"), ("年份", "year")),
    "session": (N_("会次"), ("届次", "session")),
    "number": (N_("提案号"), ("案号", "number")),
    "title": (N_("案由"), ("提案标题", "标题", "title")),
    "proposers": (N_("提案人"), ("提案者", "proposers", "proposer")),
    "category": (N_("类别"), ("提案类别", "category")),
    "lead": (N_("主办单位"), ("承办单位", "lead_unit", "lead")),
    "co": (N_("会办单位"), ("co_units", "co_unit")),
    "result": (N_("答复结果"), ("办理结果", "result")),
    "reply": (N_("答复内容"), ("答复正文", "reply_text", "reply")),
    "rating": (N_("满意度"), ("测评结果", "满意度测评", "rating", "satisfaction")),
    "submitted_on": (N_("提交日期"), ("submitted_on", "submitted")),
    "replied_on": (N_("答复日期"), ("replied_on", "replied")),
    "promised_on": (N_("承诺完成日期"), ("promised_on", "promised")),
    "collective": (N_("集体提案"), ("是否集体提案", "collective")),
    "plenary": (N_("是否大会提案"), ("大会提案", "plenary")),
    "analysis": (N_("情况分析"), ("analysis",)),
    "suggestions": (N_("具体建议"), ("suggestions",)),
}
# 年度 or 会次 as well (checked apart: one of the two is enough)
REQUIRED = ("number", "title", "proposers", "category", "lead", "result", "reply")


def _normal(header):
    """A header as it is compared: no spaces, no required-field stars, lower case."""
    return "".join(header.split()).strip("*＊").lower()


ALIASES = {
    _normal(name): key for key, (header, others) in COLUMNS.items() for name in (header, *others)
}


def label(key):
    """The Chinese header of a column, in the current language."""
    return _(COLUMNS[key][0])


@dataclass
class Sheet:
    rows: list  # [(line number, {key: text})], blank rows left out
    ignored: list = field(default_factory=list)  # headers that are no column of ours


def file_error(message):
    return ValidationError(message, fields={"file": message})


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw_rows(filename, content):
    ext = os.path.splitext(filename or "")[1].lower()
    if ext == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            rows = [[_text(v) for v in row] for row in book.active.iter_rows(values_only=True)]
            book.close()
            return rows
        except Exception as exc:  # a broken or non-XLSX file
            raise file_error(_("无法读取 XLSX 文件：%(error)s", error=exc)) from None
    if ext == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise file_error(_("CSV 文件应为 UTF-8 或 GBK 编码"))
        try:
            return [[v.strip() for v in row] for row in csv.reader(io.StringIO(text))]
        except csv.Error as exc:
            raise file_error(_("无法读取 CSV 文件：%(error)s", error=exc)) from None
    raise file_error(_("只支持 .csv 或 .xlsx 文件"))


def read_sheet(filename, content):
    """The Sheet in ``content`` (the bytes of ``filename``). Raises ValidationError (field
    ``file``) for a file that cannot be read or whose header lacks a column."""
    raw = _raw_rows(filename, content)
    # a sheet may start with empty rows: the header is the first row that is not
    skipped = next((i for i, row in enumerate(raw) if any(row)), len(raw))
    if skipped == len(raw):
        raise file_error(_("文件是空的"))
    header_line = skipped + 1
    raw = raw[skipped:]
    keys, ignored, seen = [], [], {}
    for header in raw[0]:
        key = ALIASES.get(_normal(header))
        if key is None:
            if header:
                ignored.append(header)
        elif key in seen:
            raise file_error(
                _(
                    "第 %(n)d 行（表头）：“%(a)s”和“%(b)s”是同一列，只能保留一个",
                    n=header_line,
                    a=seen[key],
                    b=header,
                )
            )
        else:
            seen[key] = header
        keys.append(key)
    missing = [label(k) for k in REQUIRED if k not in seen]
    if "year" not in seen and "session" not in seen:
        missing.insert(0, _("年度或会次"))
    if missing:
        raise file_error(
            _("第 %(n)d 行（表头）缺少列：%(columns)s", n=header_line, columns=join(missing))
        )
    rows = []
    for number, values in enumerate(raw[1:], start=header_line + 1):
        if not any(values):
            continue
        rows.append(
            (
                number,
                {k: (values[i] if i < len(values) else "") for i, k in enumerate(keys) if k},
            )
        )
    if not rows:
        raise file_error(_("文件中没有数据行"))
    return Sheet(rows, ignored)
