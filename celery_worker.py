"""celery -A celery_worker worker (and exactly one celery -A celery_worker beat)."""

from proposals import create_app
from proposals.tasks import make_celery

flask_app = create_app()
celery = app = make_celery(flask_app)
