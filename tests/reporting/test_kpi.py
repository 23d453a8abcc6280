"""docs/returns.md figures, hand-worked (tests/reporting/test_kpi_scenario.py) and built through the
scenario importer: every figure id at hub, cluster and national level for October 2021,
the edges included, and a month with nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from peernet.models import Cluster, Hub
from reporting import kpi
from reporting.scenario import import_document
from tests.reporting.test_kpi_scenario import (
    HA_OCTOBER,
    HB_OCTOBER,
    HC_OCTOBER,
    NATIONAL_OCTOBER,
    NORTH_OCTOBER,
    OCTOBER,
    document,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hubs() -> dict[str, Hub]:
    import_document(document())
    return {hub.key: hub for hub in Hub.objects.select_related("cluster")}


def _figures(result: dict) -> dict:
    return kpi.figures_json(result["figures"])


def test_the_ids_are_kpi_md_s_in_its_order():
    assert kpi.FIGURE_IDS[:4] == [
        "registrations_month",
        "registrations_cumulative",
        "eligible_month",
        "eligible_cumulative",
    ]
    assert kpi.FIGURE_IDS[-5:] == [
        "sessions_missing_attendance",
        "cohorts_at_risk",
        "participants_at_risk_one_to_one",
        "target",
        "started_vs_target_pct",
    ]
    assert "one_to_one_participants_cumulative" in kpi.FIGURE_IDS
    assert "one_to_one_participants_month" not in kpi.FIGURE_IDS  # C only
    assert "late_joining_instructions_month" in kpi.FIGURE_IDS
    assert "late_joining_instructions_cumulative" not in kpi.FIGURE_IDS  # M only
    assert len(kpi.FIGURE_IDS) == len(set(kpi.FIGURE_IDS)) == 59
    assert set(kpi.DEFINITIONS) == set(kpi.FIGURE_IDS)
    assert all(kpi.DEFINITIONS.values())
    assert list(HA_OCTOBER) == kpi.FIGURE_IDS  # the hand-worked tables cover every id


@pytest.mark.parametrize(
    ("key", "expected"), [("ha", HA_OCTOBER), ("hb", HB_OCTOBER), ("hc", HC_OCTOBER)]
)
def test_every_figure_of_each_hub(hubs, key, expected):
    assert _figures(kpi.compute_hub(hubs[key], OCTOBER)) == expected


def test_many_hubs_at_once_in_a_fixed_number_of_queries(hubs, django_assert_num_queries):
    # 1 programme, 9 sources (participants, cohorts, memberships, sessions, attendance,
    # one-to-ones, surveys, observations, complaints), topics (2), breakdowns (1), the
    # eligibility exceptions (the return's notes, 1).
    with django_assert_num_queries(14):
        results = kpi.compute_hubs(list(hubs.values()), dt.date(2021, 10, 1))
    assert {key: _figures(results[hub.pk]) for key, hub in hubs.items()} == {
        "ha": HA_OCTOBER,
        "hb": HB_OCTOBER,
        "hc": HC_OCTOBER,
    }


def test_cluster_and_national_are_sums_with_rates_from_summed_parts(hubs):
    results = kpi.compute_hubs(list(hubs.values()), OCTOBER)
    north = kpi.combine([results[hubs["ha"].pk], results[hubs["hb"].pk]])
    assert _figures(north) == NORTH_OCTOBER
    assert _figures(kpi.combine(list(results.values()))) == NATIONAL_OCTOBER
    assert north["_parts"]["attendance_rate_month"] == {"numerator": 7, "denominator": 9}


def test_combining_stored_results_gives_the_same(hubs):
    """A frozen version (Decimals as strings, parts under "parts") combines the same way."""
    results = kpi.compute_hubs(list(hubs.values()), OCTOBER)
    stored = []
    for result in results.values():
        figures, breakdowns, parts = kpi.stored(result)
        stored.append({"figures": figures, "breakdowns": breakdowns, "parts": parts})
    assert _figures(kpi.combine(stored)) == NATIONAL_OCTOBER
    restored = [kpi.from_stored(s["figures"], s["breakdowns"], s["parts"]) for s in stored]
    assert restored == list(results.values())


def test_without_parts_a_rate_is_left_empty_not_averaged(hubs):
    results = kpi.compute_hubs([hubs["ha"], hubs["hb"]], OCTOBER)
    bare = [{"figures": r["figures"], "breakdowns": r["breakdowns"]} for r in results.values()]
    combined = kpi.combine(bare)
    assert combined["figures"]["attendance_rate_month"] is None
    assert combined["figures"]["started_cumulative"] == 7


def test_the_breakdowns_of_started_participants(hubs):
    breakdowns = kpi.compute_hub(hubs["ha"], OCTOBER)["breakdowns"]
    assert list(breakdowns) == kpi.BREAKDOWN_IDS
    # Started: p1, p2, p3, p5, p7 (not p4, p6).
    sector = {k: v for k, v in breakdowns["sector"].items() if v}
    assert sector == {"C": 2, "I": 1, "F": 1, "not known": 1}
    assert list(breakdowns["sector"])[0] == "A" and list(breakdowns["sector"])[-1] == "not known"
    # 5 and 9 are 5-9; 250 is 250+; none recorded is not known.
    assert breakdowns["employees_band"] == {
        "5-9": 2,
        "10-49": 1,
        "50-249": 0,
        "250+": 1,
        "not known": 1,
    }
    # £100,000 and £499,999.99 are the first band; £36m is £5m-£36m; a penny more is over.
    assert breakdowns["turnover_band"] == {
        "£100k-£499k": 2,
        "£500k-£999k": 0,
        "£1m-£4.9m": 0,
        "£5m-£36m": 1,
        "over £36m": 1,
        "not known": 1,
    }
    assert breakdowns["gender"] == {
        "female": 2,
        "male": 1,
        "non-binary": 0,
        "other": 0,
        "prefer-not-to-say": 1,
        "not known": 1,  # p5 has no equality data
    }
    assert breakdowns["ethnic_group"]["white"] == 2
    assert breakdowns["ethnic_group"]["not known"] == 2
    assert breakdowns["disability"] == {"yes": 0, "no": 1, "prefer-not-to-say": 0, "not known": 4}
    assert breakdowns["exporter"] == {"yes": 1, "no": 1, "not known": 3}
    assert breakdowns["scale_up_potential"] == {"yes": 0, "no": 0, "not known": 5}
    for name in kpi.STARTED_BREAKDOWN_IDS:
        assert sum(breakdowns[name].values()) == 5, name
    # Topics: c1-s6 finance and digital; c1-s7 digital and its finer topic (once);
    # c2-s1 none.
    topics = {k: v for k, v in breakdowns["topics_month"].items() if v}
    assert topics == {"finance": 1, "digital": 2, "not known": 1}
    assert list(breakdowns["topics_month"])[-1] == "not known"


def test_breakdowns_sum_across_hubs(hubs):
    results = kpi.compute_hubs(list(hubs.values()), OCTOBER)
    national = kpi.combine(list(results.values()))["breakdowns"]
    assert national["sector"]["J"] == 2  # q1, q2
    assert sum(national["gender"].values()) == 7
    assert national["topics_month"]["not known"] == 3  # c2-s1 and hb's two sessions


def test_a_month_with_nothing(hubs):
    """December 2021: nothing is dated in it; cumulative and month-end figures remain."""
    figures = _figures(kpi.compute_hub(hubs["ha"], "2021-12"))
    for figure in kpi.FIGURE_IDS:
        if figure.endswith("_month"):
            assert figures[figure] in (0, "0.00", None), figure
    assert figures["attendance_rate_month"] is None
    assert figures["session_satisfaction_mean_month"] is None
    # November brought c2-s2 (00:00 on 1 November), p6's registration, k3, p7's baseline.
    assert figures["sessions_delivered_cumulative"] == 9
    assert figures["registrations_cumulative"] == 7
    assert figures["complaints_cumulative"] == 3
    assert figures["baseline_surveys_cumulative"] == 3


def test_november_takes_what_starts_at_midnight_on_the_first(hubs):
    figures = _figures(kpi.compute_hub(hubs["ha"], "2021-11"))
    assert figures["sessions_delivered_month"] == 1  # c2-s2 at 00:00:00 on 1 November
    assert figures["registrations_month"] == 1  # p6
    assert figures["complaints_month"] == 1  # k3


def test_a_month_before_delivery_start_is_empty(hubs):
    figures = _figures(kpi.compute_hub(hubs["ha"], "2021-03"))
    assert figures["registrations_cumulative"] == 0
    assert figures["target"] == 40
    assert figures["started_vs_target_pct"] == "0.0"


def test_month_start():
    assert kpi.month_start("2021-10") == dt.date(2021, 10, 1)
    assert kpi.month_start(dt.date(2021, 10, 17)) == dt.date(2021, 10, 1)
    for bad in ("2021-13", "2021-1", "21-10", "October", "2021-10-01", ""):
        with pytest.raises(ValueError, match="YYYY-MM"):
            kpi.month_start(bad)


def test_json_shape(hubs):
    result = kpi.compute_hub(hubs["ha"], OCTOBER)
    document = kpi.return_json(kpi.hub_scope(hubs["ha"]), dt.date(2021, 10, 1), result)
    assert list(document) == ["scope", "month", "figures", "breakdowns"]
    assert document["month"] == "2021-10"
    assert document["scope"] == {"level": "hub", "key": "ha", "name": "Hub A", "cluster": "north"}
    assert list(document["figures"]) == kpi.FIGURE_IDS
    assert document["figures"]["group_hours_delivered_month"] == "8.50"
    assert result["figures"]["group_hours_delivered_month"] == Decimal("8.50")
    north = Cluster.objects.get(key="north")
    scope = kpi.cluster_scope(north, [hubs["ha"], hubs["hb"]])
    assert scope == {"level": "cluster", "key": "north", "name": "North", "hubs": ["ha", "hb"]}


def test_every_figure_has_a_human_label_beside_its_id():
    assert set(kpi.LABELS) == set(kpi.FIGURE_IDS)
    assert kpi.LABELS["registrations_cumulative"] == "Registrations, cumulative"
    assert kpi.LABELS["cohorts_at_risk"] == "Cohorts at risk of missing 18 hours"
    assert len(set(kpi.LABELS.values())) == len(kpi.LABELS)  # no two figures read alike
