"""Celery task: the kept statistics counts folded (stats/kept.py), every minute by the beat."""
from celery import shared_task


@shared_task(name="proposals.stats.fold", ignore_result=True)
def fold_task():
    from .kept import fold_all
    return fold_all()
