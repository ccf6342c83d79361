"""backup create [--output FILE] [--run] / backup restore FILE [--yes] [--run].

SQLite: ``create`` copies the LIVE database with SQLite's online backup API (one step, inside one
read transaction: a consistent snapshot while the web app and the reminder loop keep writing, WAL
lets them go on), into a temporary file that is checked (``PRAGMA integrity_check``) and only then
renamed to its final name. ``restore`` checks the file (a SQLite database of this application, at
this schema revision or an older one), keeps a safety copy of the live database, and copies the
backup into the live database with the same backup API (under SQLite's locks, never a file copy
over a database in use).

PostgreSQL: the commands print the documented ``pg_dump`` / ``pg_restore`` commands for the
configured database (the password is never printed); with ``--run`` they run them.
"""

import os
import shlex
import shutil
import sqlite3
import subprocess
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT = 60  # seconds a backup or restore waits for the app's writers


@click.group()
def backup():
    """Backups of the database (备份与恢复)."""


# --- helpers ------------------------------------------------------------------------------


def _url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _backup_dir():
    folder = current_app.config.get("BACKUP_DIR") or os.path.join(
        current_app.instance_path, "backups"
    )
    os.makedirs(folder, mode=0o700, exist_ok=True)
    return folder


def _default_path(extension):
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = _backup_dir()
    path = os.path.join(folder, f"proposals-{stamp}{extension}")
    n = 1
    while os.path.exists(path):
        path = os.path.join(folder, f"proposals-{stamp}-{n}{extension}")
        n += 1
    return path


def _sqlite_path(url):
    """The live SQLite file, or None for another database."""
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:" or url.database.startswith("file::memory"):
        raise click.ClickException("内存数据库无法备份")
    return os.path.abspath(url.database)


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def _tables(conn):
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]


def row_counts(conn):
    """{table: rows} for every table of a SQLite connection."""
    # table names come from sqlite_master and are quoted as identifiers
    return {
        t: conn.execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()[0]  # nosec B608  # quoted name from sqlite_master
        for t in _tables(conn)
    }


def _human(size):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024


def _report(path, counts):
    size = os.path.getsize(path)
    click.echo(f"文件: {path}")
    click.echo(f"大小: {_human(size)} ({size} bytes)")
    click.echo("各表行数:")
    width = max((len(t) for t in counts), default=0)
    for table, n in counts.items():
        click.echo(f"  {table.ljust(width)}  {n}")


def _connect(path, readonly=False):
    if readonly:
        uri = "file:" + _uri_path(path) + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
    else:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT * 1000}")
    return conn


def _uri_path(path):
    from urllib.parse import quote

    return quote(os.path.abspath(path))


def _integrity(conn):
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    return rows == ["ok"], rows


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sqlite_copy(src_path, dst_path):
    """A consistent copy of a live SQLite database at ``dst_path`` (a self-contained file in
    rollback-journal mode), checked before it is given its name. Returns the row counts."""
    tmp = dst_path + ".partial"
    if os.path.exists(tmp):
        os.remove(tmp)
    src = _connect(src_path)
    try:
        dst = sqlite3.connect(tmp, isolation_level=None)
        try:
            # pages=-1: the whole database in one step, i.e. in one read transaction of the
            # source; with WAL the app's writers are not blocked while it runs
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
            ok, rows = _integrity(dst)
            if not ok:
                raise click.ClickException("备份文件校验失败：" + "; ".join(rows[:5]))
            counts = row_counts(dst)
        finally:
            dst.close()
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    finally:
        src.close()
    _fsync(tmp)
    os.replace(tmp, dst_path)
    return counts


# --- schema revisions ---------------------------------------------------------------------


def _revisions():
    """The migration scripts, their head and every known revision."""
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    known = {rev.revision for rev in script.walk_revisions()}
    return script, head, known


