"""stats annual --year Y [--session ID] [--as-of DATE] [--format F] [--output FILE]."""

import json
from datetime import date

import click
from flask.cli import with_appcontext

from ..errors import DomainError
from ..stats import annual_figures
from ..stats.exports import recognition_lines
from ..stats.headline import percent, rated_unit, rating_basis_words


def _write(output, text):
    if output is None:
        click.echo(text, nl=False)
        return
    with open(output, "w", encoding="utf-8") as fh:
        fh.write(text)


def write_json(figures, output):
    _write(output, json.dumps(figures, ensure_ascii=False, indent=2) + "\n")


def _pct(rate):
    return "—" if rate is None else percent(rate) + "%"


def text_report(figures):
    """A plain-text summary for the terminal (Chinese, like the report)."""
    f = figures
    s = f["satisfaction"]
    d = f["not_filed_by_disposition"]
    k = f["by_kind"]
    lines = [
        f"{f['period']['label']}提案统计（截至 {f['as_of']}）",
        "",
        f["headline"],
        "",
        f"收到提案 {f['received']} 件：立案 {f['filed']}，并案 {f['merged']}，"
        f"不予立案 {f['not_filed']}（转意见建议 {d['opinion']}，转委员来信 {d['letter']}，"
        f"转社情民意 {d['social_info']}，不作转交 {d['none']}），撤案 {f['withdrawn']}，"
        f"待审查 {f['pending_review']}；立案率 {_pct(f['filing_rate'])}",
        f"个人提案 {k['individual']}，联名提案 {k['joint']}，集体提案 {k['collective']}",
        f"参与委员 {f['participation']['members']} / {f['participation']['active_members']}，"
        f"参与率 {_pct(f['participation']['rate'])}",
        f"承办单位 {f['units_involved']} 个，承办件次 {f['assignment_items']}"
        f"（会办 {f['co_handling_items']}），已答复件次 {f['replied_items']}，"
        f"逾期 {f['overdue_items']}",
        f"办复提案 {f['replied_proposals']} 件，办复率 {_pct(f['reply_rate'])}；"
        f"按时答复率 {_pct(f['on_time_rate'])}"
        f"（{f['replies_on_time']} / {f['replies_delivered']}）",
        "答复结果 " + "，".join(f"{code} 类 {n}" for code, n in f["results"].items()),
        f"满意度（{rating_basis_words(f)}）：满意 {s['satisfied']}，"
        f"基本满意 {s['basically_satisfied']}，不满意 {s['unsatisfied']}，"
        f"已测评 {s['rated']} {rated_unit(f)}，未测评 {s['unrated']} 件次；"
        f"满意率 {_pct(s['rate'])}，其中满意 {_pct(s['strict_rate'])}",
        "",
        "按类别：",
    ]
    lines += [f"  {c['name']}：收到 {c['received']}，立案 {c['filed']}" for c in f["by_category"]]
    lines += ["", "按承办单位："]
    lines += [
        f"  {u['name']}（{u['code']}）：承办 {u['assigned']} 件次（会办 {u['co_handled']}），"
        f"签收 {u['accepted']}，已答复 {u['replied']}，逾期 {u['overdue']}；"
        f"送达答复 {u['replies_delivered']} 份，按时 {u['on_time']}"
        f"（{_pct(u['on_time_rate'])}）；满意率 {_pct(u['satisfaction_rate'])}"
        f"（已测评 {u['rated']}）"
        for u in f["by_department"]
    ]
    if f["key_proposals"]:
        lines += ["", "重点提案："]
        lines += [
            f"  {p['number_label'] or ''} {p['title']}（督办：{p['supervisor'] or '—'}；"
            f"{'、'.join(p['units']) or '未交办'}；{'已办复' if p['replied'] else '未办复'}"
            f"{'，逾期' if p['overdue'] else ''}）"
            for p in f["key_proposals"]
        ]
    lines += ["", *recognition_lines(f)]
    return "\n".join(lines) + "\n"


def write_text(figures, output):
    _write(output, text_report(figures))


# The output formats: name → writer(figures, output), where output is a file path or None for
# standard output. The xlsx and docx report files register here too.
FORMATS = {"text": write_text, "json": write_json}


@click.group()
def stats():
    """Statistics for the annual report (提案工作统计)."""


@stats.command("annual")
@click.option("--year", type=int, default=None, help="the year (default: this year)")
@click.option("--session", "session_id", type=int, default=None, help="a session id instead")
@click.option("--as-of", "as_of", default=None, help="YYYY-MM-DD (default: today)")
@click.option(
    "--format", "fmt", default="text", show_default=True, help="text, json, or a report file format"
)
@click.option("--output", default=None, help="a file to write (default: standard output)")
@with_appcontext
def annual(year, session_id, as_of, fmt, output):
    """The figures of docs/domain.md for a year or a session, as of a date."""
    if fmt not in FORMATS:
        raise click.BadParameter(f"应为 {', '.join(FORMATS)} 之一", param_hint="--format")
    day = None
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise click.BadParameter("应为 YYYY-MM-DD 格式的日期", param_hint="--as-of") from None
    try:
        figures = annual_figures(year=year, session_id=session_id, as_of=day)
    except DomainError as exc:
        detail = "；".join(f"{k}: {v}" for k, v in exc.fields.items()) or exc.message
        raise click.ClickException(detail) from None
    FORMATS[fmt](figures, output)
    if output:
        click.echo(f"已写入 {output}", err=True)
