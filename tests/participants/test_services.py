"""The eligibility decision, recorded exceptions and the charter (participants.services).

Sentences are worked out by hand from the checks' wording and the 2021/22 numbers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from participants.models import (
    EligibilityException,
    EligibilityOutcome,
    EligibilityStatus,
    Participant,
)
from participants.services import (
    participant_decide_eligibility,
    participant_record_exception,
    participant_sign_charter,
)
from peernet.models import Role, RuleWarning
from rules import Outcome, RuleBroken
from tests.factories import (
    local,
    make_business,
    make_hub,
    make_participant,
    make_programme,
    make_user,
)

AS_OF = local("2021-07-01T12:00")
DECIDED_ON = dt.date(2021, 6, 1)
ELIGIBILITY_RULES = ["C2", "E1", "E10", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9"]


@pytest.fixture
def hub(db):
    # E6: Manchester and Salford make up the GM LEP area.
    return make_hub("gm", name="Greater Manchester Growth Hub", lep="GM LEP")


@pytest.fixture
def admin(hub):
    return make_user(Role.HUB_ADMIN, hub=hub, name="Hana Admin")


def applicant(hub, programme, business=None, **values):
    """Alex Smith of Acme Tools Ltd: meets every rule, and E10's desirables."""
    values.setdefault("first_name", "Alex")
    values.setdefault("last_name", "Smith")
    if business is None:
        business = make_business(name="Acme Tools Ltd", exporter=True, scale_up_potential=True)
    return make_participant(hub, programme, business, **values)


def decide(participant, admin, eligible=True, **values):
    values.setdefault("decided_on", DECIDED_ON)
    values.setdefault("as_of", AS_OF)
    return participant_decide_eligibility(
        participant=participant, eligible=eligible, by=admin, **values
    )


def nothing_written(participant):
    participant.refresh_from_db()
    assert participant.eligibility_status == EligibilityStatus.PENDING
    assert participant.eligibility_decided is None
    assert participant.eligibility_decided_by is None
    assert EligibilityOutcome.objects.count() == 0
    assert RuleWarning.objects.count() == 0


# --- deciding eligible ------------------------------------------------------------------


def test_eligible_decision_stores_every_outcome(hub, programme, admin):
    participant = applicant(hub, programme)
    decision = decide(participant, admin, notes="Met at the launch event.")

    participant.refresh_from_db()
    assert participant.eligibility_status == EligibilityStatus.ELIGIBLE
    assert participant.eligibility_decided == DECIDED_ON
    assert participant.eligibility_decided_by == admin
    assert participant.eligibility_notes == "Met at the launch event."
    stored = {o.rule: (o.outcome, o.sentence) for o in participant.eligibility_outcomes.all()}
    assert sorted(stored) == ELIGIBILITY_RULES
    assert {outcome for outcome, _ in stored.values()} == {"pass"}
    assert stored["E4"] == (
        "pass",
        "Acme Tools Ltd has a turnover of £1,500,000; at least £100,000 is needed.",
    )
    assert [r.rule for r in decision.results] == [
        "E1",
        "E2",
        "E3",
        "E4",
        "E5",
        "E6",
        "E7",
        "E8",
        "E9",
        "E10",
        "C2",
    ]
    assert decision.warnings == []
    assert RuleWarning.objects.count() == 0


def test_e10_warning_is_recorded_and_does_not_block(hub, programme, admin):
    participant = applicant(hub, programme, make_business(name="Quiet Ltd"))
    decision = decide(participant, admin)

    participant.refresh_from_db()
    assert participant.eligibility_status == EligibilityStatus.ELIGIBLE
    sentence = (
        "Quiet Ltd is not recorded as having potential to scale up or as exporting; both are "
        "desirable, not required."
    )
    warning = RuleWarning.objects.get()
    assert (
        warning.rule,
        warning.sentence,
        warning.subject_kind,
        warning.subject_id,
        warning.hub,
        warning.action,
        warning.recorded_by,
    ) == (
        "E10",
        sentence,
        "participant",
        participant.pk,
        hub,
        "participant_decide_eligibility",
        admin,
    )
    assert decision.warnings == [warning]
    assert participant.eligibility_outcomes.get(rule="E10").outcome == "warn"


