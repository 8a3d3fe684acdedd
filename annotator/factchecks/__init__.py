"""Published fact-checks: a moderator turns a claim's settled consensus into a public page.

``models`` (the FactCheck row, a snapshot taken at publication), ``publishing`` (publish and
retract, the only writes), ``claimreview`` (schema.org ClaimReview JSON-LD), ``views`` (the
anonymous public pages and the Atom feed).
"""
