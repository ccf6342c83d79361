"""The document kinds, each registered by importing its module."""
