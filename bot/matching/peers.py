"""Rank peer buyers for a need: who bought this before (CPV volume, similar procurements), kind, place, networks."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from bot.knowledge.keyword import tokenize
from bot.matching.features import Context, normalise, year_text
from bot.matching.infer import top_positions
from bot.matching.reasons import say, short, word
from bot.matching.types import Suggestion

WEIGHTS = {"volume": 0.4, "similar": 0.3, "geography": 0.1, "kind": 0.1, "network": 0.05, "need": 0.05}
MAX_REASONS = 4
SIMILAR_REASON = 0.3


def rank(ctx: Context, top: int, pool_size: int = 200) -> list[Suggestion]:
    """The ``top`` peer buyers (never the asking buyer), best first, with reasons."""
    index, procs = ctx.index, ctx.index.procs
    proc_weight = ctx.proc_weights()
    volume = np.bincount(procs.buyer, weights=proc_weight, minlength=len(index.orgs.ids))
    similar: dict[int, float] = defaultdict(float)
    for proc, weight in ctx.evidence.neighbours.items():
        similar[int(procs.buyer[proc])] += weight
    needs = _matching_needs(ctx)
    my_networks = set(index.orgs.networks.get(ctx.buyer, [])) if ctx.buyer is not None else set()
    pool = set(similar) | {int(b) for b in top_positions(volume, pool_size)} | set(needs)
    if my_networks:
        pool |= {o for o, nets in index.orgs.networks.items() if my_networks & set(nets)}
    ids = np.asarray(sorted(b for b in pool if index.is_buyer[b] and b not in ctx.excluded), np.int64)
    if not len(ids):
        return []
    my_sector = index.orgs.sectors[ctx.buyer] if ctx.buyer is not None else None
    features = {
        "volume": normalise(np.log1p(volume[ids])),
        "similar": normalise(np.asarray([similar.get(int(b), 0.0) for b in ids])),
        "geography": np.asarray([ctx.geography(int(b)) for b in ids]),
        "kind": np.asarray([1.0 if my_sector and index.orgs.sectors[b] == my_sector else 0.0 for b in ids]),
        "network": np.asarray([1.0 if my_networks & set(index.orgs.networks.get(int(b), [])) else 0.0 for b in ids]),
        "need": np.asarray([1.0 if int(b) in needs else 0.0 for b in ids]),
    }
    score = np.zeros(len(ids))
    for name, values in features.items():
        score += WEIGHTS[name] * values
    order = np.argsort(-score, kind="stable")[:top]
    return [Suggestion(id=index.orgs.ids[ids[k]], name=index.orgs.names[ids[k]], score=round(float(score[k]), 3),
                       reasons=reasons(ctx, int(ids[k]), needs, my_networks, my_sector),
                       country=index.orgs.countries[ids[k]], contact=index.orgs.contacts.get(int(ids[k])))
            for k in order]


def _matching_needs(ctx: Context) -> dict[int, str]:
    """Open needs (by buyer) that share CPV groups or at least two words with the need."""
    tokens = set(tokenize(ctx.evidence.text, ctx.language))
    found: dict[int, str] = {}
    for buyer, title, codes in ctx.index.needs:
        overlap = len(tokens & set(tokenize(title, ctx.language)))
        if overlap >= 2 or any(ctx.fit(c) >= 0.6 for c in codes or []):
            found.setdefault(buyer, title)
    return found


def reasons(ctx: Context, buyer: int, needs: dict[int, str], my_networks: set[str], my_sector: str | None) \
        -> list[str]:
    """Why this peer: what it bought in the area, innovation, a similar procurement, open needs, kind and place."""
    index, procs, lang = ctx.index, ctx.index.procs, ctx.language
    bought = np.flatnonzero(procs.buyer == buyer)
    bought = bought[np.argsort(-procs.year[bought], kind="stable")]  # most recent first
    area = ctx.areas(bought)
    out: list[str] = []
    used: set[int] = set()
    in_area = [(int(p), ctx.guesses[int(g)]) for p, g in zip(bought, area, strict=True) if g >= 0]
    if in_area:
        example, guess = in_area[0]
        out.append(say("bought_under", lang, cpv=index.catalog.describe(ctx.area_code(guess), lang), n=len(in_area),
                       title=short(procs.titles[example], 70), year=year_text(index, example)))
        used.add(example)
    innovative = [p for p, _ in in_area if procs.innovation[p]]
    if innovative:
        out.append(say("innovation", lang, title=short(procs.titles[innovative[0]], 70),
                       year=year_text(index, innovative[0])))
        used.add(innovative[0])
    similar = [p for p in ctx.evidence.neighbours if p not in used and ctx.evidence.neighbours[p] >= SIMILAR_REASON
               and procs.buyer[p] == buyer]
    if similar:
        best = max(similar, key=lambda p: ctx.evidence.neighbours[p])
        out.append(say("bought_similar", lang, title=short(procs.titles[best], 70), year=year_text(index, best)))
    if buyer in needs:
        out.append(say("open_need", lang, title=short(needs[buyer], 80)))
    if my_sector and index.orgs.sectors[buyer] == my_sector and ctx.place(buyer):
        out.append(say("same_kind", lang, sector=word(my_sector, lang), place=ctx.place(buyer)))
    shared = sorted(my_networks & set(index.orgs.networks.get(buyer, [])))
    if shared:
        out.append(say("shared_network", lang, network=shared[0]))
    out = out[:MAX_REASONS]
    contact = index.orgs.contacts.get(buyer)
    if contact is not None:
        out.append(say("contact", lang, contact=f"{contact.name} <{contact.email}>" if contact.email else contact.name))
    return out
