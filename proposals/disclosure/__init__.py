"""Disclosure (办理结果公开, docs/domain.md): which proposals and replies the public portal shows,
and when.

rules.py decides publication (a delivered reply is public ``disclosure_delay_working_days``
working days after its delivery date, on the committee's working-day calendar; nothing is
stored, the cut-off is computed from today); redact.py removes contact details from free text;
queries.py reads the published proposals; operations.py lets the secretariat mark a proposal
not for disclosure (不公开) with a reason.
"""
