"""The transactional outbox: domain events written in the transaction of the change.

A write service calls one function of ``annotator.outbox.events``; the event row commits or
rolls back with the change. The worker (``annotator.worker``) relays committed events to their
consumers (webhook deliveries, notification jobs) and marks them dispatched, in one transaction.
"""
