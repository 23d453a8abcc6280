"""Forms for registration and eligibility: they parse and validate input, with GOV.UK-style
messages; the services decide. Forms list their fields (docs/security.md §4) and never take an
object's id from the request: the view fetches the hub and the participant for the user.

Yes/no questions are GOV.UK radios with no answer chosen for the person; the error
summary links a radio question to its first radio (`_1`, as the pack numbers them, and as
templates/gds/layout/conditional_question.html numbers a conditional question's).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from typing import Any

from crispy_forms_gds.layout import (
    HTML,
    Field,
    Fieldset,
    Fluid,
    Size,
)
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

from participants.models import EligibilityStatus, Flexibility, Sector
from peernet.forms import (
    GovukErrorsMixin,
    RealDateField,
    Reveal,
    choice_messages,
    email_field,
    form_helper,
    number_input,
    revealing,
    text_field,
    typed_input,
    yes_no,
    yes_no_initial,
)
from peernet.lists import ListFilterForm, choice_filter, search_field
from peernet.models import Hub
from peernet.words import date_words, money_words, number_words, yes_no_words

ELSEWHERE = "elsewhere"
COMPANY_NUMBER = re.compile(r"^[A-Z0-9]{1,8}$")


class GovDateField(RealDateField):
    """The GOV.UK date input with messages that name the date asked for."""

    not_real = (ValidationError, OverflowError)  # OverflowError: a year of 20 digits

    def __init__(self, *, what: str, past: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.what, self.past = what, past
        message = f"Enter {what} as a day, month and year, like 27 3 2019"
        self.error_messages["required"] = message
        self.error_messages["incomplete"] = message
        self.error_messages["invalid"] = f"{what.capitalize()} must be a real date"
        for sub, part in zip(self.fields, ("day", "month", "year"), strict=True):
            sub.error_messages["incomplete"] = f"{what.capitalize()} must include a {part}"
            sub.validators = [
                RegexValidator(r"^[0-9]+$", f"Enter {what} using numbers only")
                if isinstance(validator, RegexValidator)
                else validator
                for validator in sub.validators
            ]

    def compress(self, data_list: Any) -> dt.date | None:
        value = super().compress(data_list)
        if value is not None and value.year < 1800:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if value is not None and self.past and value > timezone.localdate():
            raise ValidationError(f"{self.what.capitalize()} must be today or in the past")
        return value


class _GovForm(forms.Form):
    """A form rendered by crispy-forms-gds inside the page's own <form> tag."""

    layout: tuple[Any, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(*self.layout, form=self)


# --- public registration ---------------------------------------------------------------


class PrivacyNoticeForm(_GovForm):
    """C2: the privacy notice is acknowledged before anything else is asked."""

    acknowledged = forms.BooleanField(
        label="I have read the privacy notice and understand how my information will be used",
        error_messages={"required": "Confirm that you have read the privacy notice"},
    )


def _registration_layout(business: str, person: str, areas: list[str]) -> tuple[Any, ...]:
    """The registration form's questions, under headings in the participant's words or the
    hub's. A follow-up question is revealed under the answer that needs it (GOV.UK
    conditional radios); without JavaScript it is simply shown."""
    return (
        HTML(f'<h2 class="govuk-heading-m">{business}</h2>'),
        Field.text("business_name"),
        revealing(
            "has_company_number",
            Reveal("Yes", Field.text("company_number", field_width=Fluid.ONE_THIRD)),
            "No",
        ),
        Field.text("postcode", field_width=Fluid.ONE_QUARTER),
        revealing(
            "local_authority",
            *areas,
            Reveal(
                "Somewhere else", Field.text("other_local_authority", field_width=Fluid.TWO_THIRDS)
            ),
        ),
        Field.select("sector"),
        Field("trading_since"),
        Field.text("employees", field_width=Fluid.ONE_QUARTER),
        Field.text("turnover", field_width=Fluid.ONE_THIRD),
        Field.text("balance_sheet_total", field_width=Fluid.ONE_THIRD),
        Field.radios("exporter", inline=True, legend_size=Size.SMALL),
        Field.radios("scale_up_potential", inline=True, legend_size=Size.SMALL),
        HTML(f'<h2 class="govuk-heading-m">{person}</h2>'),
        Field.text("first_name", field_width=Fluid.TWO_THIRDS),
        Field.text("last_name", field_width=Fluid.TWO_THIRDS),
        Field.text("email", field_width=Fluid.TWO_THIRDS),
        Field.text("phone", field_width=Fluid.ONE_THIRD),
        Field.text("job_title", field_width=Fluid.TWO_THIRDS),
        Field.radios("senior_decision_maker", inline=True, legend_size=Size.SMALL),
        Field.radios("aspiration_to_improve", inline=True, legend_size=Size.SMALL),
        Field.radios("previous_year_participant", inline=True, legend_size=Size.SMALL),
    )


class RegistrationForm(GovukErrorsMixin, _GovForm):
    """The registration's questions and checks: the public form's, and the hub's own when
    it takes or corrects a registration. Every yes/no question is answered with radios and
    none is answered for the person; a follow-up (the company number, another local
    authority) is asked, and checked, only when the answer before it needs it."""

    headings = ("Your business", "About you")
    layout_before: tuple[Any, ...] = ()

    business_name = text_field("Business name", "business name", ask="the business name")
    has_company_number = yes_no(
        "Is the business registered with Companies House?",
        message="Select yes if the business is registered with Companies House",
    )
    company_number = forms.CharField(
        label="Company number",
        help_text="The 8 characters Companies House gave the business, like 01234567 or SC123456",
        required=False,
        max_length=12,
        error_messages={"max_length": "Enter the company number as 8 letters or numbers"},
    )
    postcode = text_field(
        "Postcode of the trading address",
        "the postcode",
        max_length=10,
        too_long="Enter a real postcode, like SW1A 1AA",
    )
    local_authority = forms.ChoiceField(
        label="Local authority of the trading address",
        widget=forms.RadioSelect,
        error_messages=choice_messages("Select the local authority of the trading address"),
    )
    other_local_authority = text_field(
        "Which local authority",
        "local authority",
        required=False,
        max_length=120,
    )
    sector = forms.ChoiceField(
        label="Sector",
        choices=[("", "Select the sector"), *Sector.choices],
        error_messages=choice_messages("Select the business's sector"),
    )
    trading_since = GovDateField(
        what="the date the business started trading",
        label="When did the business start trading?",
        help_text="For example, 27 3 2015",
    )
    employees = forms.CharField(
        label="Number of employees on PAYE",
        help_text="Count a part-time permanent employee as one",
        widget=number_input(),
        error_messages={"required": "Enter the number of employees on PAYE"},
    )
    turnover = forms.CharField(
        label="Turnover in the last year (£)",
        widget=number_input(),
        error_messages={"required": "Enter the turnover"},
    )
    balance_sheet_total = forms.CharField(
        label="Balance sheet total (£)",
        widget=number_input(),
        error_messages={"required": "Enter the balance sheet total"},
    )
    exporter = yes_no(
        "Does the business export, or could it export?",
        message="Select yes if the business exports or could export",
    )
    scale_up_potential = yes_no(
        "Does the business have the potential to scale up?",
        message="Select yes if the business has the potential to scale up",
    )
    first_name = text_field("First name", "first name", ask="your first name", max_length=100)
    last_name = text_field("Last name", "last name", ask="your last name", max_length=100)
    email = email_field("your email address")
    phone = forms.CharField(
        label="Phone number (optional)",
        required=False,
        max_length=30,
        widget=typed_input("tel", autocomplete="tel"),
        error_messages={"max_length": "Phone number must be 30 characters or fewer"},
    )
    job_title = text_field("Job title (optional)", "job title", required=False, max_length=120)
    senior_decision_maker = yes_no(
        "Are you a senior decision maker in the business?",
        message="Select yes if you are a senior decision maker in the business",
    )
    aspiration_to_improve = yes_no(
        "Do you want to improve how the business performs?",
        message="Select yes if you want to improve how the business performs",
    )
    previous_year_participant = yes_no(
        "Did you take part in Peer Networks last year?",
        message="Select yes if you took part in Peer Networks last year",
    )
    # Spam trap: hidden from people and screen readers (the template renders it in a
    # hidden wrapper, outside the layout); a bot that fills it gets a page that looks
    # like success, and nothing is saved.
    website = forms.CharField(required=False, label="Website")

    def __init__(self, *args: Any, hub: Hub, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hub = hub
        areas = list(hub.local_authorities)
        self.fields["local_authority"].choices = [
            *((area, area) for area in areas),
            (ELSEWHERE, "Somewhere else"),
        ]
        self.helper = form_helper(
            *self.layout_before, *_registration_layout(*self.headings, areas), form=self
        )

    @staticmethod
    def _amount(value: str, *, message: str) -> Decimal:
        cleaned = value.strip().replace(",", "").removeprefix("£").strip()
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            raise ValidationError(message) from None
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
            raise ValidationError(message)
        return amount.quantize(Decimal("0.01"))

    def clean_company_number(self) -> str:
        return "".join(self.cleaned_data["company_number"].split()).upper()

    def clean_postcode(self) -> str:
        postcode = " ".join(self.cleaned_data["postcode"].split()).upper()
        if not re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", postcode):
            raise ValidationError("Enter a real postcode, like SW1A 1AA")
        return postcode

    def clean_employees(self) -> int:
        value = self.cleaned_data["employees"].strip().replace(",", "")
        if not value.isdigit() or len(value) > 7:
            raise ValidationError("Enter the number of employees as a whole number, like 12")
        return int(value)

    def clean_turnover(self) -> Decimal:
        return self._amount(
            self.cleaned_data["turnover"], message="Enter the turnover as a number, like 250000"
        )

    def clean_balance_sheet_total(self) -> Decimal:
        return self._amount(
            self.cleaned_data["balance_sheet_total"],
            message="Enter the balance sheet total as a number, like 400000",
        )

    def _company_number(self, cleaned: dict[str, Any]) -> str:
        """The company number, asked only of a business registered with Companies House
        (one typed under "No", shown without JavaScript, is not kept)."""
        number = cleaned.get("company_number") or ""
        if not cleaned.get("has_company_number"):
            return ""
        if not number:
            self.add_error("company_number", "Enter the company number")
        elif not COMPANY_NUMBER.match(number):
            self.add_error(
                "company_number", "Enter the company number as 8 letters or numbers, like 01234567"
            )
        return number.zfill(8) if number.isdigit() else number

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "company_number" in cleaned:
            cleaned["company_number"] = self._company_number(cleaned)
        if cleaned.get("local_authority") == ELSEWHERE:
            other = (cleaned.get("other_local_authority") or "").strip()
            if not other:
                self.add_error(
                    "other_local_authority",
                    "Enter the local authority of the trading address",
                )
            cleaned["area"] = other
        else:
            cleaned["area"] = cleaned.get("local_authority", "")
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get(self.add_prefix("website"), "").strip())

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned answers as participant_register's keyword arguments."""
        data = self.cleaned_data
        return {
            "business_name": data["business_name"],
            "company_number": data["company_number"],
            "postcode": data["postcode"],
            "local_authority": data["area"],
            "sector": data["sector"],
            "trading_since": data["trading_since"],
            "employees": data["employees"],
            "turnover": data["turnover"],
            "balance_sheet_total": data["balance_sheet_total"],
            "exporter": data["exporter"],
            "scale_up_potential": data["scale_up_potential"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "phone": data["phone"],
            "job_title": data["job_title"],
            "senior_decision_maker": data["senior_decision_maker"],
            "aspiration_to_improve": data["aspiration_to_improve"],
            "previous_year_participant": data["previous_year_participant"],
        }

    def answers(self) -> list[tuple[str, str, str]]:
        """The valid answers as check your answers lists them: (question, answer, the id
        of the input its "Change" link goes back to)."""
        data, arguments = self.cleaned_data, self.service_arguments()
        sector = dict(Sector.choices).get(data["sector"], data["sector"])
        return [
            ("Business name", data["business_name"], "id_business_name"),
            (
                "Company number",
                data["company_number"] or "Not registered with Companies House",
                "id_has_company_number_1",
            ),
            ("Postcode", data["postcode"], "id_postcode"),
            ("Local authority", data["area"], "id_local_authority_1"),
            ("Sector", sector, "id_sector"),
            ("Started trading", date_words(data["trading_since"]), "id_trading_since_0"),
            ("Employees on PAYE", number_words(data["employees"]), "id_employees"),
            ("Turnover", money_words(data["turnover"]), "id_turnover"),
            (
                "Balance sheet total",
                money_words(data["balance_sheet_total"]),
                "id_balance_sheet_total",
            ),
            *(
                (question, yes_no_words(arguments[name]), f"id_{name}_1")
                for name, question in YES_NO_QUESTIONS[:2]
            ),
            ("Name", f"{data['first_name']} {data['last_name']}", "id_first_name"),
            ("Email address", data["email"], "id_email"),
            ("Phone number", data["phone"] or "Not given", "id_phone"),
            ("Job title", data["job_title"] or "Not given", "id_job_title"),
            *(
                (question, yes_no_words(arguments[name]), f"id_{name}_1")
                for name, question in YES_NO_QUESTIONS[2:]
            ),
        ]


def posted_answers(values: dict[str, str], *, yes: Collection[str]) -> dict[str, str]:
    """Answers from outside the form's pages (an import's row, the data API) as the pages
    would post them: each yes/no question "yes" when named in `yes`, otherwise "no", and
    whether the business is registered with Companies House by its company number given."""
    number = (values.get("company_number") or "").strip()
    return {
        **values,
        **{name: yes_no_initial(name in yes) for name, _ in YES_NO_QUESTIONS},
        "has_company_number": yes_no_initial(bool(number)),
    }


# The yes/no questions as check your answers names them, in the form's order.
YES_NO_QUESTIONS = (
    ("exporter", "Exports or could export"),
    ("scale_up_potential", "Potential to scale up"),
    ("senior_decision_maker", "Senior decision maker"),
    ("aspiration_to_improve", "Wants to improve the business"),
    ("previous_year_participant", "Took part last year"),
)


# --- the registrations list ------------------------------------------------------------


class RegistrationStatus:
    """The list's statuses: the eligibility decision, then what happened next."""

    PENDING = EligibilityStatus.PENDING.value
    ELIGIBLE = EligibilityStatus.ELIGIBLE.value
    INELIGIBLE = EligibilityStatus.INELIGIBLE.value
    ALLOCATED = "allocated"
    DROPPED_OUT = "dropped-out"

    choices = [
        (PENDING, "Not yet decided"),
        (ELIGIBLE, "Eligible"),
        (INELIGIBLE, "Ineligible"),
        (ALLOCATED, "In a cohort"),
        (DROPPED_OUT, "Dropped out"),
    ]


class RegistrationFilterForm(ListFilterForm):
    """The list's filter: fixed sets of statuses and eligibility decisions, the hub's
    cohorts (`cohorts`, as (code, name)), the return's at-risk figures (`risks`) and a
    plain search text (docs/security.md §18)."""

    status = choice_filter(
        "Status",
        "Select a status from the list",
        [("", "All statuses"), *RegistrationStatus.choices],
    )
    q = search_field("Name, business, email or postcode")
    eligibility = choice_filter(
        "Eligibility decision",
        "Select an eligibility decision from the list",
        [("", "Any decision"), *EligibilityStatus.choices],
    )
    cohort = choice_filter("Cohort", "Select a cohort from the list")
    risk = choice_filter("At risk", "Select a risk from the list")

    field_order = ("q", "status", "eligibility", "cohort", "risk")

    def __init__(
        self,
        *args: Any,
        cohorts: list[tuple[str, str]],
        risks: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offer("cohort", [("", "All cohorts"), *cohorts])
        self.offer("risk", [("", "At risk or not"), *risks])


# --- eligibility ------------------------------------------------------------------------


class DecisionForm(_GovForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            ("", "Select a decision"),
            (EligibilityStatus.ELIGIBLE.value, "Eligible"),
            (EligibilityStatus.INELIGIBLE.value, "Not eligible"),
        ],
        error_messages=choice_messages("Select whether the participant is eligible"),
    )
    notes = forms.CharField(
        label="Reasons and notes",
        help_text="Required when the participant is not eligible",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Reasons must be 5000 characters or fewer"},
    )

    layout = (Field.select("decision"), Field.textarea("notes"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("decision") == EligibilityStatus.INELIGIBLE
            and not (cleaned.get("notes") or "").strip()
        ):
            self.add_error("notes", "Enter the reasons the participant is not eligible")
        return cleaned

    @property
    def eligible(self) -> bool:
        return self.cleaned_data["decision"] == EligibilityStatus.ELIGIBLE


def registration_initial(participant: Any) -> dict[str, Any]:
    """A registration as the registration form shows it, to correct it (issue 15)."""
    business = participant.business
    areas = participant.hub.local_authorities
    elsewhere = business.local_authority not in areas
    return {
        "business_name": business.name,
        "has_company_number": yes_no_initial(bool(business.company_number)),
        "company_number": business.company_number,
        "postcode": business.postcode,
        "local_authority": ELSEWHERE if elsewhere else business.local_authority,
        "other_local_authority": business.local_authority if elsewhere else "",
        "sector": business.sector,
        "trading_since": business.trading_since,
        "employees": "" if business.employees is None else str(business.employees),
        "turnover": "" if business.turnover is None else f"{business.turnover:.0f}",
        "balance_sheet_total": (
            "" if business.balance_sheet_total is None else f"{business.balance_sheet_total:.0f}"
        ),
        # None (not known) shows neither answer chosen, and stays not known unless answered.
        "exporter": yes_no_initial(business.exporter),
        "scale_up_potential": yes_no_initial(business.scale_up_potential),
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "email": participant.email,
        "phone": participant.phone,
        "job_title": participant.job_title,
        "senior_decision_maker": yes_no_initial(participant.senior_decision_maker),
        "aspiration_to_improve": yes_no_initial(participant.aspiration_to_improve),
        "previous_year_participant": yes_no_initial(participant.previous_year_participant),
    }


class CorrectionForm(RegistrationForm):
    """A registration corrected by the hub: the same questions and checks, except that
    growth and export potential may stay not known (neither answer chosen)."""

    headings = ("The business", "The participant")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("exporter", "scale_up_potential"):
            self.fields[name].required = False


class StaffRegistrationForm(RegistrationForm):
    """A registration the hub takes by phone, at an event or from an email (issue 15):
    the same questions and checks as the public form, and the date the person
    acknowledged the privacy notice, which comes before anything else is captured (C2)."""

    acknowledged_on = GovDateField(
        what="the date they acknowledged the privacy notice",
        label="When did they acknowledge the privacy notice?",
        help_text="Nothing else may be captured before it (C2). For example, 27 3 2021",
    )

    headings = ("The business", "The participant")
    layout_before = (
        Fieldset(
            Field("acknowledged_on"),
            legend="The privacy notice",
            legend_size=Size.MEDIUM,
        ),
    )


class E6ExceptionForm(_GovForm):
    """E6: an out-of-area registration needs the formal agreement of both LEPs."""

    home_lep = text_field(
        "Who agreed for this hub's LEP",
        "name",
        ask="who agreed for this hub's LEP",
        max_length=90,
    )
    other_lep = text_field(
        "Who agreed for the LEP of the trading address, and which LEP",
        "name",
        ask="who agreed for the other LEP, and which LEP",
        max_length=90,
    )
    agreed_on = GovDateField(what="the date both LEPs agreed", label="When did both LEPs agree?")
    details = forms.CharField(
        label="Details (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Details must be 5000 characters or fewer"},
    )

    layout = (
        Field.text("home_lep"),
        Field.text("other_lep"),
        Field("agreed_on"),
        Field.textarea("details"),
    )

    def agreed_by(self, hub: Hub) -> str:
        data = self.cleaned_data
        return f"{data['home_lep'].strip()} ({hub.lep}) and {data['other_lep'].strip()}"


class _AdmittedLocallyForm(_GovForm):
    """An exception agreed locally (E3, E4, E8): who agreed to admit them, and when."""

    agreed_by = text_field(
        "Who agreed to admit them", "name", ask="who agreed to admit the participant"
    )
    agreed_on = GovDateField(what="the date it was agreed", label="When was it agreed?")


class FlexibilityForm(_AdmittedLocallyForm):
    """E3, E4: the Playbook's two eligibility flexibilities, recorded with who agreed,
    when and why (the evidence)."""

    flexibility = forms.ChoiceField(
        label="Which flexibility",
        choices=Flexibility.choices,
        widget=forms.RadioSelect,
        error_messages=choice_messages("Choose the flexibility that applies"),
    )
    details = forms.CharField(
        label="Why it applies",
        help_text=(
            "Covid-19: the employees or turnover in the 12 months before March 2020, and why "
            "the business is viable. Creative industries: the SIC code, and the associates "
            "or freelancers counted."
        ),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why the flexibility applies",
            "max_length": "Details must be 5000 characters or fewer",
        },
    )

    layout = (
        Field.radios("flexibility", legend_size=Size.SMALL),
        Field.text("agreed_by"),
        Field("agreed_on"),
        Field.textarea("details"),
    )


class E4FlexibilityForm(FlexibilityForm):
    """E4: the Covid-19 flexibility only (creative industries relax E3 alone)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["flexibility"].choices = [(Flexibility.COVID.value, Flexibility.COVID.label)]


class MatchForm(_GovForm):
    """E9: a possible match (same normalised name and postcode) is, or is not, the same
    business. The buttons on the eligibility page post it; the match must be one of this
    participant's (the view checks)."""

    match = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(
        choices=[("same", "The same business"), ("different", "Not the same business")],
        error_messages={"required": "Say whether it is the same business"},
    )


class E8ExceptionForm(_AdmittedLocallyForm):
    """E8: a previous-year drop-out for reasons outside their control, at local discretion."""

    details = forms.CharField(
        label="Why they dropped out last year, and why it was outside their control",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why the participant dropped out last year",
            "max_length": "Details must be 5000 characters or fewer",
        },
    )

    layout = (Field.text("agreed_by"), Field("agreed_on"), Field.textarea("details"))
