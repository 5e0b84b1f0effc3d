"""The error raised for a supergraph this router cannot load."""


class SupergraphError(Exception):
    """The supergraph SDL is invalid or uses a feature this router does not support."""
