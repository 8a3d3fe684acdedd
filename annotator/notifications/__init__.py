"""Notifications: in the app (a bell) and by email, created and sent by jobs, never in a request.

Other features notify through ``annotator.notifications.services.notify_users`` (assigned
work, a campaign due in 24 h) or through outbox events (mentions, replies, adjudications).
"""