def check_revision(version):
    """'current', 'older' (run db upgrade after restoring), or raise for an unknown one."""
    script, head, known = _revisions()
    if version == head:
        return "current"
    if version in known:
        return "older"
    raise click.ClickException(
        f"备份的数据库版本 {version} 不属于本程序的迁移链（当前版本 {head}），"
        "可能来自更新的程序版本：请用相应版本的程序恢复"
    )


def inspect_backup(path):
    """Check that ``path`` is a sound SQLite database of this application; its revision."""
    if not os.path.isfile(path):
        raise click.ClickException(f"找不到备份文件：{path}")
    with open(path, "rb") as fh:
        if fh.read(16) != SQLITE_MAGIC:
            raise click.ClickException(f"{path} 不是 SQLite 数据库文件")
    conn = _connect(path, readonly=True)
    try:
        try:
            ok, rows = _integrity(conn)
            tables = set(_tables(conn))
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(f"{path} 无法读取：{exc}") from None
        if not ok:
            raise click.ClickException("备份文件已损坏（integrity_check）：" + "; ".join(rows[:5]))
        if "alembic_version" not in tables or not {"proposals", "users"} <= tables:
            raise click.ClickException(f"{path} 不是本系统的数据库（缺少 alembic_version 等表）")
        versions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
        if len(versions) != 1:
            raise click.ClickException(f"{path} 的 alembic_version 不唯一：{versions}")
        counts = row_counts(conn)
    finally:
        conn.close()
    return versions[0], counts


def _live_has_tables(path):
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return False
    conn = _connect(path, readonly=True)
    try:
        return bool(_tables(conn))
    finally:
        conn.close()


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_args(url):
    """Connection options for pg_dump/pg_restore, without the password."""
    args = []
    if url.host:
        args.append(f"--host={url.host}")
    if url.port:
        args.append(f"--port={url.port}")
    if url.username:
        args.append(f"--username={url.username}")
    args.append(f"--dbname={url.database}")
    return args


def pg_dump_argv(url, output):
    return ["pg_dump", "--format=custom", "--no-owner", *_pg_args(url), f"--file={output}"]


def pg_restore_argv(url, path):
    return [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        *_pg_args(url),
        path,
    ]


def _pg_env(url):
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # to the child only, never printed
    return env


def _pg_instructions(url, output, restoring=False):
    shown = " ".join(shlex.quote(a) for a in pg_dump_argv(url, output))
    restore = " ".join(shlex.quote(a) for a in pg_restore_argv(url, output))
    if not restoring:
        click.echo("PostgreSQL 数据库请用 pg_dump 备份（本命令未生成备份文件）：")
        click.echo("")
        click.echo(f"  {shown}")
        click.echo("")
    click.echo("恢复（先停止 Web 服务和提醒任务；会先删除再重建库中的对象）：")
    click.echo("")
    click.echo(f"  {restore}")
    click.echo("")
    click.echo(
        "密码请通过 ~/.pgpass 或环境变量 PGPASSWORD 提供（此处不显示密码）；"
        "恢复后运行 flask --app wsgi db upgrade。"
    )
    click.echo(
        "加 --run 可由本命令直接调用 pg_restore（须同时加 --yes）。"
        if restoring
        else "加 --run 可由本命令直接调用 pg_dump。"
    )


