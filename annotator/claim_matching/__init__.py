"""Cross-language claim matching: spans in any document and language that state a claim.

``encoder`` embeds sentences offline (multilingual USE v3 shipped inside its PyPI package);
``signals`` extracts cheap features (numbers, years, names, quotation); ``index`` stores a
document's sentence embeddings on import and searches them; ``candidates`` ranks spans for a
claim under the visibility policy and records reviewers' decisions; ``evaluation`` measures
recall@5 and MRR on the held-out claim set.
"""
