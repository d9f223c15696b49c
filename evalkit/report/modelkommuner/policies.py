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
from evalkit.report.model import T, Table
from evalkit.report.spec import Context

from . import text

INST = "mk_institutioner"


def _codes(column: str) -> list[str]:
    return list(text.level_labels(INST, column))


def policy_status(ctx: Context) -> Table:
    """Figure 6.2: the institutions' drug policy (the bar values are not in the publication's text)."""
    r = ctx.data["respondents"]
    item = frequency(r["policy_status"].astype("object"), _codes("policy_status"))
    return frequency_table("policy_status", "003-F6.2", T("Skolernes rusmiddelpolitik", "The schools' drug policy"),
                           item, text.level_labels(INST, "policy_status"),
                           [text.cite("afsnit 6.2, figuren om politikker", "section 6.2, the figure on policies"),
                            text.BASE_44,
                            T("Figurens søjletal er ikke gengivet i publikationens tekst; teksten siger 'stort set "
                              "alle', 'enkelte' og 'et lille antal'.",
                              "The figure's bar values are not in the publication's text, which says 'nearly all', "
                              "'a few' and 'a small number'.")])


def action_plan(ctx: Context) -> Table:
    """6.2: separate / integrated / no action plan, over the respondents."""
    r = ctx.data["respondents"]
    item = frequency(r["action_plan"].astype("object"), _codes("action_plan"))
    return frequency_table("action_plan", "003-6.2", T("Handleplaner", "Action plans"), item,
                           text.level_labels(INST, "action_plan"),
                           [text.cite("afsnit 6.2 og kapitel 6 (succeskriteriet)", "section 6.2 and chapter 6 (success criterion)"),
                            text.BASE_44,
                            T("Succeskriteriet er, at alle institutioner har en handleplan. Publikationen nævner kun "
                              "særskilte og integrerede handleplaner; rækken 'Ingen handleplan' er de øvrige.",
                              "The success criterion is that every institution has an action plan. The publication "
                              "mentions only separate and integrated plans; the row 'No action plan' is the others.")])


def action_plan_followed(ctx: Context) -> Table:
    """6.7: how often the action plan is followed, on the filtered base of institutions with a plan."""
    r = ctx.data["respondents"]
    plan = r["action_plan"].astype("object")
    base = filter_base(plan.isin(["saerskilt", "integreret"]).to_numpy(),
                       "institutions with an action plan")
    levels = _codes("action_plan_followed")
    item = ordinal_summary(r["action_plan_followed"].astype("object"), levels, where=base)
    return ordinal_table("action_plan_followed", "003-6.7",
                         T("Følges handleplanen? (skoler med en handleplan)", "Is the action plan followed? (schools with a plan)"),
                         [("action_plan_followed", text.label(INST, "action_plan_followed"), item)], levels,
                         text.level_labels(INST, "action_plan_followed"),
                         [text.cite("afsnit 6.7", "section 6.7"),
                          T("Filter: skoler med en særskilt eller integreret handleplan; basen er kolonnen I alt.",
                            "Filter: schools with a separate or integrated action plan; the base is the column Total."),
                          T("Publikationen skriver 'størstedelen ... altid eller ofte' (de to øverste kategorier).",
                            "The publication says 'most ... always or often' (the top two boxes).")], ("top_two",))


def _multi(ctx: Context, table_id: str, source: str, title, columns: list[str], notes, where=None) -> Table:
    r = ctx.data["respondents"]
    item = multi_response(r, columns, where=where)
    rows = [(c, text.label(INST, c), share(int(k), item.base)) for c, k in zip(columns, item.rows["count"])]
    return share_table(table_id, source, title, rows, [*notes, text.MULTI])


def involvement(ctx: Context) -> Table:
    """6.4: who was involved in writing the policy (multi-response)."""
    return _multi(ctx, "involvement", "003-6.4", T("Inddraget i udarbejdelsen af rusmiddelpolitikken",
                                                   "Involved in writing the drug policy"),
                  ["involved_ledelse", "involved_laerere", "involved_elever"],
                  [text.cite("afsnit 6.4", "section 6.4"), text.BASE_44,
                   T("Publikationen kalder 34 % 'knap en tredjedel', men 34 % er lidt over en tredjedel.",
                     "The publication calls 34% 'just under a third', but 34% is just over a third.")])


def substances(ctx: Context) -> Table:
    """6.3: substances the policy covers (multi-response; the figure's values are not in the text)."""
    return _multi(ctx, "substances", "003-F6.3", T("Rusmidler, som politikken omfatter", "Substances the policy covers"),
                  ["policy_alkohol", "policy_hash", "policy_andre_stoffer"],
                  [text.cite("afsnit 6.3, søjlediagrammet", "section 6.3, the bar chart"), text.BASE_44,
                   T("Søjlediagrammets tal er ikke gengivet i publikationens tekst.",
                     "The bar chart's values are not in the publication's text.")])


__all__ = ["action_plan", "action_plan_followed", "involvement", "policy_status", "substances"]
