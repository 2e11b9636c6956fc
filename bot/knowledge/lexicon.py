"""A word-translation lexicon induced from the team's parallel texts: translated headings and glossary concepts.

The glossary only knows the phrases someone wrote down. The headings table says, 864 times over, the same
thing in four languages ("Synnerlig brådska" / "Tvingende hastende omstændigheder" / "Äußerste Dringlichkeit" /
"Extreme urgency"); counting which stems occur together across those parallel entries (the Dice coefficient,
as in classic word alignment) yields translations for words no glossary entry lists: "hast" → "brådsk",
"urgenc" → "dringlich". Questions are expanded with them for keyword search in the other languages.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from itertools import product

# Chosen on the dev set among round values; before the bridge was added, neighbours (min count 1–3, Dice 0.2–0.5,
# 1–4 per language) scored R@5 0.793–0.829 (README, "Evaluation").
MIN_COOCCURRENCE = 2
MIN_DICE = 0.3
PER_LANGUAGE = 3


class Lexicon:
    """Stem-to-stem translations between da, sv, de and en, strongest first."""

    def __init__(self, translations: Mapping[str, list[str]]) -> None:
        self._translations = dict(translations)

    @classmethod
    def induce(cls, entries: Iterable[Mapping[str, Iterable[str]]]) -> Lexicon:
        """Align the language-tagged stems (``"da:hast"``) of parallel entries by co-occurrence."""
        parallel = [{lang: set(tokens) for lang, tokens in entry.items() if tokens} for entry in entries]
        frequency: Counter[str] = Counter(t for entry in parallel for tokens in entry.values() for t in tokens)
        together: Counter[tuple[str, str]] = Counter()  # each pair of languages counted once, in one direction
        for entry in parallel:
            languages = sorted(entry)
            for i, first in enumerate(languages):
                for second in languages[i + 1:]:
                    together.update(product(entry[first], entry[second]))
        scored: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for (x, y), count in together.items():
            dice = 2 * count / (frequency[x] + frequency[y])
            if count >= MIN_COOCCURRENCE and dice >= MIN_DICE:
                scored[x].append((dice, y))
                scored[y].append((dice, x))
        return cls({x: [y for _, y in sorted(pairs, key=lambda p: (-p[0], p[1]))] for x, pairs in scored.items()})

    def translate(self, tokens: Iterable[str]) -> dict[str, list[str]]:
        """Up to ``PER_LANGUAGE`` translations of each token into each other language, per language."""
        out: dict[str, list[str]] = defaultdict(list)
        for token in tokens:
            taken: Counter[str] = Counter()
            for translation in self._translations.get(token, []):
                language = translation.split(":", 1)[0]
                if taken[language] < PER_LANGUAGE:
                    out[language].append(translation)
                    taken[language] += 1
        return dict(out)
