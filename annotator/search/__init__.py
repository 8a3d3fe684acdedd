"""Search over titles, passages, claims and the annotations a user may see (English, Chinese)."""
