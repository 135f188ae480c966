"""A small readability check for email text: sentence length and Flesch reading ease.

Flesch reading ease = 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words).
About 70-80 reads easily at age 9-11 (GOV.UK aims for a reading age of 9); below 50 is hard.
Syllables are counted the usual simple way: groups of vowels, less a silent final "e".
URLs and email addresses are left out; every line and every ".", "!" or "?" ends a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINK = re.compile(r"\S+@\S+|\w+://\S+")
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n+")


def syllables(word: str) -> int:
    w = word.lower()
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(re.findall(r"[aeiouy]+", w)))


def sentences(text: str) -> list[list[str]]:
    text = _LINK.sub(" ", text)
    parts = (_WORD.findall(part) for part in _SENTENCE_END.split(text))
    return [words for words in parts if words]


@dataclass(frozen=True)
class Score:
    sentences: int
    words: int
    syllables: int

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences

    @property
    def flesch(self) -> float:
        return 206.835 - 1.015 * self.words_per_sentence - 84.6 * (self.syllables / self.words)


def score(text: str) -> Score:
    found = sentences(text)
    words = [w for s in found for w in s]
    return Score(len(found), len(words), sum(syllables(w) for w in words))
