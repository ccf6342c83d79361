"""Celery task: the periodic deadline sweep (explicit name, safe to run twice)."""

from celery import shared_task

from .sweep import run_sweep


@shared_task(name="proposals.reminders.sweep", ignore_result=True)
def sweep_task():
    return run_sweep()
