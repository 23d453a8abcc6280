"""Attendance (K8) and what follows from it: a session's register, and a member's absences
followed up, reported as disengaged (K13) or their drop-out. Reads in `selectors.py`,
writes in `services.py`, the forms and the facilitator's pages beside them."""
