"""The Django admin, customised for moderators.

Moderators read everything and change things only through moderation actions, each of which
asks for a reason (an intermediate form) and writes an audit record (see ``moderation.py``).
Document bodies, offsets, history and audit records are read-only for everyone, and nothing
that must be kept can be deleted from here.

One module per area, along the seams the single file used to mark: ``base`` (site settings,
shared bases and filters), ``actions`` (reason forms), ``users``, ``corpus``, ``annotations``,
``suggestions``, ``consensus``, ``audit``, ``tokens`` and ``campaigns``. Importing this
package registers them.
"""

from . import (  # noqa: F401  (importing registers the ModelAdmins)
    annotations,
    audit,
    base,
    campaigns,
    consensus,
    corpus,
    factchecks,
    suggestions,
    tokens,
    users,
    webhooks,
)
