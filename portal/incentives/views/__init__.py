"""Views of the incentives module, one file per sub-feature; importing them registers the routes.

- statements: the start page, payout statements of a period, their exports, approval
- rules: the versions of the pay rules, base pays, commission rates, HR's settings
- awards: award kinds, nominations and HR's decisions, the winners
- activities: team-building activities of the areas
"""
from portal.incentives.views import activities, awards, rules, statements  # noqa: F401
