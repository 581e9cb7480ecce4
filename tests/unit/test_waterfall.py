"""Waterfall worked examples (domain rules §5.5), a 让利 example (§3.4) and bad terms."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from fundops.calc.clawback import Deal, clawback, deal_runs
from fundops.calc.waterfall import Tier, amount_of, as_if_liquidated, replay, run_distribution
from fundops.calc.waterfall_terms import (
    CapitalBasis,
    ConcessionPlacement,
    ConcessionTier,
    Contribution,
    Hurdle,
    PartyHistory,
    Structure,
    WaterfallTerms,
    conventions,
)
from fundops.errors import ValidationError
from fundops.messages import MESSAGES

T0 = date(2021, 1, 1)
T2 = T0 + timedelta(days=730)  # 2.0 years on Actual/365
T5 = T0 + timedelta(days=1825)  # 5.0 years
D = Decimal


def q4(value: Decimal) -> Decimal:
    return value.quantize(D("0.0001"))


def one_lp(amount: str = "100") -> dict[str, PartyHistory]:
    return {"lp": PartyHistory((Contribution(T0, D(amount)),))}


def test_compound_100_catch_up() -> None:
    run = run_distribution(WaterfallTerms(), one_lp(), "gp", D(180), T5)
    assert q4(run.tier_sizes.pref) == D("46.9328")
    assert q4(run.tier_sizes.catch_up) == D("11.7332")
    assert q4(run.tier_sizes.remainder) == D("21.3340")
    assert run.carry == D("16.00") and run.payments == {"lp": D("164.00"), "gp": D("16.00")}
    lp = run.slices["lp"]
    assert (lp.capital, lp.pref, lp.catch_up) == (D("100.00"), D("46.93"), D("0.00"))
    assert lp.carry_catch_up + lp.carry_split == D("16.00")


def test_simple_8_percent() -> None:
    run = run_distribution(WaterfallTerms(hurdle=Hurdle.SIMPLE), one_lp(), "gp", D(180), T5)
    sizes = run.tier_sizes
    assert (sizes.pref, sizes.catch_up, sizes.remainder) == (D(40), D(10), D(30))
    assert run.payments == {"lp": D("164.00"), "gp": D("16.00")}


def test_80_20_catch_up_tier() -> None:
    run = run_distribution(WaterfallTerms(catch_up=D("0.8")), one_lp(), "gp", D(180), T5)
    assert q4(run.tier_sizes.catch_up) == D("15.6443")
    assert run.carry == D("16.00") and run.payments["lp"] == D("164.00")


def deals() -> list[Deal]:
    return [Deal("A", {"lp": (Contribution(T0, D(50)),)}, ((T2, D(100)),)),
            Deal("B", {"lp": (Contribution(T0, D(50)),)}, ((T5, D(20)),))]


def test_deal_by_deal_and_clawback() -> None:
    terms = WaterfallTerms(structure=Structure.DEAL_BY_DEAL)
    (run_a,) = deal_runs(terms, deals(), "gp")["A"]
    assert q4(run_a.tier_sizes.pref) == D("8.3200")
    assert q4(run_a.tier_sizes.catch_up) == D("2.0800")
    assert run_a.slices["lp"].carry_split == D("7.92") and run_a.carry == D("10.00")
    result = clawback(terms, deals(), "gp")
    assert result.lp_irr is not None and round(result.lp_irr, 4) == 0.0771
    assert result.deal_carry == {"A": D("10.00"), "B": D("0.00")}
    assert result.whole_fund_carry == D("0.00")
    assert result.amount == D("10.00") and result.from_gp == D("10.00")
    assert result.to_lps == {"lp": D("10.00")}


def test_clawback_is_paid_first_from_the_escrow() -> None:
    terms = WaterfallTerms(structure=Structure.DEAL_BY_DEAL, holdback=D("0.3"))
    result = clawback(terms, deals(), "gp")
    assert (result.from_escrow, result.from_gp, result.escrow_released) == (
        D("3.00"), D("7.00"), D("0.00"))
    assert clawback(terms, deals(), "gp", escrow_held=D("12.00")).escrow_released == D("2.00")


def concession_case(**changes: object) -> tuple[WaterfallTerms, dict[str, PartyHistory]]:
    """Government ``gov`` and social LP ``soc`` each pay 100 on T0; 8 % simple pref, 100 %
    catch-up, 20 % carry; 让利: above 6 % simple the government cedes 50 % of its excess to
    ``soc``.

    D = 400 on T5 (5.0 years): each pool 200 = capital 100 + pref 40 + catch-up 10 (GP) +
    remainder 50 (GP 10, LP 40); the government receives 180, the GP 20 per pool.
    After carry: principal 100 + threshold 100 × 6 % × 5 = 30 → excess 180 − 130 = 50, ceded
    50 % = 25: government 155, social LP 180 + 25 = 205, GP 40 (sum 400).
    Before carry: excess on the gross pool 200 → 70, ceded 35 out of the pool; the rest 165
    = capital 100 + pref 40 + catch-up 10 (GP) + remainder 15 (GP 3, LP 12): government 152,
    social 180 + 35 = 215, GP 20 + 13 = 33.
    """
    tier = ConcessionTier("gov", D("0.06"), D("0.5"), (("soc", D(1)),))
    fields: dict[str, object] = {"hurdle": Hurdle.SIMPLE, "concessions": (tier,)}
    fields.update(changes)
    terms = WaterfallTerms(**fields)  # type: ignore[arg-type]
    histories = {p: PartyHistory((Contribution(T0, D(100)),)) for p in ("gov", "soc")}
    return terms, histories


def test_concession_after_carry_worked_example() -> None:
    terms, histories = concession_case()
    run = run_distribution(terms, histories, "gp", D(400), T5)
    assert run.payments == {"gov": D("155.00"), "soc": D("205.00"), "gp": D("40.00")}
    assert run.slices["gov"].concession_out == D("25.00")
    assert run.slices["soc"].concession_in == D("25.00")


def test_concession_before_carry_and_to_the_gp() -> None:
    terms, histories = concession_case(concession_placement=ConcessionPlacement.BEFORE_CARRY)
    run = run_distribution(terms, histories, "gp", D(400), T5)
    assert run.payments == {"gov": D("152.00"), "soc": D("215.00"), "gp": D("33.00")}
    assert run.slices["gov"].ceded_before_carry == D("35.00")
    assert run.slices["gov"].received == D("152.00")
    to_gp = ConcessionTier("gov", D("0.06"), D("0.5"), (("gp", D(1)),))
    terms, histories = concession_case(concessions=(to_gp,))
    run = run_distribution(terms, histories, "gp", D(400), T5)
    assert run.payments == {"gov": D("155.00"), "soc": D("180.00"), "gp": D("65.00")}
    assert run.carry == D("40.00") and run.slices["gp"].concession_in == D("25.00")


def test_conditional_concession_and_cumulative_target() -> None:
    tier = ConcessionTier("gov", D("0.06"), D("0.5"), (("soc", D(1)),), condition="返投")
    terms, histories = concession_case(concessions=(tier,))
    assert run_distribution(terms, histories, "gp", D(400), T5).payments["gov"] == D("180.00")
    met = run_distribution(terms, histories, "gp", D(400), T5, {"返投"})
    assert met.payments["gov"] == D("155.00")
    # Two runs of 200 on the same day: the first only returns capital (no excess yet).
    contributions = {p: h.contributions for p, h in histories.items()}
    first, second = replay(terms, contributions, [(T5, D(200)), (T5, D(200))], "gp", {"返投"})
    assert first.slices["gov"].concession_out == D("0.00")
    assert second.slices["gov"].concession_out == D("25.00")
    assert second.payments == {"gov": D("55.00"), "soc": D("105.00"), "gp": D("40.00")}


def test_gp_commitment_has_no_carry_on_itself() -> None:
    terms = WaterfallTerms(gp_commitment=frozenset({"gp"}))
    histories = {**one_lp("99"), "gp": PartyHistory((Contribution(T0, D(1)),))}
    run = run_distribution(terms, histories, "gp", D(180), T5)
    assert run.slices["gp"].carry == 0
    assert run.carry == D("15.84")  # 20 % of the LP's profit 178.20 − 99
    assert run.payments["gp"] == D("15.84") + D("1.80")


def test_fees_outside_tier_one() -> None:
    terms = WaterfallTerms(hurdle=Hurdle.NONE, hurdle_rate=D(0),
                           capital_basis=CapitalBasis.WITHOUT_FEES)
    histories = {"lp": PartyHistory((Contribution(T0, D(100), fees=D(10)),))}
    run = run_distribution(terms, histories, "gp", D(190), T5)
    assert run.slices["lp"].capital == D("90.00")
    assert run.carry == D("20.00")  # 20 % of 190 − 90: catch-up 0 without a pref


def test_as_if_liquidated() -> None:
    result = as_if_liquidated(WaterfallTerms(), one_lp(), "gp", D(180), T5)
    assert result.accrued_carry == D("16.00") and result.net_nav == {"lp": D("164.00")}
    assert result.conventions[-1].code == "wf_conv_as_if_liquidated"
    zero = as_if_liquidated(WaterfallTerms(), one_lp(), "gp", D(0), T5)
    assert zero.accrued_carry == 0 and zero.run is None


def test_holdback_goes_to_escrow() -> None:
    run = run_distribution(WaterfallTerms(holdback=D("0.25")), one_lp(), "gp", D(180), T5)
    assert run.escrow == D("4.00") and run.payments["gp"] == D("12.00")
    assert sum(run.payments.values()) + run.escrow == D(180)


def test_tiers_name_the_slice_fields() -> None:
    run = run_distribution(WaterfallTerms(), one_lp(), "gp", D(180), T5)
    assert amount_of(run.slices["lp"], Tier.PREF) == D("46.93")


def test_every_convention_is_a_registered_message() -> None:
    tier = ConcessionTier("gov", D("0.06"), D("0.5"), (("soc", D(1)),))
    for terms in (WaterfallTerms(), WaterfallTerms(
            structure=Structure.DEAL_BY_DEAL, catch_up=None, hurdle=Hurdle.IRR,
            capital_basis=CapitalBasis.WITHOUT_FEES, gp_commitment=frozenset({"gp"}),
            holdback=D("0.1"), concessions=(tier,))):
        for convention in conventions(terms):
            assert convention.code in MESSAGES
            assert "%(" not in MESSAGES[convention.code] % convention.values


@pytest.mark.parametrize(("changes", "field", "code"), [
    ({"carry": D(1)}, "carry", "waterfall_carry_range"),
    ({"carry": D("-0.1")}, "carry", "waterfall_carry_range"),
    ({"catch_up": D("0.1")}, "catch_up", "waterfall_catch_up_below_carry"),
    ({"catch_up": D("1.2")}, "catch_up", "waterfall_catch_up_range"),
    ({"hurdle_rate": D("-0.01")}, "hurdle_rate", "waterfall_rate_negative"),
    ({"hurdle": Hurdle.NONE}, "hurdle_rate", "waterfall_rate_without_hurdle"),
    ({"holdback": D("1.5")}, "holdback", "waterfall_share_range"),
    ({"concessions": (ConcessionTier("g", D(0), D("0.6"), (("s", D(1)),)),) * 2},
     "concessions", "waterfall_concession_over_all"),
])
def test_bad_terms_name_the_field(changes: dict[str, object], field: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        WaterfallTerms(**changes)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.code) == (field, code)


@pytest.mark.parametrize(("args", "field", "code"), [
    (("g", D("-0.01"), D("0.5"), (("s", D(1)),)), "threshold_rate", "waterfall_rate_negative"),
    (("g", D(0), D("1.01"), (("s", D(1)),)), "share", "waterfall_share_range"),
    (("g", D(0), D("0.5"), ()), "beneficiaries", "waterfall_no_beneficiary"),
    (("g", D(0), D("0.5"), (("g", D(1)),)), "beneficiaries", "waterfall_concession_to_itself"),
    (("g", D(0), D("0.5"), (("s", D(0)),)), "beneficiaries", "waterfall_weight_not_positive"),
    (("g", D(0), D("0.5"), (("s", D(1)), ("s", D(2)))), "beneficiaries",
     "waterfall_beneficiary_twice"),
])
def test_bad_concession_tiers(args: tuple[object, ...], field: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ConcessionTier(*args)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.code) == (field, code)


def test_bad_runs() -> None:
    terms = WaterfallTerms()
    cases = [
        (lambda: run_distribution(terms, one_lp(), "gp", D(0), T5), "amount", "not_positive"),
        (lambda: run_distribution(terms, one_lp(), "gp", D("1.001"), T5), "amount",
         "amount_too_many_places"),
        (lambda: run_distribution(terms, one_lp(), "gp", D(1), T0 - timedelta(days=1)),
         "histories", "waterfall_flow_after_date"),
        (lambda: run_distribution(terms, {"lp": PartyHistory()}, "gp", D(1), T5), "histories",
         "waterfall_nothing_paid_in"),
        (lambda: run_distribution(terms, {**one_lp(), "gp": one_lp()["lp"]}, "gp", D(1), T5),
         "gp", "waterfall_gp_carry_on_itself"),
        (lambda: clawback(terms, deals(), "gp"), "structure", "waterfall_not_deal_by_deal"),
        (lambda: Contribution(T0, D(10), fees=D(11)), "fees", "waterfall_fees_exceed"),
        (lambda: as_if_liquidated(terms, one_lp(), "gp", D(-1), T5), "amount",
         "amount_negative"),
    ]
    for call, field, code in cases:
        with pytest.raises(ValidationError) as caught:
            call()
        assert (caught.value.field, caught.value.code) == (field, code)
