""""What to do next": a few plain sentences derived from the review's numbers.

The rules (also in the README, "What to do next"), each kept deliberately simple so a reader
can check it against the tables:

- update or promote: a post published more than 90 days before the period's end that is among
  the most read (top quarter of the posts, at least the top 5): old content still bringing
  readers is worth refreshing and linking again. At most 3.
- low click-through on a post: one of the 10 most read posts (50+ visitors) whose CTA
  click-through is under half the median of the posts with 50+ visitors. At most 3.
- low click-through of a CTA: its clicks ÷ the visitors of the posts it was clicked on, under
  half the best CTA's rate (needs two CTAs or more).
- channels that convert: a channel with 30+ visits and 3+ converted visits whose conversion
  rate is at least 1.5× the site's.
- print insert: its cost per copy and its measured actions (none) next to the channel's cost
  per visitor, CTA click and conversion, and what the insert's budget buys at the channel's
  cost per visitor.

Sentences are in the reader's language (French or English, chosen by the locale as the
command line's are: ownmedia.cli_i18n); kinds, subjects and numbers are the same in both.
"""

from __future__ import annotations

from datetime import date, timedelta
from statistics import median

from ownmedia.cli_i18n import tr
from ownmedia.review.fmt import fmt, money
from ownmedia.review.model import LONGEVITY_DAYS, Report

MAX_PER_RULE = 3
MIN_POST_VISITORS = 50
MIN_CHANNEL_VISITS = 30
CONVERTS_RATIO = 1.5


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return tr(f"{n}{suffix}", "1er" if n == 1 else f"{n}e")


