"""Rank suppliers for a need: similar awards, CPV fit, history with buyer and peers, semantics, geography, size."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from bot.config import MatchingSettings
from bot.matching.features import Context, normalise, spread, year_text
from bot.matching.infer import top_positions
from bot.matching.reasons import say, short, word
from bot.matching.types import Suggestion

MAX_REASONS = 4
SIMILAR_REASON = 0.3


def candidates(ctx: Context, settings: MatchingSettings, award_weight: np.ndarray) -> dict[int, float]:
    """Suppliers worth scoring, with their similar-award evidence (sum of neighbour weights)."""
    index, procs = ctx.index, ctx.index.procs
    similar: dict[int, float] = defaultdict(float)
    for proc, weight in ctx.evidence.neighbours.items():
        for supplier in procs.winners(proc):
            similar[int(supplier)] += weight
    pool = set(similar)
    volume = np.bincount(procs.award_supplier, weights=award_weight, minlength=len(index.orgs.ids))
    pool.update(int(s) for s in top_positions(volume, settings.candidates // 2))
    for guess in ctx.guesses:
        pool.update(index.declared.get(guess.code[:2], [])[: settings.candidates])
    profile = index.org_keyword.scores(ctx.evidence.tokens) * index.is_supplier
    pool.update(int(s) for s in top_positions(profile, 50))
    if ctx.evidence.vector is not None and index.org_vectors:
        orgs = [o for o in index.org_vectors if index.is_supplier[o]]
        if orgs:
            sims = np.stack([index.org_vectors[o] for o in orgs]) @ ctx.evidence.vector
            pool.update(orgs[k] for k in np.argsort(-sims)[:50])
    if ctx.buyer is not None:
        mine = procs.award_supplier[procs.buyer[procs.award_proc] == ctx.buyer]
        pool.update(int(s) for s in mine[:200])
    pool = {s for s in pool if index.is_supplier[s] and s not in ctx.excluded}
    return {s: similar.get(s, 0.0) for s in pool}


def rank(ctx: Context, settings: MatchingSettings, top: int, peers: list[int]) -> list[Suggestion]:
    """The ``top`` suppliers for the need, best first, each with reasons in the need's language."""
    index, procs = ctx.index, ctx.index.procs
    award_weight = ctx.award_weights()
    pool = candidates(ctx, settings, award_weight)
    if not pool:
        return []
    ids = np.fromiter(pool, np.int64)
    volume = np.bincount(procs.award_supplier, weights=award_weight, minlength=len(index.orgs.ids))[ids]
    similar = np.asarray([pool[s] for s in ids])
    neighbour_winners = Counter(index.orgs.sizes[int(w)] for p in list(ctx.evidence.neighbours)[:20]
                                for w in procs.winners(p))
    sized = sum(v for k, v in neighbour_winners.items() if k) or 1
    history, semantic, geography, size = (np.zeros(len(ids)) for _ in range(4))
    cpv = _cpv_fit(ctx, ids)
    for k, s in enumerate(ids):
        won = procs.won_by(int(s))
        buyers, in_area = procs.buyer[won], ctx.areas(won) >= 0
        if ctx.buyer is not None and (buyers == ctx.buyer).any():
            history[k] = 1.0 if (in_area & (buyers == ctx.buyer)).any() else 0.5
        elif peers and (in_area & np.isin(buyers, peers)).any():
            history[k] = 0.5
        semantic[k] = _semantic(ctx, int(s), won)
        geography[k] = ctx.geography(int(s))
        size[k] = neighbour_winners.get(index.orgs.sizes[s], 0) / sized if index.orgs.sizes[s] else 0.0
    awards = 0.6 * normalise(similar) + 0.4 * normalise(np.log1p(volume))
    weights = (settings.weight_semantic, settings.weight_similar_awards, settings.weight_cpv,
               settings.weight_history, settings.weight_geography, settings.weight_size)
    features = (spread(semantic) if semantic.any() else semantic, awards, cpv, history, geography, size)
    score = np.zeros(len(ids))
    for weight, feature in zip(weights, features, strict=True):
        score += weight * feature / sum(weights)
    order = np.argsort(-score, kind="stable")[:top]
    return [Suggestion(id=index.orgs.ids[ids[k]], name=index.orgs.names[ids[k]], score=round(float(score[k]), 3),
                       reasons=reasons(ctx, int(ids[k]), float(size[k])), country=index.orgs.countries[ids[k]],
                       contact=index.orgs.contacts.get(int(ids[k])))
            for k in order]


