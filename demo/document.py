"""The demo programme: a deterministic, realistic Peer Networks year as a scenario document.

`build_demo_document(anchor)` describes a programme year as it stands on `anchor` ("today"
for the demo) in the interchange format of docs/scenario-format.md; `manage.py seed_demo`
imports it. Everything is placed relative to the anchor, so the demo always tells the same
story: two cohorts have completed their 18 hours, three are running (one of them cannot
reach 18 hours before the window closes), one is forming, and people keep registering,
being turned down, dropping out and moving between cohorts.

The only randomness is `random.Random` seeded with fixed strings, one stream per part of
the document, so the same anchor always gives the same document and a change to one part
does not reshuffle the others.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

Json = dict[str, Any]
T = TypeVar("T")

FORMAT = "peernet-scenario/1"
SEED = "peer-networks-demo"
FORTNIGHT = dt.timedelta(days=14)
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


def _at(hour: int, minute: int = 0) -> dt.time:
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
        start_time=_at(9, 30),
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
        start_time=_at(13, 30),
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
        start_time=_at(9, 30),
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
        start_time=_at(10),
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
        start_time=_at(14),
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
        start_time=_at(9, 30),
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
        start_time=_at(9),
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


# --------------------------------------------------------------------------------------
# People and businesses
# --------------------------------------------------------------------------------------

FEMALE_NAMES = (
    "Amelia", "Sophie", "Priya", "Charlotte", "Hannah", "Fatima", "Grace", "Emma",
    "Rebecca", "Joanne", "Lucy", "Sarah", "Chloe", "Megan", "Natalie", "Ruth",
    "Siobhan", "Zara", "Olivia", "Katie", "Laura", "Gemma", "Alison", "Bethany",
    "Jasmine", "Leanne", "Mei", "Anjali", "Ngozi", "Eleanor", "Shabana", "Agnieszka",
)  # fmt: skip
MALE_NAMES = (
    "James", "Mohammed", "Daniel", "Oliver", "Adam", "Ben", "Chris", "David",
    "Gareth", "Harry", "Imran", "Jack", "Kieran", "Liam", "Matthew", "Neil",
    "Paul", "Rajesh", "Ryan", "Simon", "Stuart", "Tariq", "Wayne", "Dominic",
    "Femi", "Hassan", "Jamie", "Lewis", "Marek", "Craig", "Andrew", "Wei",
)  # fmt: skip
NEUTRAL_NAMES = ("Alex", "Jordan", "Robin", "Charlie", "Jude")
LAST_NAMES = (
    "Ahmed", "Ali", "Ashworth", "Atherton", "Bailey", "Bennett", "Brennan", "Butterworth",
    "Campbell", "Chadwick", "Chen", "Clarke", "Collins", "Cooper", "Crompton", "Davies",
    "Dixon", "Edwards", "Evans", "Fletcher", "Gallagher", "Green", "Greenwood", "Hall",
    "Hargreaves", "Hughes", "Iqbal", "Jackson", "Johnson", "Kelly", "Khan", "Kowalski",
    "Lees", "Lord", "Malik", "Mellor", "Mistry", "Moss", "Murphy", "Nowak",
    "Nuttall", "Obi", "O'Brien", "Okoro", "Parkinson", "Patel", "Pickup", "Riley",
    "Roberts", "Sharma", "Shaw", "Singh", "Smith", "Sutcliffe", "Taylor", "Thompson",
    "Turner", "Walsh", "Ward", "Whittle", "Williams", "Wilson", "Wright", "Yates",
)  # fmt: skip
JOB_TITLES = (
    "Managing Director", "Managing Director", "Founder and CEO", "Director", "Owner",
    "Operations Director", "Co-founder", "Chief Executive", "Commercial Director",
    "Finance Director",
)  # fmt: skip

# SIC 2007 section → how businesses in it are named ({w}: a place word or a surname)
BUSINESS_NAMES = {
    "C": (
        "{w} Precision Engineering Ltd", "{w} Fabrications Ltd", "{w} Packaging Ltd",
        "{w} Foods Ltd", "{w} Plastics Ltd", "{w} Textiles Ltd", "{w} Brewing Co Ltd",
        "{w} Print Ltd",
    ),
    "F": ("{w} Building Services Ltd", "{w} Joinery Ltd", "{w} Roofing Ltd", "{w} Civils Ltd"),
    "G": ("{w} Trade Supplies Ltd", "{w} Wholesale Ltd", "{w} Home and Garden Ltd"),
    "H": ("{w} Logistics Ltd", "{w} Haulage Ltd", "{w} Couriers Ltd"),
    "I": ("{w} Kitchen Ltd", "{w} Hotel Ltd", "{w} Catering Ltd"),
    "J": ("{w} Digital Ltd", "{w} Software Ltd", "{w} Media Ltd", "{w} IT Solutions Ltd"),
    "M": (
        "{w} Architects Ltd", "{w} Consulting Engineers Ltd", "{w} Accountancy Ltd",
        "{w} Design Studio Ltd",
    ),
    "N": ("{w} Recruitment Ltd", "{w} Facilities Services Ltd", "{w} Cleaning Services Ltd"),
    "Q": ("{w} Home Care Ltd", "{w} Dental Care Ltd", "{w} Physiotherapy Ltd"),
    "R": ("{w} Leisure Ltd", "{w} Events Ltd"),
}  # fmt: skip
SECTOR_WEIGHTS = {
    "C": 25, "F": 10, "G": 9, "H": 6, "I": 6, "J": 12, "M": 15, "N": 8, "Q": 5, "R": 4,
}  # fmt: skip

# Equality answers (docs/scenario-format.md vocabularies); None: not asked or not answered.
ETHNIC_GROUPS = {
    "white": 70, "asian": 13, "black": 5, "mixed": 3, "other": 2,
    "prefer-not-to-say": 3, None: 4,
}  # fmt: skip
AGE_BANDS = {
    "16-24": 1, "25-34": 14, "35-44": 29, "45-54": 30, "55-64": 17, "65+": 4,
    "prefer-not-to-say": 2, None: 3,
}  # fmt: skip
DISABILITY = {"no": 80, "yes": 7, "prefer-not-to-say": 5, None: 8}
NEUTRAL_GENDERS = {"non-binary": 2, "prefer-not-to-say": 2, "female": 1, "male": 1, None: 1}

POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters used in an inward code


# --------------------------------------------------------------------------------------
# What happens in sessions
# --------------------------------------------------------------------------------------

# Core topic → (finer topics under it, issues participants bring, actions they commit to)
TOPIC_CONTENT: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "finance": (
        (),
        (
            "cash flow squeezed by customers paying at 90 days",
            "whether to take on asset finance for a second machine",
            "pricing after a 20% rise in material costs",
        ),
        (
            "Build a 13-week cash-flow forecast and review it weekly",
            "Ask the three slowest payers for staged payments",
            "Re-cost the top ten products with the new material prices",
        ),
    ),
    "hr": (
        (),
        (
            "losing two experienced staff to a bigger competitor",
            "first time recruiting apprentices",
            "a team leader struggling with the step up to managing friends",
        ),
        (
            "Hold stay conversations with the five key staff",
            "Talk to the local college about an apprenticeship standard",
            "Agree a development plan with the new team leader",
        ),
    ),
    "sales-and-marketing": (
        (),
        (
            "too dependent on one customer for 40% of sales",
            "no clear way to win work outside the region",
            "a website that brings in enquiries nobody follows up",
        ),
        (
            "List ten target customers outside the top three and contact two",
            "Set up a simple pipeline and review it every Monday",
            "Ask five loyal customers why they chose us",
        ),
    ),
    "business-model-innovation": (
        (),
        (
            "whether to move from one-off jobs to service contracts",
            "a subscription offer that customers keep asking about",
        ),
        (
            "Sketch the service-contract offer and test it with two customers",
            "Work out the break-even point for a subscription price",
        ),
    ),
    "change-management": (
        (),
        (
            "the team resisting a move to new working hours",
            "handing over day-to-day running so the owner can work on the business",
        ),
        (
            "Explain the reasons for the change at a whole-team meeting",
            "Write down the five decisions only the owner should still make",
        ),
    ),
    "management-processes": (
        (),
        (
            "decisions made in the owner's head with nothing written down",
            "no regular management meeting or figures to look at",
        ),
        (
            "Start a monthly management meeting with a one-page dashboard",
            "Write the three core processes down with the people who do them",
        ),
    ),
    "digital": (
        ("technology-adoption", "cyber-security"),
        (
            "choosing a new job-management system",
            "a phishing email that nearly paid a fake invoice",
            "spreadsheets that no longer cope with the order book",
        ),
        (
            "Shortlist two systems and book demonstrations",
            "Turn on two-factor authentication for email and banking",
            "Take the free Cyber Essentials readiness check",
        ),
    ),
    "use-of-data": (
        (),
        (
            "plenty of data in the till system but no idea what it says",
            "not knowing which customers are actually profitable",
        ),
        (
            "Pull last year's sales by customer and rank them by margin",
            "Pick three numbers to review every week",
        ),
    ),
    "net-zero": (
        ("understanding-net-zero", "carbon-footprint", "carbon-efficiency"),
        (
            "a major customer asking for a carbon reduction plan",
            "energy bills that have doubled in two years",
        ),
        (
            "Measure the business's carbon footprint with a free calculator",
            "Get a quote for an energy audit of the unit",
        ),
    ),
    "eu-exit": (
        ("trade-compliance", "supply-chain"),
        (
            "delays and paperwork on parts imported from Germany",
            "whether to find a UK supplier for key components",
        ),
        (
            "Talk to a customs broker about the import paperwork",
            "Ask two UK suppliers to quote for the main components",
        ),
    ),
    "covid-19": (
        ("organisational-culture",),
        ("hybrid working that has weakened the team culture",),
        ("Bring the team together for a half-day planning session",),
    ),
}
CORE_TOPICS = tuple(TOPIC_CONTENT)
TOPIC_WEIGHTS = (9, 8, 9, 5, 6, 6, 7, 5, 5, 3, 1)  # in the order of TOPIC_CONTENT

REPORT_BACKS = (
    "Done; took longer than expected but worth it.",
    "Started; half done. Carrying it over to the next session.",
    "Done. Two of the three said yes.",
    "Not done: a big order landed. Will do it this fortnight.",
    "Done, and shared it with the team, which went better than expected.",
    "Done. Surprising result; want to bring it back to the group.",
)
HOT_TOPICS = (
    "energy costs", "late payment", "recruiting and keeping staff", "interest rates",
    "AI tools for small firms", "succession planning", "minimum wage rise",
    "customer concentration", "pricing", "supply chain delays", "cyber attacks",
)  # fmt: skip
PROCESS_ISSUES = (
    "",
    "",
    "",
    "Started ten minutes late: the room booking before ours overran.",
    "Two members sent apologies; followed up by email (K13).",
    "Good energy; one member dominated the first round, addressed in the review.",
)
OBSERVATION_FEEDBACK = (
    "Well-paced session with strong questioning; the group challenges each other "
    "constructively. Suggest a firmer time-keeper for the first round."
)
SESSION_COMMENTS = (
    "Really useful to hear how others handled the same problem.",
    "Good session, but we ran out of time for the last issue.",
    "The questioning made me see the problem differently.",
    "Would prefer a later start time.",
    "Best two hours of my fortnight.",
)
EXIT_COMMENTS = (
    "The group will keep meeting every month at one of our sites.",
    "I have a plan for the next year that I would not have had otherwise.",
    "The one-to-one coaching was the most useful part for me.",
    "",
)


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def programme_window(anchor: dt.date) -> tuple[dt.date, dt.date]:
    """The delivery window around `anchor`: 12 months from the 1st of the month seven
    months before the anchor's month (anchor 2026-11-21 → 2026-04-01 to 2027-03-31)."""
    start = _first_of_month(anchor, -7)
    return start, _first_of_month(start, 12) - dt.timedelta(days=1)


