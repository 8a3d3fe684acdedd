"""Discussion threads on consensus groups (a passage, a span or a claim).

A thread is visible exactly to those who may see its group (``annotator.visibility``): under
blind review, a reviewer reads and writes in it only after their own judgment there.
"""
