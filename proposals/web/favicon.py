"""The committee's favicon at ``/favicon.ico``, where browsers look for it on every page (a red
disc with a gold star, ``static/favicon.ico``; base.html links it too). Public and cacheable: it
is the same for everyone and changes only with a release."""

from flask import Blueprint, current_app, send_from_directory

bp = Blueprint("favicon", __name__)
MAX_AGE = 7 * 24 * 3600  # a week: browsers ask once, not on every page


@bp.get("/favicon.ico")
def favicon():
    response = send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/x-icon", max_age=MAX_AGE
    )
    response.cache_control.public = True
    return response
