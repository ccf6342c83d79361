"""demo: fill an empty database with a believable committee year and print the logins."""

import time
import unicodedata

import click
from flask import current_app
from flask.cli import with_appcontext

from ..demo import (
    SEED,
    existing_records,
    generate,
    keep_password,
    kept_password,
    logins,
    new_password,
)
from ..workflow.core import STATE_LABELS

PROPOSAL_STATES = (
    "draft",
    "awaiting_cosigners",
    "submitted",
    "filed",
    "not_filed",
    "merged",
    "withdrawn",
    "assigned",
    "closed",
)
ASSIGNMENT_STATES = (
    "pending",
    "reassignment_requested",
    "handling",
    "replied",
    "rehandling",
    "closed",
    "reassigned",
)
REPLY_STATES = ("awaiting_signoff", "awaiting_review", "returned", "delivered", "rated", "unrated")


@click.command("demo")
@click.option(
    "--seed",
    default=SEED,
    show_default=True,
    type=int,
    help="随机数种子：同一天用同一种子生成的数据相同",
)
@click.option(
    "--password",
    default=None,
    help="演示账号的共同密码（默认：为本次安装随机生成）",
)
@with_appcontext
def demo(seed, password):
    """Fill an EMPTY database with a demo committee year (units, members, ~300 proposals in
    every state) and print the logins. Every demo account gets one password, made at random
    for this installation unless given, printed and kept in DEMO_PASSWORD_FILE for
    `demo-logins`."""
    found = {k: v for k, v in existing_records().items() if v}
    if found:
        what = "、".join(
            f"{n} {'件' if label == '提案' else '个'}{label}" for label, n in found.items()
        )
        raise click.ClickException(
            f"数据库不是空的（已有 {what}），演示数据只能装入空数据库；未做任何修改。"
            "请换一个空数据库（先运行 db upgrade）后再运行 demo。"
        )
    click.echo("正在生成演示数据（一个委员会年度的提案办理全过程）……")
    started = time.monotonic()
    password = password or new_password()
    try:
        summary = generate(password, seed=seed)
    except Exception as exc:
        raise click.ClickException(f"生成演示数据失败，已撤销本次写入的数据：{exc}") from exc
    elapsed = time.monotonic() - started

    people = "，".join(f"{label} {n} 个" for label, n in summary.people.items())
    click.echo(f"完成，用时 {elapsed:.1f} 秒。{people}。")
    for label, year, current, n in summary.sessions:
        click.echo(f"  {label}（{year} 年{'，当前会次' if current else ''}）：提案 {n} 件")
    click.echo(f"提案 {sum(summary.proposals.values())} 件，按状态：")
    click.echo(_table(summary.proposals, PROPOSAL_STATES))
    click.echo(f"承办（交办单位项）{sum(summary.assignments.values())} 项，按状态：")
    click.echo(_table(summary.assignments, ASSIGNMENT_STATES))
    click.echo(f"答复 {sum(summary.replies.values())} 份，按状态：")
    click.echo(_table(summary.replies, REPLY_STATES))
    click.echo(
        f"逾期未答复 {summary.overdue} 项，重新办理 {summary.rehandled} 项，"
        f"重点提案 {summary.key} 件。"
    )
    keep_password(current_app.config["DEMO_PASSWORD_FILE"], password)
    click.echo("")
    _echo_logins(summary.logins, password)


def _width(text):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text, width):
    return text + " " * max(width - _width(text), 0)


def _table(counts, order):
    return "\n".join(
        _pad(f"  {STATE_LABELS[s]}（{s}）", 44) + f"{counts.get(s, 0):>5}" for s in order
    )


def _echo_logins(rows, password):
    if password:
        click.echo(f"演示账号（密码均为 {password}，仅供演示，正式使用前请停用或改密）：")
    else:
        click.echo("演示账号（密码为装入演示数据时打印的密码，仅供演示，正式使用前请停用或改密）：")
    for username, name, role, use in rows:
        click.echo(f"  {username:<8}{_pad(name, 12)}{role}：{use}")
    click.echo(
        "  其他账号：委员 m002–m150，集体提案单位 org_*，"
        "各承办单位 <单位代码小写>_clerk / _head（如 jyj_clerk），sec2，督办领导 leader1–3。"
    )


@click.command("demo-status")
@with_appcontext
def demo_status():
    """Print `empty` when the demo may be loaded, `not-empty` otherwise."""
    click.echo("not-empty" if any(existing_records().values()) else "empty")


@click.command("demo-logins")
@with_appcontext
def demo_logins():
    """Print the demo's well-known logins (those present in the database) and the password
    `demo` kept."""
    rows = [row for row in logins() if row[1]]
    _echo_logins(rows, kept_password(current_app.config["DEMO_PASSWORD_FILE"]))
