"""Chapter 6 of the publication: drug policies, action plans, who was involved, what they cover."""

from __future__ import annotations

from evalkit.compare.survey import (
    filter_base,
    frequency,
    multi_response,
    ordinal_summary,
    share,
)
from evalkit.report._build.survey import frequency_table, ordinal_table, share_table
from evalkit.report.model import Table, Text
from evalkit.report.spec import Context

from .prepare import survey
from .text import TXT, label, level_labels

__all__ = ["action_plan", "action_plan_followed", "involvement", "multi_table", "policy_status", "substances"]

INST = "mk_institutioner"


def policy_status(ctx: Context) -> Table:
    """Figure 6.2: the institutions' drug policy (the bar values are not in the publication's text)."""
    r = survey(ctx).respondents
    item = frequency(r["policy_status"].astype("object"), list(level_labels(INST, "policy_status")))
    return frequency_table("policy_status", "003-F6.2", TXT("titles.policy_status"), item,
                           level_labels(INST, "policy_status"),
                           [TXT("notes.policy_status")])


def action_plan(ctx: Context) -> Table:
    """6.2: separate / integrated / no action plan, over the respondents."""
    r = survey(ctx).respondents
    item = frequency(r["action_plan"].astype("object"), list(level_labels(INST, "action_plan")))
    return frequency_table("action_plan", "003-6.2", TXT("titles.action_plan"), item, level_labels(INST, "action_plan"),
                           [TXT("notes.action_plan")])


def action_plan_followed(ctx: Context) -> Table:
    """6.7: how often the action plan is followed, on the filtered base of institutions with a plan."""
    r = survey(ctx).respondents
    base = filter_base(r["action_plan"].astype("object").isin(["saerskilt", "integreret"]).to_numpy(),
                       "institutions with an action plan")
    levels = list(level_labels(INST, "action_plan_followed"))
    item = ordinal_summary(r["action_plan_followed"].astype("object"), levels, where=base)
    return ordinal_table("action_plan_followed", "003-6.7", TXT("titles.action_plan_followed"),
                         [("action_plan_followed", label(INST, "action_plan_followed"), item)], levels,
                         level_labels(INST, "action_plan_followed"),
                         [TXT("notes.action_plan_filter"),
                          TXT("notes.action_plan_followed")],
                         ("top_two",))


def multi_table(ctx: Context, table_id: str, source: str, columns: list[str], notes: list[Text]) -> Table:
    """A multi-response item over the respondents: one share row per option ("% of cases")."""
    r = survey(ctx).respondents
    item = multi_response(r, columns)
    rows = [(c, label(INST, c), share(int(k), item.base)) for c, k in zip(columns, item.rows["count"], strict=True)]
    return share_table(table_id, source, TXT(f"titles.{table_id}"), rows, [*notes])


def involvement(ctx: Context) -> Table:
    """6.4: who was involved in writing the policy (multi-response)."""
    return multi_table(ctx, "involvement", "003-6.4", ["involved_ledelse", "involved_laerere", "involved_elever"],
                       [TXT("notes.involvement")])


def substances(ctx: Context) -> Table:
    """6.3: substances the policy covers (multi-response; the figure's values are not in the text)."""
    return multi_table(ctx, "substances", "003-F6.3", ["policy_alkohol", "policy_hash", "policy_andre_stoffer"],
                       [TXT("notes.substances")])
