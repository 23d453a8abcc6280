"""The words of the demo programme: people's and businesses' names, sectors, the equality
data's mix, and what is said in sessions (topics, issues, actions, notes and comments).

Plain data, drawn from by `demo.people` and `demo.group_sessions`.
"""

from __future__ import annotations

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
