"""The demo's units, people and sessions."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from ..accounts.models import Department, User
from ..cli.committee import create_session
from ..committee.models import CommitteeSession
from ..extensions import db
from .data import GIVEN_FEMALE, GIVEN_MALE, LEADERS, ORGS, SECTORS, SURNAMES, UNITS

# The well-known logins printed at the end: username, role label, what to try.
LOGINS = [
    ("sec", "提案委员会办公室", "审查、交办、审核答复、审批延期和调整"),
    ("admin", "系统管理员", "用户、单位、设置"),
    ("member", "委员", "提交提案、确认联名、测评答复"),
    ("clerk", "承办单位经办人（市住房和城乡建设局）", "签收、办前沟通、起草答复"),
    ("head", "承办单位负责人（市住房和城乡建设局）", "签发答复"),
    ("dcs", "督查室（政府办）", "查看所联系单位的办理；按设置确认交办、审批申请、审核答复"),
]
SHOWCASE_UNIT = "ZJJ"


@dataclass
class Unit:
    department: Department
    clerk: User
    head: User
    head_title: str

    @property
    def code(self):
        return self.department.code

    @property
    def name(self):
        return self.department.name


@dataclass
class People:
    units: dict = field(default_factory=dict)  # code -> Unit
    members: list = field(default_factory=list)  # individuals (委员)
    orgs: list = field(default_factory=list)  # organisation accounts
    leaders: list = field(default_factory=list)  # 督办领导
    secretariat: list = field(default_factory=list)
    admin: User = None
    showcase: User = None  # the `member` login


class Names:
    """Unique Chinese names from a seeded generator."""

    def __init__(self, rng):
        self.rng, self.taken = rng, set()

    def __call__(self):
        while True:
            given = GIVEN_MALE if self.rng.random() < 0.6 else GIVEN_FEMALE
            length = 2 if self.rng.random() < 0.75 else 1
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(given) for _ in range(length)
            )
            if name not in self.taken:
                self.taken.add(name)
                return name


def _phone(rng):
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def create_people(rng, since, password):
    """~30 units with a clerk and a head each, ~150 members, organisation accounts, leaders,
    the secretariat and an admin, all registered at ``since``; every account shares one
    password hash (hashed once: 600,000 PBKDF2 iterations per user would take minutes)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "pbkdf2:sha256:600000")
    password_hash = generate_password_hash(password, method=method)
    names = Names(rng)
    people = People()

    def user(username, name, role, **kw):
        u = User(
            username=username,
            name=name,
            role=role,
            password_hash=password_hash,
            created_at=since,
            **kw,
        )
        db.session.add(u)
        return u

    for code, unit_name, title in UNITS:
        dept = Department(code=code, name=unit_name)
        db.session.add(dept)
        low = code.lower()
        showcase = code == SHOWCASE_UNIT
        clerk = user(
            "clerk" if showcase else f"{low}_clerk",
            names(),
            "clerk",
            department=dept,
            phone=_phone(rng),
            email=f"{low}.clerk@example.gov.cn",
        )
        head = user(
            "head" if showcase else f"{low}_head",
            names(),
            "department_head",
            department=dept,
            phone=_phone(rng),
        )
        people.units[code] = Unit(dept, clerk, head, title)

    sectors = [s for s, n in SECTORS for _ in range(n)]
    rng.shuffle(sectors)
    for i, sector in enumerate(sectors, start=1):
        username = "member" if i == 1 else f"m{i:03d}"
        kw = {"sector": "民盟" if i == 1 else sector}
        if i == 1 or rng.random() < 0.5:
            kw["email"] = f"{username}@example.com"
        if i == 1 or rng.random() < 0.85:
            kw["phone"] = _phone(rng)
        people.members.append(user(username, names(), "member", **kw))
    people.showcase = people.members[0]
    for username, name, org_type, sector in ORGS:
        people.orgs.append(
            user(
                username,
                name,
                "member",
                org_type=org_type,
                sector=sector,
                email=f"{username}@example.org.cn",
            )
        )
    for username, name, sector in LEADERS:
        people.leaders.append(user(username, name, "member", sector=sector))
    people.secretariat = [
        user("sec", names(), "secretariat", phone=_phone(rng)),
        user("sec2", names(), "secretariat", phone=_phone(rng)),
    ]
    # the government office's 督查室, supervising every unit (its decisions are off by default)
    office = user("dcs", "政府办督查室", "office", phone=_phone(rng))
    office.office_departments = [unit.department for unit in people.units.values()]
    people.admin = user("admin", "系统管理员", "admin")
    db.session.flush()
    return people


def session_numbers(year):
    """届 and 次 for a year: terms of five years, the tenth starting in 2022."""
    return 10 + (year - 2022) // 5, (year - 2022) % 5 + 1


def plenary_window(cal, year):
    """The plenary session (大会) early in the year: five days from the first working day on
    or after 9 January."""
    start = date(year, 1, 9)
    while not cal.is_workday(start):
        start += timedelta(days=1)
    return start, start + timedelta(days=4)


def ensure_sessions(cal, years):
    """One session per year (an existing session of that year is kept), none current yet."""
    sessions = {}
    for year in years:
        found = db.session.scalar(
            select(CommitteeSession)
            .where(CommitteeSession.year == year)
            .order_by(CommitteeSession.id)
        )
        if found is None:
            term, meeting = session_numbers(year)
            found = create_session(term, meeting, year, *plenary_window(cal, year))
        sessions[year] = found
    return sessions


def make_current(session):
    db.session.execute(
        update(CommitteeSession).values(is_current=CommitteeSession.id == session.id)
    )
