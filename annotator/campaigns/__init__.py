"""Review campaigns: who reviews what, with overlap, a deadline, tie-breakers and progress.

``models`` (Campaign, CampaignMember, Assignment; re-exported by ``annotator.models``),
``rules`` (who manages campaigns), ``planning`` (the pure, deterministic assignment plan),
``lifecycle`` (create / open / close / add documents or reviewers / reassign), ``tiebreakers``
(routing a dispute inside the write that caused it), ``queue`` (a reviewer's assignments and
``/next/``), ``progress`` (the campaign page's figures), ``api`` and ``views``. See
docs/campaigns.md.
"""
