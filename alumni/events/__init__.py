"""Alumni events: a hub's events for those who completed its cohorts (services, selectors,
the hub's and the invitee's pages)."""
