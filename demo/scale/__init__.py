"""Synthetic data at national scale for the performance work (issue 10).

`world.build(participants=N)` fills an empty database with a deterministic programme
year of the programme's shape: 38 hubs in 9 clusters, N registrations spread over the
hubs, eligible participants in cohorts of up to 11 (K1) meeting six times for 3 hours
(K2, K3) a fortnight apart (K4), attendance (K8), facilitator notes (K9) and BEIS topics,
one-to-one support by both routes (O1) with action plans (O6), the four surveys
(S1-S4), drop-outs, observations (Q1) and complaints (Q5), across the twelve months of
the delivery window; `returns.submit_returns()` adds every hub's monthly returns.

Everything is written with `bulk_create`, hub by hub (`hub`, `delivery`; so memory stays
bounded), inside one transaction. The only randomness is `random.Random` seeded with a
fixed string, the number of participants and the hub's key, so the same N always gives
the same records (`checksum.checksum()` proves it) and every record satisfies the
models' database constraints (E9: one business per participant; C2: privacy notice on or
before registration; C1: charter signed before allocation; attendance hours match
presence; one-to-one routes).

Left out on purpose: eligibility outcomes (E1-E10 rows, ten per decision), survey
invitations, action cards, joining-instruction send logs and at-risk findings; the pages
and returns measured do not depend on them for their cost at this scale.
"""
