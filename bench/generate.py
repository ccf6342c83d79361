"""Bulk data for the benchmark: a committee over ten years at a chosen size, written straight
into the tables (COPY on PostgreSQL, executemany on SQLite), not through the operations.

    python bench/generate.py --size national          # DATABASE_URL chooses the database

A size is a number of proposals over the ten years or one of SIZES: a county (300 proposals a
year), the national committee (6,000 a year) and ten times the national decade (stress). The
members and units grow with it (a county's ~200 members and 20 units, the national committee's
~2,000 members and ~200 units).

The schema comes from the migrations (``db upgrade``), so the benchmark measures the indexes
production has. Every row respects the schema's CHECK constraints; the states follow a
timeline relative to today: past years are settled (closed, not filed, merged, withdrawn), the
current year has proposals in every state, with live deadlines only for the ones in flight.

Logins made (password ``bench-password``): ``bench_sec`` (secretariat), ``bench_member`` (a
member with proposals every year), ``bench_clerk`` and ``bench_head`` (the first unit).
"""

import argparse
import io
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PASSWORD = "bench-password"
# proposals over the ten years: a county, the national committee, ten times the national decade
SIZES = {"county": 3_000, "national": 60_000, "stress": 600_000}
TOPICS = [
    "城乡义务教育",
    "基层医疗服务",
    "养老服务体系",
    "农村人居环境",
    "中小企业融资",
    "黄河流域生态",
    "历史文化街区",
    "公共交通",
    "食品安全监管",
    "职业技能培训",
    "数字政府建设",
    "乡村振兴",
    "老旧小区改造",
    "生活垃圾分类",
    "科技成果转化",
    "非物质文化遗产",
    "营商环境",
    "社区治理",
    "青少年心理健康",
    "水资源保护",
    "新能源汽车",
    "智慧农业",
    "全民健身设施",
    "托育服务",
]
VERBS = ["加快推进", "进一步完善", "切实加强", "着力提升", "大力发展", "统筹推进"]
SENT = (
    "近年来，我市在{t}方面取得了积极进展，但仍存在投入不足、机制不顺、覆盖不均等问题，"
    "群众反映较为集中。调研发现，部分地区{t}工作责任不够明确，资金保障和人才支撑不足。"
)
SUGG = "一是完善{t}的政策体系；二是加大财政投入；三是建立部门协同机制；四是强化监督考核。"
ORG_TYPES = ["party", "organization", "sector", "special_committee"]
SECTORS = [
    "中共",
    "民革",
    "民盟",
    "民建",
    "民进",
    "农工党",
    "致公党",
    "九三学社",
    "无党派人士",
    "共青团",
    "工会",
    "妇联",
    "科技界",
    "教育界",
    "文化艺术界",
    "医药卫生界",
    "经济界",
    "农业界",
]
UNIT_NAMES = [
    "发展和改革委员会",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水务局",
    "农业农村局",
    "商务局",
    "文化广电旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "体育局",
    "统计局",
    "医疗保障局",
    "城市管理局",
    "林业局",
    "数据资源局",
    "信访局",
    "供销合作社",
]
REASONS = 12  # the seeded not_filed_reasons (ids 1..12)
CATEGORIES = 5


def proposal_count(size):
    """A size given as a preset's name (SIZES) or a number of proposals."""
    return SIZES[size] if size in SIZES else int(size)


def fmt_dt(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


class Writer:
    """Rows of ints, strings and None (dates and times already formatted, booleans as 1/0)."""

    def __init__(self, url):
        self.pg = url.startswith("postgresql")
        if self.pg:
            import psycopg

            self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
            # no foreign-key checks during the load (a superuser's setting for this session:
            # the checks are triggers, and replica mode fires none): every parent is written
            # before its children, and without a lookup per row the load takes about half
            # the time
            self.execute("SET session_replication_role = replica")
        else:
            import sqlite3

            self.conn = sqlite3.connect(url.split("sqlite:///", 1)[1], isolation_level=None)
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("BEGIN")
        self.counts = {}

    def write(self, table, columns, rows):
        if not rows:
            return
        self.counts[table] = self.counts.get(table, 0) + len(rows)
        if self.pg:
            buf = io.StringIO()
            for row in rows:
                buf.write("\t".join("\\N" if v is None else str(v) for v in row))
                buf.write("\n")
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with self.conn.cursor() as cur, cur.copy(sql) as copy:
                copy.write(buf.getvalue())
        else:
            marks = ", ".join("?" * len(columns))
            self.conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
            )

    def execute(self, sql):
        if self.pg:
            with self.conn.cursor() as cur:
                cur.execute(sql)
        else:
            self.conn.execute(sql)

    def finish(self):
        if self.pg:
            for table in (
                "departments",
                "users",
                "committee_sessions",
                "proposals",
                "assignments",
                "cosigners",
                "review_decisions",
                "contacts",
                "replies",
                "ratings",
                "history",
                "notifications",
            ):
                self.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            self.conn.commit()
            self.conn.autocommit = True
            self.execute("VACUUM ANALYZE")
        else:
            self.conn.execute("COMMIT")
            self.conn.execute("ANALYZE")
        self.conn.close()


