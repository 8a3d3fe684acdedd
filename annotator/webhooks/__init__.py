"""Outgoing webhooks following the Standard Webhooks specification (standardwebhooks.com).

models: endpoints and the delivery log · signing: secrets and signatures · services: register
an endpoint · delivery: claim due deliveries, post them, record the outcome, retry or disable.
"""
