"""The secretariat's 交办方案 pages: download the template, upload a sheet, see every row checked
with its line-numbered errors (a list on top, the table below), apply a checked plan with one
CSRF-protected button; a plan with errors has no button and is refused anyway."""

import io
import re

import pytest
from flask import g
from sqlalchemy import select

from proposals import create_app
from proposals.extensions import db
from proposals.plans.models import AssignmentPlan

from .. import flows
from ..conftest import log_in
from .helpers import assignments_of, plans_count, read_xlsx, row, states, xlsx

BASE = "/secretariat/assignment-plans"


def post_sheet(client, content, name="方案.xlsx"):
    return client.post(BASE, data={"file": (io.BytesIO(content), name)})


def latest_plan():
    return db.session.scalars(select(AssignmentPlan).order_by(AssignmentPlan.id.desc())).first()


def test_the_page_is_linked_and_offers_the_template_and_the_upload(world, web):
    p = flows.filed(world)
    sec = web(world.secretariat)
    home = sec.get("/").get_data(as_text=True)
    assert f'href="{BASE}"' in home  # the navigation
    queues = sec.get("/secretariat/queues").get_data(as_text=True)
    assert 'data-testid="plans-link"' in queues
    page = sec.get(BASE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'href="{BASE}/template.xlsx"' in html and 'enctype="multipart/form-data"' in html
    sheet = sec.get(f"{BASE}/template.xlsx")
    assert sheet.status_code == 200
    assert read_xlsx(sheet.data)["交办方案"][1][1] == f"{p.number:04d}"


def test_upload_with_errors_shows_them_by_line_and_offers_no_apply(world, web):
    p, q = flows.filed(world), flows.filed(world, title="关于第二件的建议")
    sec = web(world.secretariat)
    resp = post_sheet(sec, xlsx([row(p, lead="ZJJ"), row(q, lead="ZJJ", split="CZJ、JYJ")]))
    assert resp.status_code == 302
    plan = latest_plan()
    assert resp.headers["Location"].endswith(f"{BASE}/{plan.id}")
    html = sec.get(resp.headers["Location"]).get_data(as_text=True)
    errors = html.split('data-testid="plan-errors"')[1].split("</div>")[0]
    assert "第 3 行：不能同时填写主办单位和分办单位" in errors
    assert 'data-row="2"' in html and 'data-row="3"' in html  # every row in the table
    assert 'data-testid="plan-apply"' not in html
    # the server refuses it anyway
    resp = sec.post(f"{BASE}/{plan.id}/apply")
    assert resp.status_code == 409
    assert 'data-testid="plan-refusal"' in resp.get_data(as_text=True)
    assert states(p, q) == ["filed", "filed"]


def test_upload_then_apply(world, web):
    p, q = flows.filed(world), flows.filed(world, title="关于第二件的建议")
    sec = web(world.secretariat)
    resp = post_sheet(sec, xlsx([row(p, lead="ZJJ", co="CZJ"), row(q, split="CZJ、JYJ")]))
    plan = latest_plan()
    html = sec.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="plan-errors"' not in html
    assert 'data-testid="plan-apply"' in html and "市住房和城乡建设局" in html
    assert states(p, q) == ["filed", "filed"]  # uploading assigns nothing
    resp = sec.post(f"{BASE}/{plan.id}/apply")
    assert resp.status_code == 302
    assert states(p, q) == ["assigned", "assigned"]
    assert [a.role for a in assignments_of(q)] == ["split", "split"]
    html = sec.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已按方案交办 2 件提案" in html and 'data-testid="plan-applied"' in html
    assert 'data-testid="plan-apply"' not in html


def test_an_unreadable_file_is_shown_on_the_form_and_kept_nowhere(world, web):
    sec = web(world.secretariat)
    resp = post_sheet(sec, b"not a spreadsheet")
    assert resp.status_code == 400
    assert "不是有效的 .xlsx 文件" in resp.get_data(as_text=True)
    resp = sec.post(BASE, data={})
    assert resp.status_code == 400 and "请选择要上传的文件" in resp.get_data(as_text=True)
    assert plans_count() == 0


@pytest.fixture()
def csrf_client(app, world):
    config = {
        k: app.config[k]
        for k in ("ENV", "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "PASSWORD_HASH_METHOD")
    }
    config.update({"WTF_CSRF_ENABLED": True, "LOGIN_RATE_LIMIT_ENABLED": False})
    client = create_app(config).test_client()
    return log_in(client, world.secretariat)


def send(client, method, url, **kw):
    db.session.commit()  # the other app sees committed data only
    g.pop("_login_user", None)
    try:
        return client.open(url, method=method, **kw)
    finally:
        g.pop("_login_user", None)
        db.session.expire_all()


def test_applying_needs_the_pages_csrf_token(world, web, csrf_client):
    p = flows.filed(world)
    post_sheet(web(world.secretariat), xlsx([row(p, lead="ZJJ")]))
    plan = latest_plan()
    refused = send(csrf_client, "POST", f"{BASE}/{plan.id}/apply")
    assert refused.status_code == 400 and states(p) == ["filed"]
    page = send(csrf_client, "GET", f"{BASE}/{plan.id}").get_data(as_text=True)
    form = page.split('data-testid="plan-apply"')[1]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    done = send(csrf_client, "POST", f"{BASE}/{plan.id}/apply", data={"csrf_token": token})
    assert done.status_code == 302 and states(p) == ["assigned"]
