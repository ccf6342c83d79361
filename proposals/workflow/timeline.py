"""A proposal's history as people read it: one entry per action.

Assigning a proposal (``assign``) writes one entry on the proposal, naming every unit and its
role, and, through ``create_assignment``, one ``assign_unit`` entry per unit: those rows stay
(the notifications tell each unit from them, and an approved reassignment writes only an
``assign_unit`` entry), but the proposal page and the API fold them into the ``assign`` entry
they belong to — written by the same person at the same moment, right after it."""

FOLDED = {"assign": "assign_unit"}


def timeline(entries):
    """``entries`` (in order) without the per-unit rows of an action already shown whole."""
    shown, parent = [], None
    for entry in entries:
        if (
            parent is not None
            and entry.action == FOLDED[parent.action]
            and entry.actor_id == parent.actor_id
            and entry.created_at == parent.created_at
        ):
            continue
        shown.append(entry)
        parent = entry if entry.action in FOLDED else None
    return shown