# Each blocking rule, broken on its own: (what to change, rule, sentence).
FAILURES = [
    (
        {
            "business": {
                "employees": 251,
                "turnover": Decimal(40000000),
                "balance_sheet_total": Decimal(20000000),
            }
        },
        "E1",
        "Acme Tools Ltd meets 0 of the 3 SME size tests, and 2 are needed: employees 251 (over "
        "250), turnover £40,000,000 (over £36,000,000), balance sheet total £20,000,000 (over "
        "£18,000,000).",
    ),
    (
        # 364 days of trading on 1 July 2021: 12 months only on 2 July.
        {"business": {"trading_since": dt.date(2020, 7, 2)}},
        "E2",
        "Acme Tools Ltd has been trading since 2 July 2020, less than 12 months; it reaches 12 "
        "months on 2 July 2021.",
    ),
    (
        {"business": {"employees": 4}},
        "E3",
        "Acme Tools Ltd has 4 employees on PAYE; at least 5 are needed.",
    ),
    (
        {"business": {"turnover": Decimal(99999)}},
        "E4",
        "Acme Tools Ltd has a turnover of £99,999; at least £100,000 is needed.",
    ),
    (
        {"participant": {"aspiration_to_improve": False}},
        "E5",
        "Alex Smith has not declared an aspiration to improve the business.",
    ),
    (
        {"business": {"local_authority": "Leeds"}},
        "E6",
        "Leeds is outside the GM LEP area; an exception needs the formal agreement of both "
        "LEPs, recorded with who agreed and when.",
    ),
    (
        {"participant": {"senior_decision_maker": False}},
        "E7",
        "Alex Smith is not a senior decision maker in Acme Tools Ltd; attendance cannot be "
        "delegated.",
    ),
    (
        {"participant": {"previous_year_participant": True}},
        "E8",
        "Alex Smith took part in the previous programme year; only a drop-out for reasons "
        "outside their control may be admitted, at local discretion, recorded.",
    ),
]


@pytest.mark.parametrize(("change", "rule", "sentence"), FAILURES, ids=[f[1] for f in FAILURES])
def test_a_failing_rule_refuses_eligible_with_its_sentence(
    hub, programme, admin, change, rule, sentence
):
    business_values = {
        "name": "Acme Tools Ltd",
        "exporter": True,
        "scale_up_potential": True,
        **change.get("business", {}),
    }
    participant = applicant(
        hub, programme, make_business(**business_values), **change.get("participant", {})
    )

    with pytest.raises(RuleBroken) as refused:
        decide(participant, admin)

    assert [(r.rule, r.outcome, r.sentence) for r in refused.value.results] == [
        (rule, Outcome.FAIL, sentence)
    ]
    assert str(refused.value) == sentence
    nothing_written(participant)


def test_several_failures_are_all_given(hub, programme, admin):
    participant = applicant(
        hub, programme, aspiration_to_improve=False, senior_decision_maker=False
    )
    with pytest.raises(RuleBroken) as refused:
        decide(participant, admin)
    assert [r.rule for r in refused.value.results] == ["E5", "E7"]
    assert str(refused.value) == (
        "Alex Smith has not declared an aspiration to improve the business. Alex Smith is not a "
        "senior decision maker in Acme Tools Ltd; attendance cannot be delegated."
    )
    nothing_written(participant)


def test_ineligible_is_always_allowed_and_outcomes_are_stored(hub, programme, admin):
    participant = applicant(hub, programme, aspiration_to_improve=False)
    decide(participant, admin, eligible=False, notes="No aspiration to improve.")

    participant.refresh_from_db()
    assert participant.eligibility_status == EligibilityStatus.INELIGIBLE
    assert participant.eligibility_decided == DECIDED_ON
    assert participant.eligibility_outcomes.count() == 11
    assert participant.eligibility_outcomes.get(rule="E5").outcome == "fail"


def test_a_new_decision_replaces_the_outcomes(hub, programme, admin):
    participant = applicant(hub, programme, aspiration_to_improve=False)
    decide(participant, admin, eligible=False)
    Participant.objects.filter(pk=participant.pk).update(aspiration_to_improve=True)

    decide(participant, admin, decided_on=dt.date(2021, 6, 8))

    participant.refresh_from_db()
    assert participant.eligibility_status == EligibilityStatus.ELIGIBLE
    assert participant.eligibility_decided == dt.date(2021, 6, 8)
    assert participant.eligibility_outcomes.count() == 11
    assert participant.eligibility_outcomes.get(rule="E5").outcome == "pass"