def _run(argv, url):
    exe = shutil.which(argv[0])
    if exe is None:
        raise click.ClickException(
            f"找不到 {argv[0]}：请安装 PostgreSQL 客户端（postgresql-client）"
        )
    result = subprocess.run(
        [exe, *argv[1:]], env=_pg_env(url), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise click.ClickException(
            f"{argv[0]} 失败（退出码 {result.returncode}）：\n{result.stderr.strip()}"
        )


# --- commands -----------------------------------------------------------------------------


@backup.command("create")
@click.option(
    "--output",
    "output",
    type=click.Path(dir_okay=False),
    default=None,
    help="backup file (default: instance/backups/proposals-YYYYmmdd-HHMMSS.db)",
)
@click.option(
    "--run",
    "run",
    is_flag=True,
    help="PostgreSQL: run pg_dump (must be on PATH) instead of printing the command",
)
@with_appcontext
def create(output, run):
    """Make a consistent copy of the live database."""
    url = _url()
    src = _sqlite_path(url)
    if src is None:
        if url.get_backend_name() != "postgresql":
            raise click.ClickException(f"不支持备份 {url.get_backend_name()} 数据库")
        output = os.path.abspath(output or _default_path(".dump"))
        if not run:
            _pg_instructions(url, output)
            return
        _run(pg_dump_argv(url, output), url)
        size = os.path.getsize(output)
        click.echo(f"文件: {output}")
        click.echo(f"大小: {_human(size)} ({size} bytes)")
        return
    if not os.path.exists(src):
        raise click.ClickException(f"数据库文件不存在：{src}")
    output = os.path.abspath(output or _default_path(".db"))
    if os.path.abspath(output) == src:
        raise click.ClickException("备份文件不能是数据库本身")
    if os.path.exists(output):
        raise click.ClickException(f"文件已存在：{output}")
    counts = sqlite_copy(src, output)
    click.echo("备份完成。")
    _report(output, counts)


@backup.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="replace the data of the live database")
@click.option(
    "--run",
    "run",
    is_flag=True,
    help="PostgreSQL: run pg_restore (with --yes) instead of printing the command",
)
@with_appcontext
def restore(path, yes, run):
    """Replace the live database with a backup."""
    url = _url()
    live = _sqlite_path(url)
    path = os.path.abspath(path)
    if live is None:
        if url.get_backend_name() != "postgresql":
            raise click.ClickException(f"不支持恢复 {url.get_backend_name()} 数据库")
        if not (run and yes):
            _pg_instructions(url, path, restoring=True)
            raise click.ClickException(
                "PostgreSQL 请用上面的 pg_restore 命令恢复"
                "（或加 --run --yes 由本命令调用），未作任何改动"
            )
        _run(pg_restore_argv(url, path), url)
        click.echo(f"已从 {path} 恢复。请运行 flask --app wsgi db upgrade。")
        return
    if path == live:
        raise click.ClickException("备份文件不能是数据库本身")
    version, counts = inspect_backup(path)
    status = check_revision(version)
    if _live_has_tables(live) and not yes:
        raise click.ClickException(f"数据库 {live} 已有数据，恢复会覆盖其全部内容；确认请加 --yes")
    safety = None
    if os.path.exists(live) and _live_has_tables(live):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        safety = os.path.join(_backup_dir(), f"pre-restore-{stamp}.db")
        n = 1
        while os.path.exists(safety):
            safety = os.path.join(_backup_dir(), f"pre-restore-{stamp}-{n}.db")
            n += 1
        sqlite_copy(live, safety)
    os.makedirs(os.path.dirname(live) or ".", exist_ok=True)
    src = _connect(path, readonly=True)
    try:
        dst = _connect(live)
        try:
            # under the destination's locks: the app's writers wait (busy timeout), none
            # sees a half-restored database
            src.backup(dst, pages=-1)
            ok, rows = _integrity(dst)
            dst.execute("PRAGMA journal_mode = WAL")
        finally:
            dst.close()
    finally:
        src.close()
    if not ok:
        raise click.ClickException("恢复后的数据库校验失败：" + "; ".join(rows[:5]))
    # the app's own connections in this process may hold the old schema cache
    from ..extensions import db

    db.engine.dispose()
    click.echo(f"已从 {path} 恢复到 {live}。")
    if safety:
        click.echo(f"恢复前的数据库已另存为：{safety}")
    if status == "older":
        click.echo(f"备份的数据库版本 {version} 早于当前程序：请运行 flask --app wsgi db upgrade")
    click.echo("各表行数:")
    width = max((len(t) for t in counts), default=0)
    for table, n in counts.items():
        click.echo(f"  {table.ljust(width)}  {n}")
