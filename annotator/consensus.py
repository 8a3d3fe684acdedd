"""Consensus and agreement (being built: see issue 4)."""


def annotation_changed(annotation, before):
    """Refresh the consensus rows an annotation write affects, in the caller's transaction."""
