"""The document kinds, each registered by importing its module."""

from . import (  # noqa: F401
    annual,
    assignment_list,
    compilation,
    letter,
    not_filed_notice,
    notice,
    opinion_form,
)