def _cpv_fit(ctx: Context, ids: np.ndarray) -> np.ndarray:
    """Best fit of each supplier's main codes (last 50 contracts won, plus declared codes) with the guesses."""
    procs = ctx.index.procs
    codes: list[np.ndarray] = []
    for s in ids:
        declared = np.asarray([int(c) for c in ctx.index.orgs.declared_cpv[s]], np.int64)
        codes.append(np.concatenate([procs.main_code[procs.won_by(int(s))[-50:]], declared, [-1]]))
    starts = np.cumsum([0] + [len(c) for c in codes[:-1]])
    return np.maximum.reduceat(ctx.fit_codes(np.concatenate(codes)), starts)


def _semantic(ctx: Context, supplier: int, won: np.ndarray) -> float:
    best = -1.0
    vector = ctx.index.org_vectors.get(supplier)
    if vector is not None and ctx.evidence.vector is not None:
        best = float(vector @ ctx.evidence.vector)
    if ctx.evidence.title_similarity is not None and len(won):
        best = max(best, float(ctx.evidence.title_similarity[won].max()))
    return max(best, 0.0)


def reasons(ctx: Context, supplier: int, size_fit: float) -> list[str]:
    """Why this supplier: history with the buyer, awards in the area, a similar contract, offers, place, size."""
    index, procs, lang = ctx.index, ctx.index.procs, ctx.language
    won = procs.won_by(supplier)
    won = won[np.argsort(-procs.year[won], kind="stable")]  # most recent first
    area = ctx.areas(won)
    out: list[str] = []
    used: set[int] = set()
    if ctx.buyer is not None:
        mine = won[procs.buyer[won] == ctx.buyer].tolist()
        if mine:
            out.append(say("supplied_you", lang, buyer=index.orgs.names[ctx.buyer], title=short(procs.titles[mine[0]],
                                                                                                 70),
                           year=year_text(index, mine[0])))
            used.add(mine[0])
    known = area[area >= 0]
    if len(known):
        number = int(np.bincount(known).argmax())
        guess = ctx.guesses[number]
        in_area = won[area == number].tolist()
        example = next((p for p in in_area if p not in used), in_area[0])
        key = "won_under" if len(in_area) > 1 else "won_one_under"
        out.append(say(key, lang, n=len(in_area), cpv=index.catalog.describe(ctx.area_code(guess), lang),
                       buyer=index.orgs.names[procs.buyer[example]], year=year_text(index, example)))
        used.add(example)
    similar = [p for p in ctx.evidence.neighbours if p not in used and ctx.evidence.neighbours[p] >= SIMILAR_REASON
               and supplier in procs.winners(p)]
    if similar:
        best = max(similar, key=lambda p: ctx.evidence.neighbours[p])
        out.append(say("similar", lang, title=short(procs.titles[best], 70),
                       buyer=index.orgs.names[procs.buyer[best]], year=year_text(index, best)))
    if index.orgs.solutions.get(supplier):
        out.append(say("offers", lang, text=short("; ".join(index.orgs.solutions[supplier]), 100)))
    elif index.orgs.descriptions[supplier]:
        out.append(say("profile", lang, text=short(index.orgs.descriptions[supplier], 100)))
    if not len(known) and index.orgs.declared_cpv[supplier]:
        best_code = max(index.orgs.declared_cpv[supplier], key=ctx.fit)
        if ctx.fit(best_code) > 0:
            out.append(say("declared_cpv", lang, cpv=index.catalog.describe(best_code, lang)))
    if ctx.place(supplier):
        out.append(say("located", lang, place=ctx.place(supplier)))
    if size_fit >= 0.4 and index.orgs.sizes[supplier]:
        out.append(say("size", lang, size=word(index.orgs.sizes[supplier], lang)))
    out = out[:MAX_REASONS]
    contact = index.orgs.contacts.get(supplier)
    if contact is not None:
        out.append(say("contact", lang, contact=_contact(contact.name, contact.email)))
    return out


def _contact(name: str, email: str | None) -> str:
    return f"{name} <{email}>" if email and email != name else name