def old_posts(report: Report) -> list[dict]:
    end = date.fromisoformat(report.period[1])
    cutoff = end - timedelta(days=LONGEVITY_DAYS)
    posts = [p for p in report.posts if p["visitors"]]
    top = max(5, len(posts) // 4)
    out = []
    for rank, p in enumerate(posts[:top], 1):
        if p.get("published") and date.fromisoformat(p["published"]) < cutoff:
            out.append({
                "kind": "update_or_promote", "subject": p["post"],
                "text": tr(f"Update or promote “{p['title']}”: published {p['published']}, "
                           f"still {fmt(p['visitors'])} visitors ({_ordinal(rank)} most read).",
                           f"Mettez à jour ou promouvez « {p['title']} » : publié le "
                           f"{p['published']}, encore {fmt(p['visitors'])} visiteurs "
                           f"({_ordinal(rank)} plus lu)."),
                "numbers": {"visitors": p["visitors"], "rank": rank,
                            "published": p["published"]}})
    return out[:MAX_PER_RULE]


def low_ctr_posts(report: Report) -> list[dict]:
    read = [p for p in report.posts if p["visitors"] >= MIN_POST_VISITORS and p["ctr"] is not None]
    if len(read) < 3:
        return []
    typical = median(p["ctr"] for p in read)
    if typical <= 0:
        return []
    out = []
    for p in read[:10]:
        if p["ctr"] < typical / 2:
            out.append({
                "kind": "low_ctr_post", "subject": p["post"],
                "text": tr(f"Few CTA clicks on “{p['title']}”: {fmt(p['ctr'])} % of its "
                           f"{fmt(p['visitors'])} visitors vs {fmt(typical)} % on a typical "
                           "post: move the call to action up or change its text.",
                           f"Peu de clics sur l'appel à l'action de « {p['title']} » : "
                           f"{fmt(p['ctr'])} % de ses {fmt(p['visitors'])} visiteurs contre "
                           f"{fmt(typical)} % sur un billet typique : remontez l'appel à "
                           "l'action ou changez son texte."),
                "numbers": {"ctr": p["ctr"], "median_ctr": typical, "visitors": p["visitors"]}})
    return out[:MAX_PER_RULE]


def low_ctr_ctas(report: Report) -> list[dict]:
    rates = {}
    for cta in report.ctas:
        pairs = [x for x in report.cta_posts if x["cta"] == cta["cta"]]
        readers = sum(x["post_visitors"] for x in pairs)
        if readers:
            rates[cta["cta"]] = round(100 * sum(x["clicks"] for x in pairs) / readers, 2)
    if len(rates) < 2:
        return []
    best = max(rates, key=rates.get)
    return [{
        "kind": "low_ctr_cta", "subject": cta,
        "text": tr(f"The “{cta}” call to action is clicked by {fmt(rate)} % of the readers "
                   f"of the posts it was clicked on, vs {fmt(rates[best])} % for “{best}”: "
                   "rewrite it or place it differently.",
                   f"L'appel à l'action « {cta} » est cliqué par {fmt(rate)} % des lecteurs des "
                   f"billets où il l'a été, contre {fmt(rates[best])} % pour « {best} » : "
                   "réécrivez-le ou placez-le autrement."),
        "numbers": {"ctr": rate, "best_cta": best, "best_ctr": rates[best]}}
        for cta, rate in sorted(rates.items(), key=lambda x: x[1]) if rate < rates[best] / 2
    ][:MAX_PER_RULE]


def converting_channels(report: Report) -> list[dict]:
    rows = [c for c in report.channels if c.get("converted_visits") is not None]
    visits = sum(c["visits"] for c in rows)
    converted = sum(c["converted_visits"] for c in rows)
    if not visits or not converted:
        return []
    site = 100 * converted / visits
    out = []
    for c in rows:
        if c["visits"] >= MIN_CHANNEL_VISITS and c["converted_visits"] >= 3 and \
                c["conversion_rate"] >= CONVERTS_RATIO * site:
            out.append({
                "kind": "channel_converts", "subject": c["channel"],
                "text": tr(f"{c['channel']} converts: {fmt(c['conversion_rate'])} % of its "
                           f"{fmt(c['visits'])} visits vs {site:.2f} % for the site "
                           f"({c['conversion_rate'] / site:.1f}×): grow it.",
                           f"{c['channel']} convertit : {fmt(c['conversion_rate'])} % de ses "
                           f"{fmt(c['visits'])} visites contre {site:.2f} % pour le site "
                           f"({c['conversion_rate'] / site:.1f}×) : développez-le."),
                "numbers": {"conversion_rate": c["conversion_rate"],
                            "site_rate": round(site, 2), "visits": c["visits"]}})
    return sorted(out, key=lambda a: -a["numbers"]["conversion_rate"])[:MAX_PER_RULE]


def print_insert(report: Report) -> list[dict]:
    cost, cur = report.cost, report.currency
    base = cost.get("baseline")
    if not base:
        return []
    text = tr(f"The print insert cost {money(base['cost'], cur)} for {fmt(base['copies'])} "
              f"copies ({money(base['per_copy'], cur)} per copy) and no reader or action can "
              "be measured. ",
              f"L'encart imprimé a coûté {money(base['cost'], cur)} pour "
              f"{fmt(base['copies'])} exemplaires ({money(base['per_copy'], cur)} l'exemplaire) "
              "et aucun lecteur ni aucune action ne peut être mesuré. ")
    numbers = {"insert_cost": base["cost"], "insert_per_copy": base["per_copy"],
               "insert_measured_actions": None}
    if cost.get("cost") is None:
        text += tr("Give the channel's cost (--cost) to compare it.",
                   "Donnez le coût du canal (--cost) pour comparer.")
    else:
        per = (money(cost.get("per_visitor"), cur), money(cost.get("per_cta_click"), cur),
               money(cost.get("per_conversion"), cur))
        text += tr(f"The channel cost {money(cost['cost'], cur)}: {per[0]} per visitor, "
                   f"{per[1]} per CTA click, {per[2]} per conversion.",
                   f"Le canal a coûté {money(cost['cost'], cur)} : {per[0]} par visiteur, "
                   f"{per[1]} par clic sur un appel à l'action, {per[2]} par conversion.")
        if cost.get("per_visitor"):
            buys = int(base["cost"] / cost["per_visitor"])
            text += tr(f" At that cost per visitor, the insert's budget pays for {fmt(buys)} "
                       "visitors.",
                       f" À ce coût par visiteur, le budget de l'encart paie {fmt(buys)} "
                       "visiteurs.")
            numbers["insert_budget_in_visitors"] = buys
        numbers.update({k: cost.get(k) for k in ("per_visitor", "per_cta_click",
                                                  "per_conversion")})
    return [{"kind": "print_insert", "subject": "print insert", "text": text, "numbers": numbers}]


RULES = (old_posts, low_ctr_posts, low_ctr_ctas, converting_channels, print_insert)


def advise(report: Report) -> list[dict]:
    """Every rule's findings, in the order above; [] for an empty report."""
    if report.empty:
        return []
    return [item for rule in RULES for item in rule(report)]
