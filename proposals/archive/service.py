"""The import of earlier years' proposals: read the sheet, check every row, and only then write
them all. The caller (the command, the page) commits; a refusal changes nothing."""

from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from ..accounts.service import ImportFailed
from ..committee import settings as committee_settings
from ..errors import Conflict, NotPermitted
from ..i18n import _
from ..workflow.core import clock
from ..workflow.states import Role
from .checks import check_rows
from .sheet import read_sheet
from .writer import write_entries


@dataclass
class Report:
    """What an import did (or, checking only, would do)."""

    count: int
    # per session label: (how many, lowest number, highest number), in the sheet's order
    sessions: dict
    new_accounts: list  # [(username, name)]; checking only: [(None, name)]
    ignored: list = field(default_factory=list)  # headers that are no column of the sheet
    written: bool = True


def may_import(actor):
    """Only the proposals committee's office imports: the proposals become its records."""
    if actor is None or actor.role != Role.SECRETARIAT or not actor.active:
        raise NotPermitted(_("只有提案委员会办公室可以导入历年提案"))


def import_archive(actor, filename, content, *, withhold=False, check_only=False, now=None):
    """Import the sheet ``content`` (the bytes of ``filename``, .csv or .xlsx). Raises
    ValidationError for a file that cannot be read or lacks a column, ImportFailed listing every
    bad row with its line number, NotPermitted for anyone but the secretariat; in each case
    nothing is written. ``withhold`` marks every imported proposal not for disclosure;
    ``check_only`` checks and writes nothing."""
    may_import(actor)
    now, today = clock(now)
    sheet = read_sheet(filename, content)
    conf = committee_settings.all_settings()
    entries, problems = check_rows(sheet.rows, conf, today)
    if problems:
        raise ImportFailed(problems)
    sessions = {}
    for entry in entries:
        count, low, high = sessions.get(entry.session.label, (0, entry.number, entry.number))
        sessions[entry.session.label] = (
            count + 1,
            min(low, entry.number),
            max(high, entry.number),
        )
    report = Report(len(entries), sessions, [], sheet.ignored, written=not check_only)
    if check_only:
        names = dict.fromkeys(a.name for e in entries for a in e.new_accounts)
        report.new_accounts = [(None, name) for name in names]
        return report
    try:
        _proposals, users = write_entries(
            actor,
            entries,
            conf=conf,
            now=now,
            today=today,
            withhold=withhold,
            source=filename,
        )
    except IntegrityError:  # a number filed (or imported) by someone else since the check
        raise Conflict(
            _("导入期间数据已被他人改变（提案号或账号被占用），未导入任何记录，请重新导入")
        ) from None
    report.new_accounts = [(u.username, u.name) for u in users]
    return report
