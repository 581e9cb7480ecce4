"""Unit and property tests for fundops.calc.loss_sharing (risk compensation, loss sharing)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundops.calc.loss_sharing import (
    GUANGDONG_POOL_90,
    HANYIN_FUND_1_TO_5,
    HUBEI_POOL_80,
    LANZHOU_FOUR_PARTY,
    SEED_POOL_RULES,
    SEED_SCHEMES,
    Party,
    PoolRule,
    Scheme,
    leverage_check,
    pool_compensation,
    share_loss,
    split_recovery,
)

D = Decimal
WAN = D(10_000)  # 万元
ZERO = D("0.00")
amounts = st.integers(min_value=0, max_value=10**12).map(lambda fen: D(fen).scaleb(-2))


# --- seed schemes: worked examples ------------------------------------------------------------


def test_hubei_pool_covers_80_percent_of_principal_loss() -> None:
    split = share_loss(1000 * WAN, ZERO, HUBEI_POOL_80)
    assert split.loss == 1000 * WAN
    assert split.borne() == {"risk_pool": 800 * WAN, "bank": 200 * WAN}
    assert HUBEI_POOL_80.pool_balance == 100_000 * WAN  # 10亿


def test_recoveries_so_far_reduce_the_shared_loss() -> None:
    split = share_loss(1000 * WAN, 200 * WAN, HUBEI_POOL_80)
    assert split.loss == 800 * WAN
    assert split.borne() == {"risk_pool": 640 * WAN, "bank": 160 * WAN}


def test_recoveries_beyond_principal_leave_no_loss() -> None:
    split = share_loss(D("100.00"), D("150.00"), HUBEI_POOL_80)
    assert split.loss == ZERO
    assert split.borne() == {"risk_pool": ZERO, "bank": ZERO}


def test_guangdong_pool_up_to_90_percent() -> None:
    assert share_loss(1000 * WAN, ZERO, GUANGDONG_POOL_90).borne() == {
        "risk_pool": 900 * WAN, "bank": 100 * WAN}


def test_lanzhou_four_party_model() -> None:
    split = share_loss(500 * WAN, 100 * WAN, LANZHOU_FOUR_PARTY)
    assert split.borne() == {"government": ZERO, "provincial_tech_investment": 160 * WAN,
                             "guarantee_company": 160 * WAN, "bank": 80 * WAN}
    roles = {p.role for p in LANZHOU_FOUR_PARTY.parties}
    assert roles == {"government", "tech_investment", "guarantor", "bank"}


def test_hanyin_fund_capped_at_its_balance() -> None:
    # the 1500万 loan of the source, lost in full: 80 % = 1200万 is within the 2000万 fund
    assert share_loss(1500 * WAN, ZERO, HANYIN_FUND_1_TO_5).borne() == {
        "guidance_fund": 1200 * WAN, "bank": 300 * WAN}
    # a 3000万 loss: 80 % = 2400万 exceeds the fund; the 400万 above the cap falls to the bank
    split = share_loss(3000 * WAN, ZERO, HANYIN_FUND_1_TO_5)
    fund, bank = split.parts
    assert (fund.pro_rata, fund.borne, fund.moved_to_bank) == (2400 * WAN, 2000 * WAN, 400 * WAN)
    assert (bank.pro_rata, bank.borne, bank.moved_to_bank) == (600 * WAN, 1000 * WAN, ZERO)


def test_hanyin_leverage_1_to_5_supports_one_yi() -> None:
    balance, k = HANYIN_FUND_1_TO_5.pool_balance, HANYIN_FUND_1_TO_5.leverage_k
    assert balance is not None and k is not None
    check = leverage_check(8500 * WAN, balance, k, new_loan=1500 * WAN)
    assert (check.ok, check.limit, check.outstanding_after, check.headroom) == (
        True, 10_000 * WAN, 10_000 * WAN, ZERO)
    over = leverage_check(8500 * WAN, balance, k, new_loan=1500 * WAN + D("0.01"))
    assert (over.ok, over.headroom) == (False, ZERO)


def test_seed_schemes_are_valid_and_cite_sources() -> None:
    assert len(SEED_SCHEMES) == 4
    assert len({s.name for s in SEED_SCHEMES}) == 4
    for scheme in SEED_SCHEMES:
        assert sum(p.share for p in scheme.parties) == 1
        assert "seeds/" in scheme.source
    assert "ASSUMPTION" in LANZHOU_FOUR_PARTY.source
    assert "ASSUMPTION" in HANYIN_FUND_1_TO_5.source
    assert set(SEED_POOL_RULES) <= {s.name for s in SEED_SCHEMES}


# --- caps and rounding ---------------------------------------------------------------------


def test_odd_fen_goes_by_largest_remainder() -> None:
    # exact parts 0.0102 / 0.0099 / 0.0099: truncation gives 0.01 / 0 / 0 and the two
    # missing fen go to the largest remainders (0.0099 each), not to the largest share
    thirds = Scheme("thirds", (Party("a", "pool", D("0.34")),
                               Party("b", "guarantor", D("0.33")),
                               Party("bank", "bank", D("0.33"))))
    split = share_loss(D("0.03"), ZERO, thirds)
    assert split.borne() == {"a": D("0.01"), "b": D("0.01"), "bank": D("0.01")}
    assert share_loss(D("0.01"), ZERO, HUBEI_POOL_80).borne() == {
        "risk_pool": D("0.01"), "bank": ZERO}


def test_cap_room_limits_a_party_and_the_excess_falls_to_the_bank() -> None:
    split = share_loss(1000 * WAN, ZERO, LANZHOU_FOUR_PARTY,
                       cap_room={"guarantee_company": 300 * WAN})
    assert split.borne() == {"government": ZERO, "provincial_tech_investment": 400 * WAN,
                             "guarantee_company": 300 * WAN, "bank": 300 * WAN}


def test_cap_and_cap_room_combine_to_the_smaller() -> None:
    split = share_loss(1500 * WAN, ZERO, HANYIN_FUND_1_TO_5,
                       cap_room={"guidance_fund": 1000 * WAN})
    assert split.borne() == {"guidance_fund": 1000 * WAN, "bank": 500 * WAN}


@pytest.mark.parametrize(("parties", "message"), [
    ((Party("p", "pool", D("0.8")), Party("bank", "bank", D("0.3"))), "sum exactly"),
    ((Party("p", "pool", D("0.8")), Party("p", "bank", D("0.2"))), "unique"),
    ((Party("p", "bank", D("0.8")), Party("bank", "bank", D("0.2"))), "exactly one"),
    ((Party("p", "pool", D(1)),), "exactly one"),
])
def test_invalid_schemes_are_rejected(parties: tuple[Party, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Scheme("bad", parties)


def test_invalid_parties_and_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="no cap"):
        Party("bank", "bank", D("0.2"), cap=D(100))
    with pytest.raises(ValueError, match="role"):
        Party("x", "insurer", D("0.2"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="share"):
        Party("x", "pool", D("1.2"))
    with pytest.raises(TypeError):
        share_loss(100.0, ZERO, HUBEI_POOL_80)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="decimals"):
        share_loss(D("1.001"), ZERO, HUBEI_POOL_80)
    with pytest.raises(ValueError, match="bank"):
        share_loss(D(1), ZERO, HUBEI_POOL_80, cap_room={"bank": D(1)})
    with pytest.raises(ValueError, match="unknown"):
        share_loss(D(1), ZERO, HUBEI_POOL_80, cap_room={"nobody": D(1)})


# --- later recoveries ------------------------------------------------------------------------


def test_later_recovery_is_split_back_in_proportion_to_what_each_bore() -> None:
    split = share_loss(1000 * WAN, ZERO, HUBEI_POOL_80)
    back = split_recovery(100 * WAN, split.borne())
    assert dict(back.parts) == {"risk_pool": 80 * WAN, "bank": 20 * WAN}
    assert dict(back.remaining) == {"risk_pool": 720 * WAN, "bank": 180 * WAN}
    assert back.surplus == ZERO


def test_recovery_after_a_cap_follows_the_borne_amounts_not_the_shares() -> None:
    split = share_loss(3000 * WAN, ZERO, HANYIN_FUND_1_TO_5)  # fund 2000万, bank 1000万
    back = split_recovery(D("300.01"), split.borne())
    assert dict(back.parts) == {"guidance_fund": D("200.01"), "bank": D("100.00")}


def test_recovery_beyond_the_loss_is_surplus_for_the_bank() -> None:
    split = share_loss(1000 * WAN, ZERO, HUBEI_POOL_80)
    back = split_recovery(1200 * WAN, split.borne())
    assert dict(back.parts) == {"risk_pool": 800 * WAN, "bank": 200 * WAN}
    assert back.surplus == 200 * WAN
    assert dict(back.remaining) == {"risk_pool": ZERO, "bank": ZERO}
    nothing = split_recovery(D("5.00"), {"risk_pool": ZERO, "bank": ZERO})
    assert (dict(nothing.parts), nothing.surplus) == ({"risk_pool": ZERO, "bank": ZERO},
                                                      D("5.00"))


def test_successive_recoveries_use_the_remaining_amounts() -> None:
    split = share_loss(D("100.00"), ZERO, LANZHOU_FOUR_PARTY)
    first = split_recovery(D("10.01"), split.borne())
    second = split_recovery(D("89.99"), first.remaining)
    assert all(v == 0 for v in second.remaining.values())
    assert second.surplus == ZERO


# --- pool rules -----------------------------------------------------------------------------


def test_pool_compensation_without_limits() -> None:
    comp = pool_compensation(1000 * WAN, SEED_POOL_RULES[HUBEI_POOL_80.name])
    assert (comp.claim, comp.paid, comp.bank_retained, comp.binding) == (
        800 * WAN, 800 * WAN, 200 * WAN, None)


@pytest.mark.parametrize(("kwargs", "paid", "binding"), [
    ({"cap_per_loan": 500 * WAN}, 500 * WAN, "per_loan"),
    ({"cap_per_company": 1000 * WAN}, 300 * WAN, "per_company"),  # 700万 already paid
    ({"cap_per_year": 5000 * WAN}, 200 * WAN, "per_year"),  # 4800万 paid this year
    ({"cap_per_loan": 300 * WAN, "cap_per_company": 1000 * WAN}, 300 * WAN, "per_loan"),
    ({"cap_per_company": 600 * WAN}, ZERO, "per_company"),  # exhausted: floored at 0
])
def test_pool_compensation_limits(kwargs: dict[str, Decimal], paid: Decimal,
                                  binding: str) -> None:
    rule = PoolRule(D("0.8"), **kwargs)
    comp = pool_compensation(1000 * WAN, rule, paid_to_company=700 * WAN,
                             paid_in_year=4800 * WAN)
    assert (comp.claim, comp.paid, comp.binding) == (800 * WAN, paid, binding)
    assert comp.paid + comp.bank_retained == comp.loss


def test_pool_compensation_matches_share_loss() -> None:
    for loss in (D("0.01"), D("0.05"), D("12345.67"), D("9999999999.99")):
        comp = pool_compensation(loss, PoolRule(D("0.9")))
        assert comp.paid == share_loss(loss, ZERO, GUANGDONG_POOL_90).borne()["risk_pool"]


def test_leverage_check_rounds_the_limit_down() -> None:
    check = leverage_check(ZERO, D("0.03"), D("0.5"))
    assert (check.limit, check.ok) == (D("0.01"), True)
    with pytest.raises(ValueError, match="k"):
        leverage_check(ZERO, D(1), D(-1))


# --- properties ----------------------------------------------------------------------------


@st.composite
def schemes(draw: st.DrawFn) -> Scheme:
    """1-6 non-bank parties plus a bank; shares in basis points summing to 10 000."""
    count = draw(st.integers(min_value=1, max_value=6))
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=count, max_size=count)))
    points = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
    roles = ["pool", "government", "guarantor", "re_guarantor", "tech_investment", "pool"]
    parties = [Party(f"p{i}", roles[i], D(bp).scaleb(-4),  # type: ignore[arg-type]
                     draw(st.one_of(st.none(), amounts)))
               for i, bp in enumerate(points[:-1])]
    parties.append(Party("bank", "bank", D(points[-1]).scaleb(-4)))
    return Scheme("random", tuple(parties))


@settings(max_examples=300)
@given(amounts, amounts, schemes())
def test_shares_sum_exactly_to_the_loss_and_respect_caps(
    outstanding: Decimal, recovered: Decimal, scheme: Scheme
) -> None:
    split = share_loss(outstanding, recovered, scheme)
    assert split.loss == max(ZERO, outstanding - recovered)
    assert sum(p.borne for p in split.parts) == split.loss
    assert sum(p.pro_rata for p in split.parts) == split.loss
    for party, part in zip(scheme.parties, split.parts, strict=True):
        assert part.borne >= 0 and part.moved_to_bank >= 0
        assert part.borne.as_tuple().exponent == -2
        if party.role == "bank":
            assert part.borne == part.pro_rata + sum(p.moved_to_bank for p in split.parts)
        else:
            assert part.borne + part.moved_to_bank == part.pro_rata
            assert party.cap is None or part.borne <= party.cap
        assert abs(part.pro_rata - split.loss * party.share) < D("0.01")


@settings(max_examples=300)
@given(amounts, schemes(), amounts)
def test_recoveries_split_back_exactly(loss: Decimal, scheme: Scheme, amount: Decimal) -> None:
    borne = share_loss(loss, ZERO, scheme).borne()
    back = split_recovery(amount, borne)
    assert sum(back.parts.values()) + back.surplus == amount
    assert back.surplus == max(ZERO, amount - loss)
    for name, part in back.parts.items():
        assert 0 <= part <= borne[name]
        assert back.remaining[name] == borne[name] - part


@given(amounts, st.decimals(min_value=D(0), max_value=D(1), places=4),
       st.one_of(st.none(), amounts), amounts)
def test_pool_never_pays_more_than_its_claim_or_limits(
    loss: Decimal, share: Decimal, cap: Decimal | None, paid_before: Decimal
) -> None:
    comp = pool_compensation(loss, PoolRule(share, cap_per_loan=cap, cap_per_company=cap),
                             paid_to_company=paid_before)
    assert 0 <= comp.paid <= comp.claim <= comp.loss
    assert comp.paid + comp.bank_retained == loss
    if cap is not None:
        assert comp.paid <= max(ZERO, cap - paid_before)
    assert (comp.binding is None) == (comp.paid == comp.claim)
