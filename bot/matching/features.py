"""Shared per-query context for ranking: the asking buyer, geography and CPV fit along the hierarchy."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bot.matching.cpv import level, prefix, similarity
from bot.matching.index import MatchIndex, group_of
from bot.matching.infer import Evidence
from bot.matching.types import CpvGuess


@dataclass
class Context:
    """Everything about one need that both rankers use."""

    index: MatchIndex
    language: str
    evidence: Evidence
    guesses: list[CpvGuess]
    buyer: int | None = None
    country: str | None = None
    region: str | None = None
    excluded: set[int] = field(default_factory=set)
    _fit: dict[str, float] = field(default_factory=dict)

    def fit(self, code: str) -> float:
        """How well a code matches the inferred CPV guesses (score-weighted hierarchical similarity, 0–1)."""
        if code not in self._fit:
            total = sum(g.score for g in self.guesses) or 1.0
            self._fit[code] = sum(g.score * similarity(g.code, code) for g in self.guesses) / total
        return self._fit[code]

    def area_code(self, guess: CpvGuess) -> str:
        """The guess cut to group level at most, as named in reasons ("won 3 contracts under 90500000 …")."""
        return prefix(guess.code, min(level(guess.code), 3))

    def fit_codes(self, codes: np.ndarray) -> np.ndarray:
        """Vectorised ``fit`` for integer codes (-1 = none): the same hierarchy rules as ``cpv.similarity``."""
        codes = np.asarray(codes, np.int64)
        total = sum(g.score for g in self.guesses) or 1.0
        out = np.zeros(len(codes))
        if not len(codes):
            return out
        code_level = np.full(len(codes), 2)
        for digits in range(3, 9):
            code_level[codes % 10 ** (8 - digits + 1) // 10 ** (8 - digits) > 0] = digits
        for guess in self.guesses:
            value, guess_level = int(guess.code), level(guess.code)
            shared = np.zeros(len(codes), np.int64)
            for digits in range(2, 9):
                scale = 10 ** (8 - digits)
                shared[(codes // scale) == (value // scale)] = digits
            floor = np.minimum(code_level, guess_level)
            covered = np.where(floor >= 3, 1.0, 0.7)
            partial = np.select([shared >= 4, shared == 3, shared == 2], [0.8, 0.6, 0.4], 0.0)
            similarity_ = np.where(shared >= floor, covered, partial)
            out += guess.score * np.where(codes >= 0, similarity_, 0.0)
        return out / total

    def award_weights(self) -> np.ndarray:
        """Per award, how well the procurement's main CPV group matches the guesses (for vectorised counting)."""
        return self._group_weights(self.index.award_group)

    def proc_weights(self) -> np.ndarray:
        """Per procurement, the same CPV match weight (for counting what buyers bought)."""
        return self._group_weights(self.index.procs.group)

    def _group_weights(self, groups: np.ndarray) -> np.ndarray:
        weights = np.zeros(len(groups), np.float32)
        for guess in self.guesses:
            if level(guess.code) >= 3:
                weights = np.maximum(weights, np.where(groups == group_of(guess.code), guess.score, 0.0))
            else:
                weights = np.maximum(weights, np.where(groups // 10 == int(guess.code[:2]), 0.6 * guess.score, 0.0))
        return weights

    def areas(self, procs: np.ndarray) -> np.ndarray:
        """Per procurement, the index of the first guess whose group (or division) holds its main code, else -1."""
        groups = self.index.procs.group[procs]
        found = np.full(len(procs), -1, np.int64)
        for number, guess in reversed(list(enumerate(self.guesses))):
            area = self.area_code(guess)
            hit = groups == group_of(area) if level(area) >= 3 else (groups >= 0) & (groups // 10 == int(area[:2]))
            found[hit] = number
        return found

    def place(self, org: int) -> str:
        """``"SE, Uppsala län"`` style location of an organisation."""
        parts = [self.index.orgs.countries[org], self.index.orgs.regions[org]]
        return ", ".join(p for p in parts if p)

    def geography(self, org: int) -> float:
        """1 for same region and country as the need, 0.7 same country, 0.4 served that country before, else 0."""
        if not self.country:
            return 0.0
        orgs = self.index.orgs
        if orgs.countries[org] == self.country:
            same_region = bool(self.region) and orgs.regions[org] == self.region
            return 1.0 if same_region else 0.7
        if orgs.countries[org] is None:
            served = {orgs.countries[b] for b in self.index.procs.buyer[self.index.procs.won_by(org)[-20:]]}
            return 0.4 if self.country in served else 0.0
        return 0.0


def normalise(values: np.ndarray) -> np.ndarray:
    """Scale to 0–1 by the maximum (all zeros stay zeros)."""
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else np.zeros_like(values)


def spread(values: np.ndarray) -> np.ndarray:
    """Min–max scale to 0–1 (used for cosine similarities, whose absolute level is model-specific)."""
    if not len(values):
        return values
    low, high = float(values.min()), float(values.max())
    return (values - low) / (high - low) if high > low else np.zeros_like(values)


def year_text(index: MatchIndex, proc: int) -> str:
    """The procurement's year, or "" when unknown."""
    year = int(index.procs.year[proc])
    return str(year) if year else ""
