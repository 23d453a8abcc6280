"""The demo programme's plan: its clusters, hubs, delivery partners, staff and cohorts,
and the twists that give each cohort its story (drop-outs, a move, an out-of-area
exception, existing support, a late arrival).

Plain data: `demo.document` builds the scenario document from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

NATIONAL_TARGET = 6000
REQUIRED_HOURS = 18  # K2


# --------------------------------------------------------------------------------------
# The programme structure: clusters, hubs, delivery partners and staff
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HubPlan:
    key: str
    name: str
    lep: str
    cluster: str
    target: int
    # E6: the local authorities of the LEP area, with postcode districts in each.
    areas: dict[str, tuple[str, ...]]
    # Rivers, hills and landmarks that local businesses are named after (space-separated).
    place_words: str
    # An area just outside the LEP, for out-of-area (E6) registrations.
    outside_area: tuple[str, str]


CLUSTERS = (("north-west", "North West"), ("midlands", "Midlands"))

HUBS = (
    HubPlan(
        key="gm",
        name="GC Business Growth Hub",
        lep="Greater Manchester LEP",
        cluster="north-west",
        target=150,
        areas={
            "Bolton": ("BL1", "BL2", "BL3"),
            "Bury": ("BL8", "BL9"),
            "Manchester": ("M1", "M4", "M12", "M40"),
            "Oldham": ("OL1", "OL8"),
            "Rochdale": ("OL11", "OL16"),
            "Salford": ("M5", "M6", "M50"),
            "Stockport": ("SK1", "SK4"),
            "Tameside": ("OL6", "SK14"),
            "Trafford": ("M17", "M32"),
            "Wigan": ("WN1", "WN5"),
        },
        place_words=(
            "Irwell Medlock Pennine Ancoats Kersal Etherow "
            "Castlefield Rivington Werneth Haigh Bridgewater Saddleworth"
        ),
        outside_area=("Cheshire East", "SK10"),
    ),
    HubPlan(
        key="lancs",
        name="Boost Lancashire Growth Hub",
        lep="Lancashire LEP",
        cluster="north-west",
        target=100,
        areas={
            "Blackburn with Darwen": ("BB1", "BB2"),
            "Blackpool": ("FY1", "FY4"),
            "Burnley": ("BB11", "BB12"),
            "Chorley": ("PR6", "PR7"),
            "Fylde": ("FY8",),
            "Hyndburn": ("BB5",),
            "Lancaster": ("LA1", "LA4"),
            "Pendle": ("BB8", "BB9"),
            "Preston": ("PR1", "PR2"),
            "Ribble Valley": ("BB7",),
            "Rossendale": ("BB4",),
            "South Ribble": ("PR5", "PR25"),
            "West Lancashire": ("L39", "WN8"),
            "Wyre": ("FY5", "FY6"),
        },
        place_words=(
            "Ribble Pendle Lune Bowland Calder Hodder "
            "Wyre Darwen Rossendale Brock Wenning Longridge"
        ),
        outside_area=("Sefton", "PR8"),
    ),
    HubPlan(
        key="gbs",
        name="Greater Birmingham and Solihull Growth Hub",
        lep="Greater Birmingham and Solihull LEP",
        cluster="midlands",
        target=120,
        areas={
            "Birmingham": ("B1", "B5", "B9", "B18", "B30"),
            "Bromsgrove": ("B60", "B61"),
            "Cannock Chase": ("WS11", "WS12"),
            "East Staffordshire": ("DE13", "DE14"),
            "Lichfield": ("WS13", "WS14"),
            "Redditch": ("B97", "B98"),
            "Solihull": ("B90", "B91", "B92"),
            "Tamworth": ("B77", "B79"),
            "Wyre Forest": ("DY10", "DY11", "DY13"),
        },
        place_words=(
            "Brindley Digbeth Lickey Arden Bournville Hockley "
            "Clent Cole Severn Trent Habberley Blythe"
        ),
        outside_area=("Coventry", "CV1"),
    ),
    HubPlan(
        key="bc",
        name="Black Country Growth Hub",
        lep="Black Country LEP",
        cluster="midlands",
        target=80,
        areas={
            "Dudley": ("DY1", "DY5"),
            "Sandwell": ("B66", "B70"),
            "Walsall": ("WS1", "WS2"),
            "Wolverhampton": ("WV1", "WV10"),
        },
        place_words="Stour Gornal Tividale Rowley Saltwells Netherton",
        outside_area=("Shropshire", "SY1"),
    ),
)
HUBS_BY_KEY = {hub.key: hub for hub in HUBS}

# (key, hub, name, service)
DELIVERY_PARTNERS = (
    ("gm-action-learning", "gm", "Northern Action Learning Ltd", "facilitation"),
    ("gm-coaching", "gm", "Pennine Business Coaching LLP", "one_to_one"),
    ("lancs-partners", "lancs", "Red Rose Growth Partners", "both"),
    ("gbs-action-learning", "gbs", "Midlands Action Learning CIC", "facilitation"),
    ("gbs-mentoring", "gbs", "Brindley Business Mentors", "one_to_one"),
)


@dataclass(frozen=True)
class StaffPlan:
    key: str
    name: str
    email: str
    role: str
    hub: str | None = None
    organisation: str | None = None


def _delivery_staff(key: str, name: str, role: str, hub: str, organisation: str) -> StaffPlan:
    email = name.lower().replace(" ", ".") + "@example.org"
    return StaffPlan(key, name, email, role, hub, organisation)


STAFF = (
    StaffPlan("coordinator", "Helen Whitfield", "coordinator@example.org", "coordinator"),
    StaffPlan("funder", "Marcus Bell", "beis@example.org", "funder"),
    StaffPlan("evaluator", "Aisha Rahman", "evaluator@example.org", "evaluator"),
    StaffPlan("gm-admin", "Rachel Ainsworth", "gm.admin@example.org", "hub_admin", "gm"),
    StaffPlan("lancs-admin", "Tom Haworth", "lancs.admin@example.org", "hub_admin", "lancs"),
    StaffPlan("gbs-admin", "Gurpreet Sandhu", "gbs.admin@example.org", "hub_admin", "gbs"),
    StaffPlan("bc-admin", "Karen Billingham", "bc.admin@example.org", "hub_admin", "bc"),
    _delivery_staff("gm-fac-1", "Sam Okafor", "facilitator", "gm", "gm-action-learning"),
    _delivery_staff("gm-fac-2", "Claire Lomax", "facilitator", "gm", "gm-action-learning"),
    _delivery_staff("lancs-fac-1", "Ian Whittaker", "facilitator", "lancs", "lancs-partners"),
    _delivery_staff("gbs-fac-1", "Nadia Hussain", "facilitator", "gbs", "gbs-action-learning"),
    _delivery_staff("gbs-fac-2", "Owen Price", "facilitator", "gbs", "gbs-action-learning"),
    _delivery_staff("gm-coach-1", "Julie Barker", "one_to_one_provider", "gm", "gm-coaching"),
    _delivery_staff("gm-coach-2", "Kwame Mensah", "one_to_one_provider", "gm", "gm-coaching"),
    _delivery_staff(
        "lancs-coach-1", "Fiona Crossley", "one_to_one_provider", "lancs", "lancs-partners"
    ),
    _delivery_staff("gbs-coach-1", "Ravi Chauhan", "one_to_one_provider", "gbs", "gbs-mentoring"),
)
STAFF_BY_KEY = {staff.key: staff for staff in STAFF}


def providers_of(hub: str) -> list[str]:
    return [s.key for s in STAFF if s.role == "one_to_one_provider" and s.hub == hub]


# --------------------------------------------------------------------------------------
# Cohorts, and the twists that make their stories
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortPlan:
    key: str
    hub: str
    name: str
    facilitator: str
    state: str  # what the anchor shows: completed, running, at-risk or forming
    # Days from the anchor to the first session, which then moves forward to `weekday`.
    # Offsets are chosen so that no session falls within 4 days of the anchor, whatever
    # weekday the anchor is: the states never depend on the calendar.
    first_session: int
    weekday: int  # Monday is 0
    start_time: dt.time
    hours: tuple[float, ...]  # of the sessions that take place
    size: int  # K1: at most 11
    location: str
    cancelled: int | None = None  # the planned session (0-based) called off and re-run


def at(hour: int, minute: int = 0) -> dt.time:
    return dt.time(hour, minute)


COHORTS = (
    CohortPlan(
        key="gm-1",
        hub="gm",
        name="Greater Manchester 1",
        facilitator="gm-fac-1",
        state="completed",
        first_session=-164,
        weekday=1,
        start_time=at(9, 30),
        hours=(3, 3, 3, 3, 3, 3),
        size=11,
        location="Salford Innovation Forum, Frederick Road, Salford M6 6FP",
    ),
    CohortPlan(
        key="gm-2",
        hub="gm",
        name="Greater Manchester 2",
        facilitator="gm-fac-2",
        state="running",
        first_session=-38,
        weekday=3,
        start_time=at(13, 30),
        hours=(3, 3, 3, 3, 3, 3),
        size=10,
        location="Online (Microsoft Teams)",
    ),
    CohortPlan(
        key="gm-3",
        hub="gm",
        name="Greater Manchester 3",
        facilitator="gm-fac-1",
        state="forming",
        first_session=4,
        weekday=2,
        start_time=at(9, 30),
        hours=(3, 3, 3, 3, 3, 3),
        size=8,
        location="Stockport Business Centre, Wellington Road South, Stockport SK1 3UA",
    ),
    CohortPlan(
        key="lancs-1",
        hub="lancs",
        name="Lancashire 1",
        facilitator="lancs-fac-1",
        state="completed",
        first_session=-171,
        weekday=2,
        start_time=at(10),
        hours=(3, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5),
        size=9,
        location="Media Factory, Kirkham Street, Preston PR1 2HE",
        cancelled=2,
    ),
    CohortPlan(
        key="lancs-2",
        hub="lancs",
        name="Lancashire 2",
        facilitator="lancs-fac-1",
        state="at-risk",
        first_session=-24,
        weekday=0,
        start_time=at(14),
        hours=(3, 3, 3, 3, 3),
        size=7,
        location="Burnley Business Centre, Empire Street, Burnley BB11 1BP",
    ),
    CohortPlan(
        key="gbs-1",
        hub="gbs",
        name="Birmingham and Solihull 1",
        facilitator="gbs-fac-1",
        state="running",
        first_session=-52,
        weekday=1,
        start_time=at(9, 30),
        hours=(3, 3, 3, 3, 3, 3),
        size=11,
        location="Innovation Birmingham, Holt Street, Birmingham B7 4BP",
    ),
    CohortPlan(
        key="gbs-2",
        hub="gbs",
        name="Birmingham and Solihull 2",
        facilitator="gbs-fac-2",
        state="running",
        first_session=-10,
        weekday=4,
        start_time=at(9),
        hours=(2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 3),
        size=9,
        location="Solihull Business Hub, Homer Road, Solihull B91 3QQ",
    ),
)
COHORTS_BY_KEY = {plan.key: plan for plan in COHORTS}


@dataclass(frozen=True)
class DropOut:
    after_session: int  # 1-based: the last delivered session they were a member for
    reason: str
    survey_reason: str  # a choice of the drop-out instrument's `reason` question
    outside_control: bool
    comment: str


# Keyed by (cohort, member index).
DROP_OUTS = {
    ("gm-1", 3): DropOut(
        3,
        "Covering for two senior staff who left in the same month; no time for the sessions.",
        "time",
        False,
        "Great group, wrong year for me. I'd like to come back when things settle.",
    ),
    ("lancs-1", 2): DropOut(
        2,
        "Long-term illness; hopes to take part next year.",
        "personal",
        True,
        "",
    ),
    ("gbs-1", 8): DropOut(
        2,
        "Sold the business in a management buy-out; the new owners are not continuing.",
        "other",
        True,
        "Thank you: the first two sessions helped me prepare for the sale.",
    ),
}

# (cohort, member index, existing programme, hours of each session, nature of support)
EXISTING_SUPPORT = {
    ("gm-1", 5): (
        "Made Smarter",
        (2, 2),
        "Digital technology adoption: a shop-floor workshop and a digital roadmap.",
    ),
    ("lancs-1", 4): (
        "Help to Grow: Management",
        (2, 2),
        "One-to-one mentoring from a business mentor on the growth action plan.",
    ),
    ("lancs-1", 6): (
        "Help to Grow: Management",
        (1.5,),
        "One mentoring session on leadership, alongside the programme's own coaching.",
    ),
}
MIXED_SUPPORT = {("lancs-1", 6)}  # programme coaching as well as the existing programme
DECLINES_ONE_TO_ONE = {("gm-1", 7)}  # O8
SHORT_OF_ONE_TO_ONE = {("gm-1", 9)}  # second one-to-one cancelled: 2 of 3.5 hours
MANUFACTURERS = {("gm-1", 5)}  # Made Smarter supports manufacturers
E6_EXCEPTION = ("gm-1", 1)
E8_EXCEPTION = ("gbs-1", 5)
MOVES = {("gbs-1", 3): "gbs-2"}  # K11: moved before either cohort's first session
LATE_JOINING_INSTRUCTIONS = ("lancs-1", 5)  # K7: sent the afternoon before
LATE_ARRIVAL = ("gm-1", 2)  # attended fewer hours than the session
NOTES_NOT_YET_WRITTEN = {"gbs-2-s1"}  # K9: the facilitator's to-do list has something
