"""Which tribunal orders (and council concessions) fit which decision: one set of rules for
the case (`ehcp.case_state`) and the deadline calculator (`ehcp.calculator`), so both accept
and refuse alike.

Sources: SEND Regs reg 43 (what the tribunal can order on each kind of appeal) and reg 45
(what the council can concede); CFA 2014 s.51(2) (the appealable decisions).
"""

from __future__ import annotations

from collections.abc import Iterable

from ehcp.vocabulary import DecisionType, OrderType

D, Ord = DecisionType, OrderType

#: What the tribunal can order (SEND Regs reg 43) or the council concede (reg 45) for each
#: decision type. `reconsider` is accepted widely: refusing a real order is worse than
#: accepting an unusual one.
ALLOWED_ORDERS: dict[DecisionType, frozenset[OrderType]] = {
    D.refusal_to_assess: frozenset({Ord.assess, Ord.reconsider}),
    # reg 43(2)(b): on s.51(2)(a) or (d) the tribunal may order an assessment or re-assessment
    D.refusal_to_reassess: frozenset({Ord.assess, Ord.reconsider}),
    D.refusal_to_issue_plan: frozenset({Ord.make_plan, Ord.reconsider}),
    D.plan_content: frozenset({Ord.amend_provision, Ord.amend_placement, Ord.reconsider}),
    D.refusal_to_amend: frozenset({Ord.amend_provision, Ord.amend_placement, Ord.reconsider}),
    D.amended_plan_content: frozenset({Ord.amend_provision, Ord.amend_placement, Ord.reconsider}),
    D.cease_plan: frozenset({Ord.continue_plan, Ord.continue_and_amend, Ord.cease_plan}),
}

#: Only these decision types can have a placement-only appeal (section I of a plan).
PLACEMENT_APPEALABLE = frozenset({D.plan_content, D.amended_plan_content, D.refusal_to_amend})

#: At most this many orders in one tribunal decision or concession (ehcp.models).
MAX_ORDERS = 10
#: At most this many recommendations in one tribunal decision (ehcp.models).
MAX_RECOMMENDATIONS = 20


def order_problem(
    decision_type: DecisionType | None, orders: Iterable[OrderType], field: str = "order"
) -> str | None:
    """Why these orders cannot all follow an appeal against `decision_type`, or None.

    With no decision type (the calculator used without one), the orders must all fit one
    decision type together. The message names the first order that does not fit and the
    allowed values, e.g. "order 1 (make_plan) does not fit an appeal against
    refusal_to_assess; allowed: assess, reconsider".
    """
    orders = list(orders)
    if decision_type is not None:
        allowed = ALLOWED_ORDERS[decision_type]
        for n, order in enumerate(orders, start=1):
            if order not in allowed:
                return (
                    f"{field} {n} ({order}) does not fit an appeal against {decision_type}; "
                    f"allowed: {', '.join(sorted(allowed))}"
                )
        return None
    if not orders or any(set(orders) <= allowed for allowed in ALLOWED_ORDERS.values()):
        return None
    return (
        f"orders {', '.join(orders)} cannot all follow one decision: each decision type "
        "allows " + "; ".join(f"{d}: {', '.join(sorted(a))}" for d, a in ALLOWED_ORDERS.items())
    )
