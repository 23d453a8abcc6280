"""The national business support every hub offers at the end of the programme until it
says otherwise (the Playbook's "Other Business Support"): each hub starts with these, and
adds its own local schemes beside them."""

from __future__ import annotations

NATIONAL_SCHEMES: tuple[dict[str, str], ...] = (
    {
        "key": "help-to-grow-management",
        "title": "Help to Grow: Management",
        "blurb": "A 12-week leadership and management course from a leading business "
        "school, with one-to-one mentoring and peer learning; 90% funded by government.",
        "url": "https://helptogrow.campaign.gov.uk/",
    },
    {
        "key": "help-to-grow-digital",
        "title": "Help to Grow: Digital",
        "blurb": "Free, impartial advice on how technology can boost your business's "
        "performance, and a discount on approved software for eligible businesses.",
        "url": "https://helptogrow.campaign.gov.uk/",
    },
    {
        "key": "business-support-helpline",
        "title": "Business Support Helpline",
        "blurb": "Free advice and guidance for any business in England, by phone, email, "
        "webchat and social media.",
        "url": "https://www.gov.uk/business-support-helpline",
    },
)
