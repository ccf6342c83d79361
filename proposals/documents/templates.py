"""Document kinds and their Word templates.

Each kind of document (答复函, 交办通知书 …) is registered once with its label, the fields its
template may use and a builder of the shipped default template (GB/T 9704, layout.py). A
template is an ordinary .docx with docxtpl's Jinja tags (``{{ title }}``, ``{%p for p in
proposers %}`` …); the admin may upload the committee's own in place of the default, and an
upload that uses a field the kind does not have is refused with the field's name.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from ..extensions import db
from .models import DocumentTemplate

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # an N_() msgid, translated where shown
    # the names a template may use at its top level, each with what it holds (shown to the
    # admin next to the upload form)
    fields: dict
    build_default: Callable  # () -> a python-docx Document with the tags


KINDS = {}


def register(name, label, fields, build_default):
    KINDS[name] = Kind(name, label, dict(fields), build_default)
    return KINDS[name]


# The kinds register themselves when proposals.documents.kinds is imported: by the views that
# serve documents (documents/service.py, loaded with the app) and the admin's page; importing
# it from here would make an import cycle (each kind imports register from here).


def kind_of(name):
    """The registered kind ``name`` (KeyError for an unknown one)."""
    return KINDS[name]


def all_kinds():
    return list(KINDS.values())


def default_template(name):
    """The shipped default template of a kind, as .docx bytes."""
    buffer = io.BytesIO()
    kind_of(name).build_default().save(buffer)
    return buffer.getvalue()


def uploaded(name):
    return db.session.scalar(select(DocumentTemplate).where(DocumentTemplate.kind == name))


def template_bytes(name):
    """The committee's template of a kind when the admin uploaded one, else the default."""
    own = uploaded(name)
    return own.content if own is not None else default_template(name)


def environment():
    """Jinja for templates: sandboxed (a template is uploaded content) and strict, so that a
    missing value is an error rather than an empty space in a sealed letter."""
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


class TemplateError(ValueError):
    """An uploaded template that cannot be used; the message says why, in the admin's words."""


def unknown_fields(name, data):
    """The names a template's tags use that kind ``name`` does not have (sorted)."""
    try:
        template = DocxTemplate(io.BytesIO(data))
        used = template.get_undeclared_template_variables(environment())
    except Exception as error:  # a broken file or broken tags, reported to the admin
        raise TemplateError(str(error)) from error
    return sorted(set(used) - set(kind_of(name).fields))


def render(name, context, output):
    """Fill kind ``name``'s template with ``context`` (a dict of its fields) and write the .docx
    to ``output`` (a path or a binary file)."""
    template = DocxTemplate(io.BytesIO(template_bytes(name)))
    # autoescape: the values are text, and a "<" in a proposal must not break the XML
    template.render(context, environment(), autoescape=True)
    template.save(output)
    return output