def migrate(url):
    os.environ["DATABASE_URL"] = url
    from flask_migrate import upgrade

    from proposals import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:600000")


def generate(url, size, seed=7, now=None):
    """Fill an empty, migrated database; return {table: rows} and the seconds taken."""
    started = time.perf_counter()
    pw_hash = migrate(url)
    rnd = random.Random(seed)
    now = now or datetime.now(UTC).replace(tzinfo=None)  # naive UTC, as stored
    today = (now + timedelta(hours=8)).date()
    this_year = today.year
    years = list(range(this_year - 9, this_year + 1))
    w = Writer(url)
    created = fmt_dt(now - timedelta(days=3700))

    # ---- reference data: sessions, units, people
    w.write(
        "committee_sessions",
        [
            "id",
            "term",
            "meeting",
            "year",
            "plenary_start",
            "plenary_end",
            "collection_start",
            "collection_end",
            "is_current",
        ],
        [
            (
                i + 1,
                10 + i // 5,
                i % 5 + 1,
                y,
                f"{y}-01-10",
                f"{y}-01-14",
                f"{y - 1}-10-10",  # the default window: three months before the plenary
                f"{y}-01-14",
                1 if y == this_year else 0,
            )
            for i, y in enumerate(years)
        ],
    )
    n_units = max(20, min(300, size // 300))
    units = list(range(1, n_units + 1))
    w.write(
        "departments",
        ["id", "code", "name", "active"],
        [
            (
                u,
                f"U{u:04d}",
                (
                    UNIT_NAMES[(u - 1) % len(UNIT_NAMES)]
                    + ("" if u <= len(UNIT_NAMES) else f"（{u}）")
                ),
                1,
            )
            for u in units
        ],
    )
    user_cols = [
        "id",
        "username",
        "name",
        "role",
        "department_id",
        "email",
        "phone",
        "org_type",
        "sector",
        "password_hash",
        "active",
        "created_at",
    ]
    users = []
    uid = 0

    def add_user(username, role, dept=None, org_type=None, sector=None, name=None):
        nonlocal uid
        uid += 1
        users.append(
            (
                uid,
                username,
                name or f"用户{uid}",
                role,
                dept,
                f"{username}@example.org",
                None,
                org_type,
                sector,
                pw_hash,
                1,
                created,
            )
        )
        return uid

    sec = add_user("bench_sec", "secretariat", name="提案委办公室")
    add_user("bench_admin", "admin")
    for i in range(2):
        add_user(f"sec{i}", "secretariat")
    clerks, heads = {}, {}
    for u in units:
        clerks[u] = add_user("bench_clerk" if u == 1 else f"clerk{u}", "clerk", dept=u)
        heads[u] = add_user("bench_head" if u == 1 else f"head{u}", "department_head", dept=u)
    n_members = max(200, size // 30)
    member_ids = [
        add_user(
            "bench_member" if i == 0 else f"m{i}",
            "member",
            sector=SECTORS[i % len(SECTORS)],
            name=f"委员{i}",
        )
        for i in range(n_members)
    ]
    orgs = [
        add_user(
            f"org{i}", "member", org_type=ORG_TYPES[i % 4], sector=SECTORS[i % 9], name=f"组织{i}"
        )
        for i in range(12)
    ]
    w.write("users", user_cols, users)
    bench_member = member_ids[0]

    # ---- proposals and what happened to them
    P_COLS = [
        "id",
        "version",
        "session_id",
        "proposer_id",
        "kind",
        "state",
        "title",
        "category_id",
        "analysis",
        "suggestions",
        "is_plenary",
        "receipt_serial",
        "number",
        "submitted_at",
        "filed_at",
        "closed_at",
        "not_filed_reason_id",
        "not_filed_disposition",
        "merged_into_id",
        "withdraw_reason",
        "is_key",
        "is_excellent",
        "not_for_disclosure",
        "consultation_due",
        "created_at",
    ]
    A_COLS = [
        "id",
        "version",
        "proposal_id",
        "department_id",
        "role",
        "state",
        "round",
        "assigned_at",
        "accepted_at",
        "accept_due",
        "contact_due",
        "opinion_due",
        "round_started_on",
        "reply_due",
        "extended_to",
        "follow_up_open",
        "closed_at",
    ]
    R_COLS = [
        "id",
        "version",
        "assignment_id",
        "round",
        "state",
        "result",
        "text",
        "signer",
        "contact",
        "promised_date",
        "drafted_by_id",
        "created_at",
        "signed_off_by_id",
        "signed_off_at",
        "reviewed_by_id",
        "reviewed_at",
        "delivered_at",
        "due_on",
        "rating_due",
    ]
    C_COLS = ["id", "proposal_id", "user_id", "state", "invited_at", "expires_on", "responded_at"]
    D_COLS = [
        "id",
        "proposal_id",
        "reviewer_id",
        "decision",
        "category_id",
        "reason_id",
        "disposition",
        "merge_into_id",
        "comment",
        "created_at",
        "stage",
    ]
    H_COLS = [
        "id",
        "proposal_id",
        "assignment_id",
        "reply_id",
        "actor_id",
        "action",
        "from_state",
        "to_state",
        "comment",
        "created_at",
    ]
    RT_COLS = [
        "id",
        "reply_id",
        "rater_id",
        "is_primary",
        "rating",
        "comment",
        "created_at",
        "source",
    ]
    K_COLS = ["id", "assignment_id", "mode", "day", "summary", "recorded_by_id", "created_at"]
    ids = dict.fromkeys(["p", "a", "r", "c", "d", "h", "rt", "k"], 0)
    buf = {k: [] for k in ids}
    cols = {
        "p": ("proposals", P_COLS),
        "a": ("assignments", A_COLS),
        "r": ("replies", R_COLS),
        "c": ("cosigners", C_COLS),
        "d": ("review_decisions", D_COLS),
        "h": ("history", H_COLS),
        "rt": ("ratings", RT_COLS),
        "k": ("contacts", K_COLS),
    }

    def flush():
        for key in ("p", "a", "r", "c", "d", "h", "rt", "k"):  # parents first
            table, columns = cols[key]
            w.write(table, columns, buf[key])
            buf[key].clear()

    def nid(key):
        ids[key] += 1
        return ids[key]

    def hist(pid, action, at, frm, to, aid=None, rid=None, actor=None):
        buf["h"].append((nid("h"), pid, aid, rid, actor, action, frm, to, None, fmt_dt(at)))

    texts = [(SENT.format(t=t), SUGG.format(t=t)) for t in TOPICS]
    per_year = [size // len(years) + (1 if i < size % len(years) else 0) for i in range(len(years))]
    for session_id, (year, count) in enumerate(zip(years, per_year, strict=True), start=1):
        current = year == this_year
        jan = datetime(year, 1, 4, 1)
        span_end = (now - timedelta(days=1)) if current else datetime(year, 12, 20)
        serial = number = 0
        last_filed = None
        # the year's submission times, in order (plenary ones in January)
        times = []
        for _ in range(count):
            if rnd.random() < 0.7:
                times.append(jan + timedelta(seconds=rnd.randrange(10 * 86400)))
            else:
                start = datetime(year, 2, 1)
                times.append(
                    start
                    + timedelta(
                        seconds=rnd.randrange(max(1, int((span_end - start).total_seconds())))
                    )
                )
        times.sort()
        for n, submitted in enumerate(times):
            pid = nid("p")
            topic = rnd.randrange(len(TOPICS))
            analysis, suggestions = texts[topic]
            title = f"关于{VERBS[pid % len(VERBS)]}{TOPICS[topic]}工作的建议（{year}-{n + 1}）"
            cat = topic % CATEGORIES + 1
            roll = rnd.random()
            if roll < 0.04:
                kind, proposer = "collective", orgs[pid % len(orgs)]
            elif roll < 0.30:
                kind, proposer = "joint", member_ids[rnd.randrange(n_members)]
            else:
                kind, proposer = "individual", member_ids[rnd.randrange(n_members)]
            if n % 97 == 0:
                proposer = bench_member
            is_key = 1 if rnd.random() < 0.01 else 0
            plenary = 1 if submitted.month == 1 else 0
            state, sub_at, filed_at, closed_at = None, submitted, None, None
            reason = disposition = merged_into = withdraw = None
            num = rserial = None
            # the not-yet-submitted ones of the current year
            if current and rnd.random() < 0.015:
                state = "draft" if rnd.random() < 0.7 else "awaiting_cosigners"
                if state == "awaiting_cosigners":
                    kind = "joint" if kind == "individual" else kind
                sub_at = None
            created_at = (sub_at or submitted) - timedelta(days=rnd.randrange(1, 6))
            outcome = rnd.random()
            review_at = submitted + timedelta(days=rnd.randrange(5, 20), hours=rnd.randrange(8))
            assignments = []
            if state is None:
                serial += 1
                rserial = serial
                hist(pid, "submit", sub_at, "draft", "submitted", actor=proposer)
                if outcome < 0.02:  # withdrawn before review
                    state, withdraw = "withdrawn", "已另行反映"
                    at = sub_at + timedelta(days=1)
                    hist(pid, "withdraw", min(at, now), "submitted", "withdrawn", actor=proposer)
                elif review_at > now:
                    state = "submitted"
                elif outcome < 0.10:
                    state, reason = "not_filed", rnd.randrange(1, REASONS + 1)
                    disposition = ("opinion", "letter", "social_info", "none")[pid % 4]
                    buf["d"].append(
                        (
                            nid("d"),
                            pid,
                            sec,
                            "not_file",
                            None,
                            reason,
                            disposition,
                            None,
                            None,
                            fmt_dt(review_at),
                            "final",
                        )
                    )
                    hist(pid, "review", review_at, "submitted", "not_filed", actor=sec)
                elif outcome < 0.13 and last_filed is not None:
                    state, merged_into = "merged", last_filed
                    buf["d"].append(
                        (
                            nid("d"),
                            pid,
                            sec,
                            "merge",
                            None,
                            None,
                            None,
                            merged_into,
                            None,
                            fmt_dt(review_at),
                            "final",
                        )
                    )
                    hist(pid, "review", review_at, "submitted", "merged", actor=sec)
                else:
                    number += 1
                    num, filed_at, state = number, review_at, "filed"
                    last_filed = pid
                    buf["d"].append(
                        (
                            nid("d"),
                            pid,
                            sec,
                            "file",
                            cat,
                            None,
                            None,
                            None,
                            None,
                            fmt_dt(review_at),
                            "final",
                        )
                    )
                    hist(pid, "review", review_at, "submitted", "filed", actor=sec)
                    assigned_at = review_at + timedelta(days=3)
                    if assigned_at <= now:
                        state = "assigned"
                        shape = rnd.random()
                        first = rnd.choice(units)
                        second = units[
                            (units.index(first) + 1 + rnd.randrange(len(units) - 1)) % len(units)
                        ]
                        if shape < 0.8:
                            roles = [(first, "lead")]
                        elif shape < 0.95:
                            roles = [(first, "lead"), (second, "co")]
                        else:
                            roles = [(first, "split"), (second, "split")]
                        hist(pid, "assign", assigned_at, "filed", "assigned", actor=sec)
                        assignments = [(dept, role, assigned_at) for dept, role in roles]
            finished = []
            for dept, role, assigned_at in assignments:
                aid = nid("a")
                day = (assigned_at + timedelta(hours=8)).date()
                accept_due, contact_due = day + timedelta(days=7), day + timedelta(days=21)
                opinion_due = (day + timedelta(days=30)).isoformat() if role == "co" else None
                reply_due = day + timedelta(days=91)
                accepted = assigned_at + timedelta(days=rnd.randrange(0, 4), hours=2)
                late = rnd.random() < 0.03
                delivered = assigned_at + timedelta(
                    days=rnd.randrange(30, 86) + (rnd.randrange(95, 130) if late else 0)
                )
                rated = delivered + timedelta(days=rnd.randrange(2, 15))
                a_state, acc, a_closed = "pending", None, None
                if accepted <= now:
                    a_state, acc = "handling", fmt_dt(accepted)
                    hist(
                        pid, "accept", accepted, "pending", "handling", aid=aid, actor=clerks[dept]
                    )
                    contact_at = accepted + timedelta(days=2)
                    if role != "co" and contact_at <= now:
                        buf["k"].append(
                            (
                                nid("k"),
                                aid,
                                "phone",
                                contact_at.date().isoformat(),
                                "电话沟通办理思路",
                                clerks[dept],
                                fmt_dt(contact_at),
                            )
                        )
                if role == "co":
                    if delivered <= now:  # closes with the lead
                        a_state, a_closed = "closed", delivered
                elif delivered <= now:
                    rid = nid("r")
                    result = "ABC"[0 if rnd.random() < 0.5 else 1 if rnd.random() < 0.7 else 2]
                    rating_due = (delivered + timedelta(hours=8)).date() + timedelta(days=21)
                    if rated <= now:
                        unrated = rnd.random() < 0.05
                        r_state = "unrated" if unrated else "rated"
                        a_state, a_closed = "closed", rated
                        if not unrated:
                            rating = (
                                "satisfied"
                                if rnd.random() < 0.8
                                else "basically_satisfied"
                                if rnd.random() < 0.8
                                else "unsatisfied"
                            )
                            buf["rt"].append(
                                (nid("rt"), rid, proposer, 1, rating, None, fmt_dt(rated), "online")
                            )
                            hist(
                                pid,
                                "rate",
                                rated,
                                "delivered",
                                "rated",
                                aid=aid,
                                rid=rid,
                                actor=proposer,
                            )
                    else:
                        r_state, a_state = "delivered", "replied"
                        rating_due = max(rating_due, today)
                    buf["r"].append(
                        (
                            rid,
                            1,
                            aid,
                            1,
                            r_state,
                            result,
                            "经研究，现答复如下：……",
                            "局长",
                            "联系人 12345678",
                            (reply_due + timedelta(days=365)).isoformat()
                            if result == "B"
                            else None,
                            clerks[dept],
                            fmt_dt(delivered - timedelta(days=3)),
                            heads[dept],
                            fmt_dt(delivered - timedelta(days=2)),
                            sec,
                            fmt_dt(delivered - timedelta(hours=2)),
                            fmt_dt(delivered),
                            reply_due.isoformat(),
                            rating_due.isoformat(),
                        )
                    )
                    hist(
                        pid,
                        "deliver_reply",
                        delivered,
                        "handling",
                        "replied",
                        aid=aid,
                        rid=rid,
                        actor=sec,
                    )
                buf["a"].append(
                    (
                        aid,
                        1,
                        pid,
                        dept,
                        role,
                        a_state,
                        1,
                        fmt_dt(assigned_at),
                        acc,
                        accept_due.isoformat(),
                        contact_due.isoformat(),
                        opinion_due,
                        day.isoformat(),
                        reply_due.isoformat(),
                        None,
                        0,
                        fmt_dt(a_closed) if a_closed else None,
                    )
                )
                finished.append(a_closed)
            if finished and all(finished):
                state, closed_at = "closed", max(finished)
                hist(pid, "close", closed_at, "assigned", "closed")
            if kind == "joint":
                for cosigner in sorted(
                    {member_ids[rnd.randrange(n_members)] for _ in range(rnd.randrange(1, 4))}
                ):
                    if cosigner == proposer:
                        continue
                    if state == "awaiting_cosigners":
                        buf["c"].append(
                            (
                                nid("c"),
                                pid,
                                cosigner,
                                "invited",
                                fmt_dt(created_at),
                                (today + timedelta(days=3)).isoformat(),
                                None,
                            )
                        )
                    else:
                        buf["c"].append(
                            (
                                nid("c"),
                                pid,
                                cosigner,
                                "accepted",
                                fmt_dt(created_at),
                                None,
                                fmt_dt(created_at + timedelta(hours=5)),
                            )
                        )
            buf["p"].append(
                (
                    pid,
                    1,
                    session_id,
                    proposer,
                    kind,
                    state,
                    title,
                    cat,
                    analysis,
                    suggestions,
                    plenary if sub_at else None,
                    rserial,
                    num,
                    fmt_dt(sub_at) if sub_at else None,
                    fmt_dt(filed_at) if num else None,
                    fmt_dt(closed_at) if closed_at else None,
                    reason,
                    disposition,
                    merged_into,
                    withdraw,
                    is_key,
                    0,
                    0,
                    0,
                    fmt_dt(created_at),
                )
            )
            if len(buf["p"]) >= 20000:
                flush()
    flush()
    # a page of notifications for the logins
    notes = []
    for i, recipient in enumerate((sec, bench_member, clerks[1]) * 40):
        notes.append(
            (
                i + 1,
                recipient,
                "bench",
                "proposal",
                i + 1,
                today.isoformat(),
                None,
                f"提醒 {i + 1}",
                f"/proposals/{i + 1}",
                fmt_dt(now - timedelta(hours=i)),
                None,
            )
        )
    w.write(
        "notifications",
        [
            "id",
            "recipient_id",
            "kind",
            "record_type",
            "record_id",
            "deadline",
            "proposal_id",
            "text",
            "link",
            "created_at",
            "read_at",
        ],
        notes,
    )
    counts = dict(w.counts)
    w.finish()
    return counts, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--size",
        type=proposal_count,
        default="national",
        help=f"a number of proposals or one of {', '.join(SIZES)}",
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    counts, seconds = generate(args.database_url, args.size)
    print(
        f"generated {args.size} proposals in {seconds:.1f} s: "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
    )


if __name__ == "__main__":
    main()