def test_the_applicant_is_told_the_outcome_by_email_once(hub, programme, admin, mailoutbox):
    participant = applicant(hub, programme, aspiration_to_improve=False)
    decide(participant, admin, eligible=False)
    (refusal,) = mailoutbox
    assert refusal.to == [participant.email]
    assert refusal.subject == (
        "Your Peer Networks registration: the decision – Greater Manchester Growth Hub"
    )
    assert "cannot take part in the programme" in refusal.body
    # Why, in the failed check's own sentence.
    assert "- Alex Smith has not declared an aspiration to improve the business." in (refusal.body)
    assert "reply to this email" in refusal.body
    # The same decision again tells nobody again.
    decide(participant, admin, eligible=False, decided_on=dt.date(2021, 6, 2))
    assert len(mailoutbox) == 1

    Participant.objects.filter(pk=participant.pk).update(aspiration_to_improve=True)
    decide(participant, admin, decided_on=dt.date(2021, 6, 8))
    welcome = mailoutbox[1]
    assert welcome.subject == "You can take part in Peer Networks – Greater Manchester Growth Hub"
    assert "can take part in Peer Networks" in welcome.body
    assert "Participant Charter" in welcome.body and "Why:" not in welcome.body


def test_a_refused_decision_tells_nobody(hub, programme, admin, mailoutbox):
    participant = applicant(hub, programme, aspiration_to_improve=False)
    with pytest.raises(RuleBroken):
        decide(participant, admin)
    assert mailoutbox == []


def test_a_refused_decision_keeps_the_earlier_outcomes(hub, programme, admin):
    participant = applicant(hub, programme, aspiration_to_improve=False)
    decide(participant, admin, eligible=False)
    with pytest.raises(RuleBroken):
        decide(participant, admin, decided_on=dt.date(2021, 6, 8))
    participant.refresh_from_db()
    assert participant.eligibility_status == EligibilityStatus.INELIGIBLE
    assert participant.eligibility_decided == DECIDED_ON
    assert participant.eligibility_outcomes.count() == 11


def test_decision_before_registration_is_refused(hub, programme, admin):
    participant = applicant(hub, programme)  # registered on 3 May 2021
    with pytest.raises(ValidationError) as refused:
        decide(participant, admin, decided_on=dt.date(2021, 5, 2))
    assert refused.value.messages == [
        "The decision date, 2 May 2021, is before Alex Smith registered on 3 May 2021."
    ]
    nothing_written(participant)


# --- E6 and E8: refused, then allowed once the exception is recorded ----------------------


def test_e6_out_of_area_allowed_after_the_exception_is_recorded(hub, programme, admin):
    business = make_business(name="Leeds Looms Ltd", local_authority="Leeds", exporter=True)
    participant = applicant(hub, programme, business)
    with pytest.raises(RuleBroken) as refused:
        decide(participant, admin)
    assert [r.rule for r in refused.value.results] == ["E6"]
    nothing_written(participant)

    exception = participant_record_exception(
        participant=participant,
        rule="E6",
        agreed_by="GM LEP and Leeds City Region LEP",
        agreed_on=dt.date(2021, 5, 20),
        details="Letters on file.",
        by=admin,
    )
    decide(participant, admin)

    participant.refresh_from_db()
    assert participant.eligibility_status == EligibilityStatus.ELIGIBLE
    assert exception.recorded_by == admin
    outcome = participant.eligibility_outcomes.get(rule="E6")
    assert (outcome.outcome, outcome.sentence) == (
        "pass",
        "Leeds is outside the GM LEP area, and the exception is recorded: GM LEP and Leeds City "
        "Region LEP agreed on 20 May 2021.",
    )


def test_e8_previous_year_drop_out_allowed_at_local_discretion(hub, programme, admin):
    participant = applicant(hub, programme, previous_year_participant=True)
    with pytest.raises(RuleBroken) as refused:
        decide(participant, admin)
    assert [r.rule for r in refused.value.results] == ["E8"]
    nothing_written(participant)

    participant_record_exception(
        participant=participant,
        rule="E8",
        agreed_by="Hana Admin",
        agreed_on=dt.date(2021, 5, 25),
        details="Left in 2020/21 for a family illness.",
        by=admin,
    )
    decide(participant, admin)

    participant.refresh_from_db()
    assert participant.eligibility_status == EligibilityStatus.ELIGIBLE
    assert participant.eligibility_outcomes.get(rule="E8").sentence == (
        "Alex Smith took part in the previous programme year and is admitted at local "
        "discretion: Hana Admin agreed on 25 May 2021."
    )


