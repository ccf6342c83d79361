"""Fixtures of the security tests."""

import pytest

from proposals.security.limiter import get_limiter


@pytest.fixture()
def limits_on(app, monkeypatch):
    """The login limits on, small and with empty counters, for one test."""
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_ACCOUNT", "3 per 15 minutes")
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_ADDRESS", "5 per 15 minutes")
    get_limiter(app).reset()
    yield
    get_limiter(app).reset()


@pytest.fixture(autouse=True)
def _stub_pdf_conversion(monkeypatch):
    """The access sweeps ask for every PDF many times over: what they check is who gets one,
    not the conversion (tests/documents converts real ones), so each PDF here is a stub."""
    monkeypatch.setattr("proposals.documents.pdf.to_pdf", lambda data: b"%PDF-1.4 stub\n")
