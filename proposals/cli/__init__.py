"""The command line: flask --app wsgi … or the installed `proposals …` (cli/main.py)."""


def register(app):
    from .calendar import holidays
    from .committee import sessions, settings
    from .people import departments, users
    from .reminders import reminders
    from .stats import stats

    app.cli.add_command(users)
    app.cli.add_command(departments)
    app.cli.add_command(settings)
    app.cli.add_command(sessions)
    app.cli.add_command(holidays)
    app.cli.add_command(reminders)
    app.cli.add_command(stats)
    from .demo import demo, demo_logins, demo_status

    app.cli.add_command(demo)
    app.cli.add_command(demo_status)
    app.cli.add_command(demo_logins)
    from .backup import backup

    app.cli.add_command(backup)
    from .search import search

    app.cli.add_command(search)  # noqa: E702
    from .plans import assign

    app.cli.add_command(assign)
    from .archive import proposals

    app.cli.add_command(proposals)