def _first_of_month(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _local(moment: dt.datetime) -> str:
    """A Europe/London wall-clock time, as the format writes it (`2021-10-05T09:30`)."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def _number(value: float) -> int | float:
    """Hours and money as JSON numbers: 3 rather than 3.0."""
    return int(value) if float(value).is_integer() else value


def _next_weekday(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _christmas_break(day: dt.date) -> bool:
    return (day.month, day.day) >= (12, 21) or (day.month, day.day) <= (1, 3)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _weighted(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _stream(*parts: object) -> random.Random:
    """A random stream of its own for one part of the document (fixed seed, never the
    clock): the demo is the same every time and is not used for anything secret."""
    return random.Random(":".join([SEED, *map(str, parts)]))  # noqa: S311


# --------------------------------------------------------------------------------------
# The records the builder keeps while it works, turned into JSON at the end
# --------------------------------------------------------------------------------------


@dataclass
class BusinessRecord:
    key: str
    name: str
    company_number: str
    local_authority: str
    postcode: str
    sector: str
    trading_since: dt.date
    employees: int
    turnover: int
    balance_sheet_total: int
    exporter: bool | None
    scale_up_potential: bool | None

    def to_json(self) -> Json:
        return {
            "key": self.key,
            "name": self.name,
            "company_number": self.company_number,
            "local_authority": self.local_authority,
            "postcode": self.postcode,
            "sector": self.sector,
            "trading_since": self.trading_since.isoformat(),
            "employees": self.employees,
            "turnover": self.turnover,
            "balance_sheet_total": self.balance_sheet_total,
            "exporter": self.exporter,
            "scale_up_potential": self.scale_up_potential,
        }


@dataclass
class ParticipantRecord:
    key: str
    hub: str
    business: BusinessRecord
    first_name: str
    last_name: str
    job_title: str
    phone: str
    registered: dt.date
    equality: Json
    senior_decision_maker: bool = True
    aspiration_to_improve: bool = True
    previous_year_participant: bool = False
    decided: dt.date | None = None
    eligible: bool | None = None
    notes: str = ""
    exceptions: list[Json] = field(default_factory=list)
    charter_signed: dt.datetime | None = None
    provider: str | None = None
    declined: bool = False
    dropped_out: dt.date | None = None
    dropout_reason: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def email(self) -> str:
        mailbox = _slug(self.first_name).replace("-", "")
        domain = _slug(self.business.name.removesuffix(" Ltd"))
        return f"{mailbox}@{domain}.example"

    def to_json(self, charter_version: str) -> Json:
        eligibility = None
        if self.decided is not None:
            eligibility = {
                "decided": self.decided.isoformat(),
                "eligible": self.eligible,
                "notes": self.notes,
            }
            if self.exceptions:
                eligibility["exceptions"] = self.exceptions
        signed = self.charter_signed
        return {
            "key": self.key,
            "hub": self.hub,
            "business": self.business.key,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": self.phone,
            "job_title": self.job_title,
            "senior_decision_maker": self.senior_decision_maker,
            # C2: the privacy notice is acknowledged as the first enquiry is recorded.
            "registered": self.registered.isoformat(),
            "privacy_notice_acknowledged": self.registered.isoformat(),
            "aspiration_to_improve": self.aspiration_to_improve,
            "previous_year_participant": self.previous_year_participant,
            "eligibility": eligibility,
            "charter_signed": _local(signed) if signed else None,
            "charter_version": charter_version if signed else None,
            "equality": self.equality,
            "one_to_one_provider": self.provider,
            "one_to_one_declined": self.declined,
            "dropped_out": (
                {"date": self.dropped_out.isoformat(), "reason": self.dropout_reason}
                if self.dropped_out
                else None
            ),
        }


@dataclass
class Spell:
    """A participant's time in a cohort (a move ends one spell and starts another)."""

    participant: ParticipantRecord
    joined: dt.date
    left: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.joined <= day and (self.left is None or day < self.left)


@dataclass
class Session:
    key: str
    cohort: CohortPlan
    number: int  # 1-based, counting a cancelled session too
    starts_at: dt.datetime
    hours: float
    status: str
    json: Json = field(default_factory=dict)
    present: list[ParticipantRecord] = field(default_factory=list)

    @property
    def day(self) -> dt.date:
        return self.starts_at.date()


# --------------------------------------------------------------------------------------
# The builder
# --------------------------------------------------------------------------------------


def build_demo_document(anchor: dt.date) -> Json:
    """The demo programme as it stands on `anchor`, as a scenario document."""
    return _DemoBuilder(anchor).build()


class _DemoBuilder:
    def __init__(self, anchor: dt.date) -> None:
        self.anchor = anchor
        self.start, self.end = programme_window(anchor)
        self.year_label = f"{self.start.year}/{(self.start.year + 1) % 100:02d}"
        self.people = _stream("people")
        self.used_names: set[str] = set()
        self.used_businesses: set[str] = set()
        self.participants: list[ParticipantRecord] = []
        self.spells: dict[str, list[Spell]] = {plan.key: [] for plan in COHORTS}
        self.sessions: dict[str, list[Session]] = {}
        self.attended: dict[str, list[dt.date]] = {}  # participant key → days present

    # --- the whole document ---------------------------------------------------------

    def build(self) -> Json:
        for plan in COHORTS:
            self.sessions[plan.key] = self._schedule(plan)
        for plan in COHORTS:
            self._recruit_cohort(plan)
        self._move_between_cohorts()
        self._record_drop_outs()
        self._register_others()
        cohorts = [self._cohort_json(plan) for plan in COHORTS]
        one_to_ones = self._one_to_ones()
        return {
            "format": FORMAT,
            "programme": {
                "name": f"Peer Networks {self.year_label}",
                "delivery_start": self.start.isoformat(),
                "delivery_end": self.end.isoformat(),
                "national_target": NATIONAL_TARGET,
            },
            "clusters": [{"key": key, "name": name} for key, name in CLUSTERS],
            "hubs": [self._hub_json(hub) for hub in HUBS],
            "delivery_partners": [
                {"key": key, "hub": hub, "name": name, "service": service}
                for key, hub, name, service in DELIVERY_PARTNERS
            ],
            "users": [self._user_json(staff) for staff in STAFF],
            "businesses": self._businesses_json(),
            "participants": [p.to_json(self.charter_version) for p in self.participants],
            "cohorts": cohorts,
            "one_to_ones": one_to_ones,
            "observations": self._observations(),
            "complaints": self._complaints(),
            "surveys": self._surveys(),
        }

    @property
    def charter_version(self) -> str:
        return f"{self.year_label} v1"

    @staticmethod
    def _hub_json(hub: HubPlan) -> Json:
        return {
            "key": hub.key,
            "name": hub.name,
            "lep": hub.lep,
            "cluster": hub.cluster,
            "target": hub.target,
            "local_authorities": list(hub.areas),
            "privacy_notice_url": f"https://www.example.org/{hub.key}/peer-networks/privacy",
        }

    @staticmethod
    def _user_json(staff: StaffPlan) -> Json:
        user: Json = {
            "key": staff.key,
            "email": staff.email,
            "name": staff.name,
            "roles": [{"role": staff.role, "hub": staff.hub}],
        }
        if staff.organisation:
            user["organisation"] = staff.organisation
        return user

    def _businesses_json(self) -> list[Json]:
        seen: dict[str, Json] = {}
        for participant in self.participants:
            seen.setdefault(participant.business.key, participant.business.to_json())
        return list(seen.values())

    # --- the schedule ------------------------------------------------------------------

    def _schedule(self, plan: CohortPlan) -> list[Session]:
        """Fortnightly sessions (K4): those before the anchor delivered (or cancelled),
        the rest scheduled. After a cancelled session the cohort carries on a fortnight
        later with the same hours still to do; nobody meets over Christmas, so a session
        due then moves a week or two later."""
        day = _next_weekday(self.anchor + dt.timedelta(days=plan.first_session), plan.weekday)
        slots = len(plan.hours) + (plan.cancelled is not None)
        hours = iter(plan.hours)
        sessions = []
        for index in range(slots):
            if index:
                day += FORTNIGHT
            while _christmas_break(day):
                day += dt.timedelta(days=7)
            cancelled = index == plan.cancelled
            if cancelled:
                status = "cancelled"
                length = plan.hours[index]
            else:
                status = "delivered" if day < self.anchor else "scheduled"
                length = next(hours)
            sessions.append(
                Session(
                    key=f"{plan.key}-s{index + 1}",
                    cohort=plan,
                    number=index + 1,
                    starts_at=dt.datetime.combine(day, plan.start_time),
                    hours=length,
                    status=status,
                )
            )
        return sessions

    def _first_session_day(self, cohort: str) -> dt.date:
        return self.sessions[cohort][0].day

    # --- participants ------------------------------------------------------------------

    def _recruit_cohort(self, plan: CohortPlan) -> None:
        """Members registered 30 to 60 days before the first session, were found eligible,
        signed the charter and were then allocated (C1), all before the first session."""
        rng = _stream("recruit", plan.key)
        hub = HUBS_BY_KEY[plan.hub]
        first = self._first_session_day(plan.key)
        earliest = max(self.start, first - dt.timedelta(days=60))
        latest = first - dt.timedelta(days=30)
        for index in range(plan.size):
            twist = (plan.key, index)
            registered = earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))
            sector = "C" if twist in MANUFACTURERS else None
            participant = self._new_participant(hub, registered, rng, sector=sector)
            participant.decided = registered + dt.timedelta(days=rng.randint(2, 8))
            participant.eligible = True
            participant.notes = self._eligible_note(participant)
            signed_on = participant.decided + dt.timedelta(days=rng.randint(1, 5))
            participant.charter_signed = dt.datetime.combine(
                signed_on, _at(rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
            )
            joined = signed_on + dt.timedelta(days=rng.randint(1, 5))
            if twist in DECLINES_ONE_TO_ONE:
                participant.declined = True
            elif twist not in EXISTING_SUPPORT or twist in MIXED_SUPPORT:
                providers = providers_of(plan.hub)
                participant.provider = providers[index % len(providers)]
            if twist == E6_EXCEPTION:
                self._agree_out_of_area(participant)
            if twist == E8_EXCEPTION:
                self._admit_previous_year_drop_out(participant)
            self.spells[plan.key].append(Spell(participant, joined))

    def _new_participant(
        self,
        hub: HubPlan,
        registered: dt.date,
        rng: random.Random,
        *,
        sector: str | None = None,
        business: BusinessRecord | None = None,
    ) -> ParticipantRecord:
        first_name, last_name, gender = self._new_name()
        participant = ParticipantRecord(
            key=f"p{len(self.participants) + 1}",
            hub=hub.key,
            business=business or self._new_business(hub, registered, rng, sector),
            first_name=first_name,
            last_name=last_name,
            job_title=rng.choice(JOB_TITLES),
            phone=f"07700 900{len(self.participants) + 101:03d}",  # Ofcom's drama range
            registered=registered,
            equality=self._equality(gender, rng),
        )
        self.participants.append(participant)
        return participant

    def _new_name(self) -> tuple[str, str, str | None]:
        """A name nobody else in the demo has, and the gender it suggests (None: ask)."""
        rng = self.people
        while True:
            roll = rng.random()
            if roll < 0.05:
                first, gender = rng.choice(NEUTRAL_NAMES), None
            elif roll < 0.50:
                first, gender = rng.choice(FEMALE_NAMES), "female"
            else:
                first, gender = rng.choice(MALE_NAMES), "male"
            last = rng.choice(LAST_NAMES)
            if f"{first} {last}" not in self.used_names:
                self.used_names.add(f"{first} {last}")
                return first, last, gender

    @staticmethod
    def _equality(gender: str | None, rng: random.Random) -> Json:
        if gender is None:
            gender = _weighted(rng, NEUTRAL_GENDERS)
        elif rng.random() < 0.04:
            gender = rng.choice(["prefer-not-to-say", None])
        return {
            "gender": gender,
            "ethnic_group": _weighted(rng, ETHNIC_GROUPS),
            "age_band": _weighted(rng, AGE_BANDS),
            "disability": _weighted(rng, DISABILITY),
        }

    def _new_business(
        self, hub: HubPlan, registered: dt.date, rng: random.Random, sector: str | None
    ) -> BusinessRecord:
        """An SME that passes E1–E4: 5 to 249 staff, over £100,000 turnover, trading for
        at least two years."""
        sector = sector or _weighted(rng, SECTOR_WEIGHTS)
        name = self._business_name(hub, sector, rng)
        local_authority = rng.choice(list(hub.areas))
        employees = rng.choice(
            [rng.randint(5, 9), rng.randint(10, 49), rng.randint(10, 49), rng.randint(50, 249)]
        )
        turnover = max(150_000, round(employees * rng.uniform(55_000, 140_000), -4))
        founded = registered.year - round(rng.triangular(2, 45, 9))
        return BusinessRecord(
            key=f"b{len(self.used_businesses)}",
            name=name,
            company_number=f"{rng.randint(1_500_000, 14_999_999):08d}",
            local_authority=local_authority,
            postcode=self._postcode(hub.areas[local_authority], rng),
            sector=sector,
            trading_since=dt.date(founded, rng.randint(1, 12), 1),
            employees=employees,
            turnover=int(turnover),
            balance_sheet_total=int(round(turnover * rng.uniform(0.25, 0.75), -4)),
            exporter=rng.choice([True, False, False, None]) if sector in "CGJM" else False,
            scale_up_potential=rng.choice([True, True, False, None]),
        )

    def _business_name(self, hub: HubPlan, sector: str, rng: random.Random) -> str:
        while True:
            word = (
                rng.choice(hub.place_words.split())
                if rng.random() < 0.65
                else rng.choice(LAST_NAMES)
            )
            name = rng.choice(BUSINESS_NAMES[sector]).format(w=word)
            if name not in self.used_businesses:
                self.used_businesses.add(name)
                return name

    @staticmethod
    def _postcode(districts: Sequence[str], rng: random.Random) -> str:
        letters = "".join(rng.choice(POSTCODE_LETTERS) for _ in range(2))
        return f"{rng.choice(districts)} {rng.randint(1, 9)}{letters}"

    @staticmethod
    def _eligible_note(participant: ParticipantRecord) -> str:
        business = participant.business
        return (
            f"Meets E1–E9: {business.employees} employees on PAYE, turnover "
            f"£{business.turnover:,}, trading since {business.trading_since:%B %Y}."
        )

    def _agree_out_of_area(self, participant: ParticipantRecord) -> None:
        """E6: a Blackburn business in a Greater Manchester cohort, agreed by both LEPs."""
        business = participant.business
        business.local_authority = "Blackburn with Darwen"
        business.postcode = "BB1 5QB"
        assert participant.decided is not None
        participant.exceptions.append(
            {
                "rule": "E6",
                "agreed_by": "Greater Manchester LEP and Lancashire LEP",
                "agreed_on": (participant.decided - dt.timedelta(days=1)).isoformat(),
                "details": (
                    "Trading address in Blackburn with Darwen, outside the Greater Manchester "
                    "LEP area. The owner runs the Bolton depot most days; Lancashire's "
                    "cohort for this quarter was full. Both LEPs agreed by email."
                ),
            }
        )
        participant.notes = (
            "Eligible with an out-of-area exception agreed by both LEPs (E6). "
            + self._eligible_note(participant)
        )

    def _admit_previous_year_drop_out(self, participant: ParticipantRecord) -> None:
        """E8: took part last year but dropped out after a bereavement; admitted."""
        assert participant.decided is not None
        participant.previous_year_participant = True
        participant.exceptions.append(
            {
                "rule": "E8",
                "agreed_by": f"{STAFF_BY_KEY['gbs-admin'].name}, hub manager",
                "agreed_on": participant.decided.isoformat(),
                "details": (
                    f"Started Peer Networks {self._previous_year_label()} but left after two "
                    "sessions following a family bereavement, outside their control. "
                    "Admitted at local discretion."
                ),
            }
        )
        participant.notes = (
            "Eligible: previous-year drop-out admitted at local discretion (E8). "
            + self._eligible_note(participant)
        )

    def _previous_year_label(self) -> str:
        return f"{self.start.year - 1}/{self.start.year % 100:02d}"

    def _move_between_cohorts(self) -> None:
        """K11: a member whose cohort's day clashed with work moves to a later cohort
        before either has met. The first spell is kept, ended on the day of the move."""
        for (source, index), target in MOVES.items():
            spell = self.spells[source][index]
            before = min(self._first_session_day(source), self._first_session_day(target))
            moved = min(spell.joined + dt.timedelta(days=7), before - dt.timedelta(days=1))
            spell.left = moved
            self.spells[target].append(Spell(spell.participant, moved))

    def _record_drop_outs(self) -> None:
        for (cohort, index), drop_out in DROP_OUTS.items():
            spell = self.spells[cohort][index]
            last = self._delivered(cohort)[drop_out.after_session - 1]
            day = last.day + dt.timedelta(days=4)
            spell.left = day
            spell.participant.dropped_out = day
            spell.participant.dropout_reason = drop_out.reason

    def _register_others(self) -> None:
        """People who are not (yet) in a cohort: turned down, waiting, or undecided."""
        rng = _stream("others")
        self._turn_down(rng)
        for hub_key, count in (("gm", 2), ("lancs", 2), ("bc", 2)):
            for _ in range(count):
                self._eligible_waiting(HUBS_BY_KEY[hub_key], rng)
        for hub_key in ("gm", "lancs", "gbs", "bc"):
            registered = self.anchor - dt.timedelta(days=rng.randint(2, 12))
            participant = self._new_participant(HUBS_BY_KEY[hub_key], registered, rng)
            participant.equality = dict.fromkeys(participant.equality)  # not asked yet

    def _eligible_waiting(self, hub: HubPlan, rng: random.Random) -> None:
        """Eligible, waiting for the next cohort; one has still to sign the charter."""
        registered = self.anchor - dt.timedelta(days=rng.randint(18, 40))
        participant = self._new_participant(hub, registered, rng)
        participant.decided = registered + dt.timedelta(days=rng.randint(2, 7))
        participant.eligible = True
        participant.notes = self._eligible_note(participant)
        if rng.random() < 0.7:
            signed_on = participant.decided + dt.timedelta(days=rng.randint(1, 6))
            participant.charter_signed = dt.datetime.combine(signed_on, _at(11, 15))

    def _turn_down(self, rng: random.Random) -> None:
        """One ineligible registration for each rule that turns people away (E1–E9)."""
        days_open = (self.anchor - self.start).days - 20
        for hub_key, rule in (
            ("gm", "E4"),
            ("gm", "E9"),
            ("gm", "E6"),
            ("lancs", "E3"),
            ("lancs", "E2"),
            ("lancs", "E8"),
            ("gbs", "E1"),
            ("gbs", "E7"),
            ("gbs", "E5"),
            ("bc", "E3"),
        ):
            hub = HUBS_BY_KEY[hub_key]
            registered = self.start + dt.timedelta(days=rng.randint(10, days_open))
            colleague = None
            if rule == "E9":
                colleague = self._first_eligible(hub_key)
                registered = colleague.registered + dt.timedelta(days=rng.randint(14, 28))
            participant = self._new_participant(
                hub, registered, rng, business=colleague.business if colleague else None
            )
            participant.decided = registered + dt.timedelta(days=rng.randint(2, 9))
            participant.eligible = False
            participant.notes = self._refuse(participant, rule, colleague)

    def _first_eligible(self, hub: str) -> ParticipantRecord:
        """The hub's first eligible participant: a colleague applies later (E9)."""
        return min(
            (p for p in self.participants if p.hub == hub and p.eligible),
            key=lambda p: (p.registered, p.key),
        )

    def _refuse(
        self, participant: ParticipantRecord, rule: str, colleague: ParticipantRecord | None
    ) -> str:
        """Make the registration fail `rule`, and say why as a hub administrator would."""
        business = participant.business
        hub = HUBS_BY_KEY[participant.hub]
        match rule:
            case "E1":
                business.employees, business.turnover = 420, 58_400_000
                business.balance_sheet_total = 23_900_000
                return (
                    "Not an SME (E1): 420 employees, £58.4m turnover and a £23.9m balance "
                    "sheet exceed all three thresholds. Referred to the Midlands Engine."
                )
            case "E2":
                business.trading_since = _first_of_month(participant.registered, -8)
                return (
                    f"Trading since {business.trading_since:%B %Y}, under a year (E2). "
                    "Invited to apply again next year; referred to start-up support."
                )
            case "E3":
                business.employees = 3
                return (
                    "Only 3 employees on PAYE; at least 5 are needed (E3). The two directors "
                    "are paid by dividend. Referred to the hub's workshops."
                )
            case "E4":
                business.turnover = 72_000
                business.balance_sheet_total = 30_000
                return (
                    "Turnover £72,000 is under the £100,000 minimum (E4). Referred to the "
                    "hub's one-to-many workshops."
                )
            case "E5":
                participant.aspiration_to_improve = False
                return (
                    "No aspiration to improve declared (E5): looking for grant funding for "
                    "a van, not to develop the business. Referred to the grants page."
                )
            case "E6":
                business.local_authority, district = hub.outside_area
                business.postcode = f"{district} 4DL"
                return (
                    f"Trading address in {business.local_authority}, outside the {hub.lep} "
                    "area; no agreement between the LEPs (E6). Referred to their own hub."
                )
            case "E7":
                participant.senior_decision_maker = False
                participant.job_title = "Office Manager"
                return (
                    "Not a senior decision maker (E7): the office manager applied on the "
                    "owner's behalf. The owner has been invited to apply."
                )
            case "E8":
                participant.previous_year_participant = True
                return (
                    f"Completed Peer Networks {self._previous_year_label()} with a Lancashire "
                    "cohort (E8). Put in touch with the alumni network."
                )
            case "E9":
                assert colleague is not None
                return (
                    f"{colleague.full_name} from {business.name} already takes part this "
                    "year; only one person per business (E9)."
                )
        raise ValueError(f"No story for refusing under {rule}.")

    # --- cohorts and sessions ----------------------------------------------------------

    def _delivered(self, cohort: str) -> list[Session]:
        return [s for s in self.sessions[cohort] if s.status == "delivered"]

    def _cohort_json(self, plan: CohortPlan) -> Json:
        sessions = self.sessions[plan.key]
        rng = _stream("sessions", plan.key)
        for session in sessions:
            session.json = self._session_json(session, rng)
        self._write_action_cards(plan, rng)
        return {
            "key": plan.key,
            "hub": plan.hub,
            "name": plan.name,
            "facilitator": plan.facilitator,
            "members": [
                {
                    "participant": spell.participant.key,
                    "joined": spell.joined.isoformat(),
                    "left": spell.left.isoformat() if spell.left else None,
                }
                for spell in self.spells[plan.key]
            ],
            "sessions": [session.json for session in sessions],
        }

    def _session_json(self, session: Session, rng: random.Random) -> Json:
        plan = session.cohort
        topics = self._topics(rng)
        data: Json = {
            "key": session.key,
            "starts_at": _local(session.starts_at),
            "hours": _number(session.hours),
            "status": session.status,
            "location": plan.location,
            "joining_instructions_sent": self._joining_instructions(session, rng),
            "topics": topics,
        }
        if session.status == "delivered":
            data["attendance"] = self._attendance(session, rng)
            if session.key not in NOTES_NOT_YET_WRITTEN:
                data["facilitator_notes"] = self._facilitator_notes(session, topics, rng)
        return data

    def _joining_instructions(self, session: Session, rng: random.Random) -> str | None:
        """K7: sent three to seven days ahead; one went out the afternoon before. Not yet
        sent when that day is still to come."""
        day_before = session.day - dt.timedelta(days=1)
        if (session.cohort.key, session.number) == LATE_JOINING_INSTRUCTIONS:
            sent = dt.datetime.combine(day_before, _at(16, 40))
        else:
            sent_on = session.day - dt.timedelta(days=rng.randint(3, 7))
            sent = dt.datetime.combine(sent_on, _at(rng.randint(9, 12), 0))
        return _local(sent) if sent.date() < self.anchor else None

    @staticmethod
    def _topics(rng: random.Random) -> list[str]:
        first, second = rng.choices(CORE_TOPICS, weights=TOPIC_WEIGHTS, k=2)
        topics = [first] if first == second else [first, second]
        finer = TOPIC_CONTENT[first][0]
        if finer and rng.random() < 0.6:
            topics.append(rng.choice(finer))
        return topics

    def _attendance(self, session: Session, rng: random.Random) -> Json:
        """K8: every member on the day is present or absent; a late arrival attends fewer
        hours than the session."""
        attendance: Json = {}
        for spell in self.spells[session.cohort.key]:
            if not spell.covers(session.day):
                continue
            participant = spell.participant
            if rng.random() < 0.88:
                hours = session.hours
                if not session.present and (session.cohort.key, session.number) == LATE_ARRIVAL:
                    hours -= 1
                session.present.append(participant)
                self.attended.setdefault(participant.key, []).append(session.day)
                attendance[participant.key] = {"present": True, "hours": _number(hours)}
            else:
                attendance[participant.key] = {"present": False, "hours": 0}
        return attendance

    def _facilitator_notes(self, session: Session, topics: list[str], rng: random.Random) -> Json:
        """K9: issues brought, actions agreed, process issues and hot topics."""
        core = [topic for topic in topics if topic in TOPIC_CONTENT]
        brought, agreed = [], []
        for topic, participant in zip(core, session.present, strict=False):
            _, issues, actions = TOPIC_CONTENT[topic]
            business = participant.business.name.removesuffix(" Ltd")
            brought.append(f"{participant.first_name} ({business}): {rng.choice(issues)}.")
            agreed.append(f"{participant.first_name}: {rng.choice(actions).lower()}.")
        process = rng.choice(PROCESS_ISSUES)
        if (session.cohort.key, session.number) == LATE_ARRIVAL and session.present:
            late = session.present[0].first_name
            process = f"{late} arrived an hour late (an accident on the M60). " + process
        return {
            "issues_brought": " ".join(brought),
            "actions_agreed": " ".join(agreed) + " Everyone else updated their action cards.",
            "process_issues": process.strip(),
            "hot_topics": _sentence(", ".join(rng.sample(HOT_TOPICS, 3))),
        }

    def _write_action_cards(self, plan: CohortPlan, rng: random.Random) -> None:
        """K10: everyone present writes an action card and reports back at the next
        delivered session (the latest cards have no report back yet)."""
        delivered = self._delivered(plan.key)
        for number, session in enumerate(delivered):
            following = delivered[number + 1] if number + 1 < len(delivered) else None
            topics = [t for t in session.json["topics"] if t in TOPIC_CONTENT]
            cards = {}
            for participant in session.present:
                _, _, actions = TOPIC_CONTENT[rng.choice(topics)]
                reported = following is not None and participant in following.present
                cards[participant.key] = {
                    "actions": rng.choice(actions) + ".",
                    "report_back": rng.choice(REPORT_BACKS) if reported else "",
                }
            session.json["action_cards"] = cards

    # --- one-to-one support --------------------------------------------------------------

    def _one_to_ones(self) -> list[Json]:
        """O1–O5: a first one-to-one a week or so after the participant's first group
        session (O2), a second three weeks later; completed cohorts have finished theirs
        within a month of the final session (O3)."""
        rng = _stream("one-to-ones")
        records: list[Json] = []
        for plan in COHORTS:
            for index, spell in enumerate(self.spells[plan.key]):
                participant = spell.participant
                if spell.left and not participant.dropped_out:
                    continue  # moved: supported through the cohort they moved to
                records.extend(self._support_for(participant, (plan.key, index), rng))
        for number, record in enumerate(records, start=1):
            record["key"] = f"o2o-{number}"
        return records

    def _support_for(
        self, participant: ParticipantRecord, twist: tuple[str, int], rng: random.Random
    ) -> Iterator[Json]:
        attended = self.attended.get(participant.key)
        if participant.declined or not attended:
            return
        day = attended[0] + dt.timedelta(days=rng.randint(5, 10))
        slots: list[tuple[float, str | None, str]] = []  # hours, existing programme, nature
        if participant.provider:
            slots += [(2, None, ""), (1.5, None, "")]
        if twist in EXISTING_SUPPORT:
            programme, hours, nature = EXISTING_SUPPORT[twist]
            slots = slots[:1] + [(h, programme, nature) for h in hours]
        for number, (hours, existing, nature) in enumerate(slots):
            if participant.dropped_out and day >= participant.dropped_out:
                return
            starts_at = dt.datetime.combine(_next_weekday(day, rng.randint(0, 4)), _at(14))
            if starts_at.date() >= self.anchor:
                status = "scheduled"
            elif twist in SHORT_OF_ONE_TO_ONE and number == 1:
                status = "cancelled"
            else:
                status = "delivered"
            sent = starts_at - dt.timedelta(days=rng.randint(3, 6), hours=5)
            yield {
                "key": "",  # numbered by the caller
                "participant": participant.key,
                "provider": None if existing else participant.provider,
                "starts_at": _local(starts_at),
                "hours": _number(hours),
                "status": status,
                "route": "existing" if existing else "programme",
                "existing_programme": existing,
                "nature_of_support": nature,
                "joining_instructions_sent": _local(sent) if sent.date() < self.anchor else None,
            }
            day = starts_at.date() + dt.timedelta(days=rng.randint(18, 24))

    # --- quality ----------------------------------------------------------------------

    def _observations(self) -> list[Json]:
        """Q1–Q4: observations with a week's notice and the privacy statement shared with
        the joining instructions; one recording still to delete, one to come."""
        observations = []
        for session_key, observer, recorded, deleted in (
            ("gm-1-s4", "gm-admin", True, True),
            ("lancs-1-s4", "lancs-admin", True, False),
            ("gbs-1-s2", "coordinator", False, False),
        ):
            session = self._session(session_key)
            observations.append(
                {
                    "session": session_key,
                    "observer": observer,
                    "notice_given": _local(session.starts_at - dt.timedelta(days=7, hours=1)),
                    "privacy_statement_shared": _local(
                        session.starts_at - dt.timedelta(days=2, hours=2)
                    ),
                    "completed": session.day.isoformat(),
                    "feedback": OBSERVATION_FEEDBACK,
                    "recording_deleted": (
                        _local(session.starts_at + dt.timedelta(days=6, hours=4))
                        if recorded and deleted
                        else None
                    ),
                }
            )
        upcoming = next(s for s in self.sessions["gm-2"] if s.status == "scheduled")
        observations.append(
            {
                "session": upcoming.key,
                "observer": "gm-admin",
                "notice_given": _local(
                    dt.datetime.combine(self.anchor - dt.timedelta(days=1), _at(9))
                ),
                "privacy_statement_shared": None,
                "completed": None,
                "feedback": "",
                "recording_deleted": None,
            }
        )
        return observations

    def _session(self, key: str) -> Session:
        cohort = key.rsplit("-s", 1)[0]
        return next(s for s in self.sessions[cohort] if s.key == key)

    def _complaints(self) -> list[Json]:
        """Q5: complaints and feedback with the action taken; the latest still open."""
        gm_venue = self._delivered("gm-1")[2].day + dt.timedelta(days=1)
        lancs_provider = self._delivered("lancs-1")[4].day + dt.timedelta(days=3)
        gbs_feedback = self.anchor - dt.timedelta(days=6)
        return [
            {
                "key": "complaint-1",
                "hub": "gm",
                "received": gm_venue.isoformat(),
                "summary": (
                    "A participant was unhappy that the venue for session 3 changed at two "
                    "days' notice, and that there was nowhere to park."
                ),
                "action_taken": (
                    "Apologised; the venue is fixed for the remaining sessions and parking "
                    "is booked with the joining instructions."
                ),
                "resolved": (gm_venue + dt.timedelta(days=5)).isoformat(),
            },
            {
                "key": "complaint-2",
                "hub": "lancs",
                "received": lancs_provider.isoformat(),
                "summary": (
                    "A participant said a one-to-one coach offered paid consultancy at the "
                    "end of a session (O7)."
                ),
                "action_taken": (
                    "Raised with Red Rose Growth Partners; the coach renewed their "
                    "conflict-of-interest declaration and the participant was offered "
                    "another coach."
                ),
                "resolved": (lancs_provider + dt.timedelta(days=9)).isoformat(),
            },
            {
                "key": "complaint-3",
                "hub": "gbs",
                "received": gbs_feedback.isoformat(),
                "summary": (
                    "Feedback from two members of Birmingham and Solihull 1: a 9:30 start "
                    "clashes with the school run; could sessions start at 10:00?"
                ),
                "action_taken": "",
                "resolved": None,
            },
        ]

    # --- surveys ----------------------------------------------------------------------

    def _surveys(self) -> list[Json]:
        """S1–S4: a baseline on joining, feedback after sessions, an exit survey for
        completers and a drop-out survey for leavers. Not everyone answers."""
        rng = _stream("surveys")
        surveys = []
        for plan in COHORTS:
            surveys += self._baselines(plan, rng)
            for session in self._delivered(plan.key):
                surveys += self._session_feedback(session, rng)
            surveys += self._exits(plan, rng)
        surveys += self._drop_out_surveys(rng)
        return surveys

    def _survey(
        self, participant: ParticipantRecord, kind: str, completed: dt.date, answers: Json
    ) -> list[Json]:
        """One response, or none if it would be completed after the anchor."""
        if completed >= self.anchor:
            return []
        return [
            {
                "participant": participant.key,
                "kind": kind,
                "session": None,
                "completed": completed.isoformat(),
                "answers": answers,
            }
        ]

    def _baselines(self, plan: CohortPlan, rng: random.Random) -> list[Json]:
        responses = []
        first = self._first_session_day(plan.key)
        for spell in self.spells[plan.key][: plan.size]:
            answered = rng.random() < 0.92
            completed = spell.joined + dt.timedelta(days=rng.randint(0, 4))
            answers = self._baseline_answers(rng)
            if answered and completed < first:
                responses += self._survey(spell.participant, "baseline", completed, answers)
        return responses

    @staticmethod
    def _baseline_answers(rng: random.Random) -> Json:
        answers: Json = {
            key: rng.choices((1, 2, 3, 4, 5), weights=(1, 3, 5, 4, 2))[0]
            for key in (
                "covid_adaptation", "resilience", "leadership_management",
                "recruitment_retention", "technology_adoption", "networks",
                "use_of_data", "change_management", "innovation", "business_confidence",
            )
        }  # fmt: skip
        answers["growth_ambition"] = rng.choice((4, 5, 5))
        answers["business_plan"] = rng.random() < 0.45
        answers["evaluator_consent"] = rng.random() < 0.85
        if rng.random() < 0.15:  # a missing answer is recorded as not answered
            del answers["innovation"]
        return answers

    def _session_feedback(self, session: Session, rng: random.Random) -> list[Json]:
        responses = []
        for participant in session.present:
            answered = rng.random() < 0.7
            completed = session.day + dt.timedelta(days=rng.randint(0, 2))
            answers: Json = {
                "overall_satisfaction": rng.choices((2, 3, 4, 5), weights=(1, 3, 10, 14))[0],
                "usefulness": rng.choices((2, 3, 4, 5), weights=(1, 4, 10, 10))[0],
            }
            if rng.random() < 0.3:
                answers["comments"] = rng.choice(SESSION_COMMENTS)
            if answered:
                for response in self._survey(participant, "session_feedback", completed, answers):
                    response["session"] = session.key
                    responses.append(response)
        return responses

    def _exits(self, plan: CohortPlan, rng: random.Random) -> list[Json]:
        delivered = self._delivered(plan.key)
        if sum(s.hours for s in delivered) < REQUIRED_HOURS:
            return []
        responses = []
        for spell in self.spells[plan.key]:
            if spell.left is not None or rng.random() > 0.85:
                continue
            completed = delivered[-1].day + dt.timedelta(days=rng.randint(1, 14))
            answers = {
                "overall_satisfaction": rng.choice((4, 4, 5, 5, 5, 3)),
                "goals_achieved": rng.choice((3, 4, 4, 5)),
                "one_to_one_useful": rng.choice((3, 4, 5, 5)),
                "recommend": rng.choice((7, 8, 9, 9, 10, 10)),
                "business_confidence": rng.choice((3, 4, 4, 5)),
                "stay_in_touch": rng.random() < 0.7,
                "comments": rng.choice(EXIT_COMMENTS),
                "evaluator_consent": rng.random() < 0.85,
            }
            responses += self._survey(spell.participant, "exit", completed, answers)
        return responses

    def _drop_out_surveys(self, rng: random.Random) -> list[Json]:
        responses = []
        for (cohort, index), drop_out in DROP_OUTS.items():
            participant = self.spells[cohort][index].participant
            assert participant.dropped_out is not None
            completed = participant.dropped_out + dt.timedelta(days=rng.randint(1, 5))
            answers = {
                "reason": drop_out.survey_reason,
                "outside_control": drop_out.outside_control,
                "overall_satisfaction": rng.choice((3, 4, 5)),
                "comments": drop_out.comment,
            }
            responses += self._survey(participant, "dropout", completed, answers)
        return responses
