"""Machine suggestions: pure text detectors, storage, reviewer decisions and evaluation.

``detectors`` and ``engine.suggest`` are pure functions over text (no database, no models
downloaded); ``engine.store_suggestions`` writes Suggestion rows; ``decisions`` turns them into
reviewers' annotations or records dismissals; ``evaluation`` scores detectors against gold spans.
"""