def test_an_e6_exception_does_not_excuse_e8(hub, programme, admin):
    participant = applicant(hub, programme, previous_year_participant=True)
    participant_record_exception(
        participant=participant,
        rule="E6",
        agreed_by="Both LEPs",
        agreed_on=dt.date(2021, 5, 20),
        by=admin,
    )
    with pytest.raises(RuleBroken) as refused:
        decide(participant, admin)
    assert [r.rule for r in refused.value.results] == ["E8"]


# --- E9: one person from a business --------------------------------------------------------


def test_e9_a_second_person_from_the_business_is_refused_with_a_sentence(hub, programme, admin):
    business = make_business(name="Acme Tools Ltd", exporter=True)
    first = applicant(hub, programme, business, first_name="Priya", last_name="Shah")
    second = applicant(hub, programme, business)

    # While Priya is pending, deciding Alex is allowed with E9's warning recorded.
    decide(second, admin)
    warning = RuleWarning.objects.get(subject_id=second.pk)
    assert (warning.rule, warning.sentence) == (
        "E9",
        "Another registration from Acme Tools Ltd is pending; only one person from a business "
        "takes part in a programme year.",
    )

    with pytest.raises(RuleBroken) as refused:
        decide(first, admin)
    assert str(refused.value) == (
        "Alex Smith from Acme Tools Ltd already takes part this programme year; only one person "
        "from a business takes part."
    )
    first.refresh_from_db()
    assert first.eligibility_status == EligibilityStatus.PENDING
    assert not first.eligibility_outcomes.exists()

    # Deciding Priya ineligible is allowed, with E9's failure stored.
    decide(first, admin, eligible=False)
    assert first.eligibility_outcomes.get(rule="E9").outcome == "fail"


def test_e9_the_same_business_in_another_programme_year_is_allowed(hub, programme, admin):
    business = make_business(name="Acme Tools Ltd", exporter=True)
    last_year = make_programme(
        name="Peer Networks 2020/21",
        delivery_start=dt.date(2020, 4, 1),
        delivery_end=dt.date(2021, 3, 31),
    )
    decide(applicant(hub, last_year, business, first_name="Priya"), admin)
    decide(applicant(hub, programme, business), admin)
    assert Participant.objects.filter(eligibility_status="eligible").count() == 2


# --- exceptions and the charter ---------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "agreed_by", "message"),
    [
        pytest.param(
            "E7",
            "Hana Admin",
            "Only E3, E4, E6 and E8 allow a recorded exception, not E7.",
            id="only-e3-e4-e6-and-e8-take-an-exception",
        ),
        pytest.param(
            "E6", "  ", "Say who agreed the E6 exception.", id="an-exception-names-who-agreed"
        ),
    ],
)
def test_an_exception_is_refused(hub, programme, admin, rule, agreed_by, message):
    participant = applicant(hub, programme)
    with pytest.raises(ValidationError) as refused:
        participant_record_exception(
            participant=participant,
            rule=rule,
            agreed_by=agreed_by,
            agreed_on=dt.date(2021, 5, 20),
            by=admin,
        )
    assert refused.value.messages == [message]
    assert not EligibilityException.objects.exists()


def test_recording_an_exception_again_corrects_it(hub, programme, admin):
    participant = applicant(hub, programme)
    for agreed_on in (dt.date(2021, 5, 20), dt.date(2021, 5, 21)):
        participant_record_exception(
            participant=participant,
            rule="E6",
            agreed_by="Both LEPs",
            agreed_on=agreed_on,
            by=admin,
        )
    exception = EligibilityException.objects.get()
    assert exception.agreed_on == dt.date(2021, 5, 21)


def test_sign_charter(hub, programme):
    participant = applicant(hub, programme)
    participant_sign_charter(
        participant=participant, version="2021.1", signed_at=local("2021-05-10T10:00")
    )
    participant.refresh_from_db()
    assert participant.charter_signed_at == local("2021-05-10T10:00")
    assert participant.charter_version == "2021.1"


def test_sign_charter_needs_a_version(hub, programme):
    participant = applicant(hub, programme)
    with pytest.raises(ValidationError) as refused:
        participant_sign_charter(
            participant=participant, version=" ", signed_at=local("2021-05-10T10:00")
        )
    assert refused.value.messages == ["Say which version of the Participant Charter was signed."]
    participant.refresh_from_db()
    assert participant.charter_signed_at is None
