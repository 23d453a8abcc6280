"""The facilitators' action learning sets of a cluster (services, selectors, the lead's
and the coordinator's pages at /learning-sets/)."""
