"""Names in an article: the graph's organizations, models and benchmarks it mentions (through
the Gazetteer's loose keys), and the new ones it introduces ("the Beijing-based startup X",
"Gemini 2.5 Pro"), so claims and events can be tied to slugs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span, Token

from modelatlas.domain import slugify
from modelatlas.ingest.article_names import Gazetteer

MentionKind = Literal["Organization", "Model", "Benchmark"]


def words(text: str) -> frozenset[str]:
    """A set of words written as one string, to keep long word lists short."""
    return frozenset(text.split())


_MAX_NAME_TOKENS: Final = 6
_MAX_CANDIDATE_CHARACTERS: Final = 80
_LOWER_SUFFIXES: Final = frozenset({"mini", "preview", "nano", "turbo"})
POSSESSIVE: Final = frozenset({"'s", "\u2019s", "'", "\u2019"})
_NAME_JOINERS: Final = frozenset({"-", "/", "."})
_MODEL_SUFFIXES: Final = words(
    "pro max mini turbo ultra plus flash lite large small medium nano instruct chat coder "
    "sonnet opus haiku preview"
)
_VERSION: Final = r"^(?:[A-Za-z]{0,2}\d+(?:\.\d+)*[A-Za-z]{0,2}|[Vv]\d+)$"
_ORG_NOUNS: Final = words(
    "startup start-up company firm lab laboratory developer maker giant rival"
)
_BENCHMARK_NOUNS: Final = words("benchmark benchmarks test tests exam exams leaderboard score")
_LISTED_NOUNS: Final = frozenset({"shares", "stock", "stocks"})
_DIVISION_NOUNS: Final = words("division unit arm subsidiary")
SPEECH_VERBS: Final = words(
    "said says say claimed claims claim asserted asserts stated states announced"
)


@dataclass(frozen=True, slots=True)
class Mention:
    """A name in the article, resolved to a slug (known) or proposed as a new entity."""

    kind: MentionKind
    slug: str
    text: str
    start: int
    """Character offset in the cleaned text."""
    token: int
    end_token: int
    sentence: int
    known: bool
    confidence: float


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entity the graph lacks, proposed from the article: its slug, name and developer."""

    kind: Literal["Organization", "Model"]
    slug: str
    name: str
    sentence: str
    confidence: float
    developers: tuple[str, ...] = ()


def _name_token(token: Token) -> bool:
    """Whether a token can be part of a name (letters or digits, or a joining hyphen)."""
    return token.text in _NAME_JOINERS or any(ch.isalnum() for ch in token.text)


def _can_start(token: Token) -> bool:
    """Names start with a capital or a digit ("o1" too) or have a capital inside ("xAI"),
    never with a lower-case word."""
    text = token.text
    return any(ch.isdigit() for ch in text) or any(ch.isupper() for ch in text)


def _mixed_case(token: Token) -> bool:
    """A word with a capital after its first letter: "xAI", "DeepMind", "iFlytek"."""
    return token.is_alpha and any(ch.isupper() for ch in token.text[1:])


def _suffix_end(doc: Doc, j: int) -> int:
    """The end of the model suffix words from token j on ("Turbo", "Pro Max", "mini")."""
    while j < len(doc) and (
        (doc[j].lower_ in _MODEL_SUFFIXES and doc[j].text[:1].isupper())
        or doc[j].text in _LOWER_SUFFIXES
    ):
        j += 1
    return j


def find_mentions(doc: Doc, known: Gazetteer, sentence_of: list[int]) -> list[Mention]:
    """Known names, longest first from left to right, never overlapping."""
    found: list[Mention] = []
    i = 0
    while i < len(doc):
        if not _can_start(doc[i]):
            i += 1
            continue
        end = i
        while end < len(doc) and end - i < _MAX_NAME_TOKENS and _name_token(doc[end]):
            end += 1
        hit: Mention | None = None
        for j in range(end, i, -1):
            span = doc[i:j]
            if span[-1].text in _NAME_JOINERS:
                continue
            hit = _resolve(span, known, sentence_of[i])
            if hit is not None and hit.kind == "Model":
                # "Gemini 2.5 Pro" and "GPT-4 Turbo" are not "Gemini" and "GPT-4": new models.
                longer = _versioned(doc, j, set()) or _suffix_end(doc, j)
                if longer > j:
                    hit = new_mention("Model", doc[i:longer], sentence_of[i], 0.5)
            if hit is not None:
                break
        if hit is None:
            i += 1
        else:
            found.append(hit)
            i = hit.end_token
    return found


def _resolve(span: Span, known: Gazetteer, sentence: int) -> Mention | None:
    """The known entity this span names: a model, else an organization, else a benchmark."""
    text = span.text
    model = known.model(text, [t.text for t in span if t.text not in _NAME_JOINERS])
    if model is not None:
        slug, confidence = model
        return Mention(
            "Model", slug, text, span.start_char, span.start, span.end, sentence, True, confidence
        )
    org = known.organization(text)
    if org is not None:
        return Mention(
            "Organization", org, text, span.start_char, span.start, span.end, sentence, True, 1.0
        )
    benchmark = known.benchmark(text)
    if benchmark is not None:
        return Mention(
            "Benchmark", benchmark, text, span.start_char, span.start, span.end, sentence, True, 1.0
        )
    return None


def _covered(mentions: list[Mention]) -> set[int]:
    """Token indexes inside mentions."""
    return {i for m in mentions for i in range(m.token, m.end_token)}


def _versioned(doc: Doc, j: int, covered: set[int]) -> int | None:
    """The end of a version and its suffix words starting at token j ("-" allowed first):
    "K1.5", "2.5 Pro", "-72B"; None when no version starts there."""
    if j < len(doc) and doc[j].text == "-":
        j += 1
    if j >= len(doc) or j in covered or not re.match(_VERSION, doc[j].text):
        return None
    j += 1
    while j < len(doc) and j not in covered:
        if doc[j].lower_ in _MODEL_SUFFIXES:
            j += 1
        elif doc[j].text == "-" and j + 1 < len(doc) and re.match(_VERSION, doc[j + 1].text):
            j += 2
        else:
            break
    return j


def _model_like(token: Token) -> bool:
    """A capitalised word with letters and digits, such as "Qwen2.5" or "GPT-5"."""
    text = token.text
    letters = sum(ch.isalpha() for ch in text)
    return (
        text[:1].isupper()
        and letters >= 2
        and any(ch.isdigit() for ch in text)
        and len(text) >= 4
        and text[-1:].isalnum()
    )


def _capitalised(token: Token) -> bool:
    """A word that starts with a capital ("Moonshot", "TikTok")."""
    return token.is_alpha and token.text[:1].isupper()


def _benchmark_context(doc: Doc, start: int, end: int) -> bool:
    """Whether a name stands where benchmarks do: "on (the) X", or just before "tests"."""
    before = {doc[i].lower_ for i in range(max(0, start - 2), start)}
    return "on" in before or (end < len(doc) and doc[end].lower_ in _BENCHMARK_NOUNS)


def _listed(doc: Doc, i: int) -> bool:
    """Whether a capitalised word names a listed company: "shares of X" (or "of A and X"),
    "X's stock", "X shares"."""
    token = doc[i]
    if not (token.is_alpha and token.text[:1].isupper()) or token.lower_ in STOP_WORDS:
        return False
    j = i - 1
    while j >= 1 and (doc[j].text == "," or doc[j].lower_ == "and" or _capitalised(doc[j])):
        j -= 1  # back over "Broadcom and" in "shares of Broadcom and X"
    if j >= 1 and doc[j].lower_ == "of" and doc[j - 1].lower_ in _LISTED_NOUNS:
        return True
    after = [doc[k].lower_ for k in range(i + 1, min(len(doc), i + 3))]
    return bool(after) and (
        after[0] in _LISTED_NOUNS
        or (after[0] in POSSESSIVE and after[1:2] == ["stock"])
        or (after[0] in POSSESSIVE and after[1:2] == ["shares"])
    )


def propose_candidates(doc: Doc, mentions: list[Mention], sentence_of: list[int]) -> list[Mention]:
    """Unknown names the article introduces: "the Beijing-based startup X" and "the parent
    company of X" (organizations), and a capitalised word with a version ("Kimi K1.5",
    "Doubao 1.5 Pro") or with digits in it ("Qwen2.5-72B") (models)."""
    covered = _covered(mentions)
    found: list[Mention] = []
    for i, token in enumerate(doc):
        if i in covered:
            continue
        previous = doc[i - 1].lower_ if i else ""
        owner_of = i >= 2 and previous == "of" and doc[i - 2].lower_ in ("company", "owner")
        if (previous in _ORG_NOUNS or owner_of) and _capitalised(token):
            j = i
            while j < min(len(doc), i + 4) and _capitalised(doc[j]) and j not in covered:
                j += 1
            found.append(new_mention("Organization", doc[i:j], sentence_of[i], 0.6))
            covered.update(range(i, j))
            continue
        if _listed(doc, i):
            # "Shares of Broadcom", "ASML's stock": what has shares is a company.
            found.append(new_mention("Organization", doc[i : i + 1], sentence_of[i], 0.6))
            covered.add(i)
            continue
        speaks = i + 1 < len(doc) and doc[i + 1].lower_ in SPEECH_VERBS
        if _mixed_case(token) and speaks:
            # "xAI said": a mixed-case name that speaks is an organization.
            found.append(new_mention("Organization", doc[i : i + 1], sentence_of[i], 0.5))
            covered.add(i)
            continue
        is_name = token.is_alpha and token.text[:1].isupper() and len(token.text) > 1
        if is_name:
            end = _versioned(doc, i + 1, covered)
        elif _model_like(token):
            end = _versioned(doc, i + 1, covered) or _suffix_end(doc, i + 1)
        else:
            continue
        if end is None or _benchmark_context(doc, i, end):
            continue
        end = min(end, i + _MAX_NAME_TOKENS)
        if len(doc[i:end].text) > _MAX_CANDIDATE_CHARACTERS:
            continue
        found.append(new_mention("Model", doc[i:end], sentence_of[i], 0.5))
        covered.update(range(i, end))
    return found


def new_mention(kind: MentionKind, span: Span, sentence: int, confidence: float) -> Mention:
    """A mention of an entity the graph does not hold."""
    return Mention(
        kind,
        slugify(span.text),
        span.text,
        span.start_char,
        span.start,
        span.end,
        sentence,
        False,
        confidence,
    )


def find_divisions(
    doc: Doc, mentions: list[Mention], known: Gazetteer, sentence_of: list[int]
) -> list[Mention]:
    """ "Its cloud division": the part of the last-named organization with that word in its
    name (Alibaba Cloud of Alibaba)."""
    found: list[Mention] = []
    covered = _covered(mentions)
    for i in range(len(doc) - 2):
        if doc[i].lower_ not in ("its", "their") or doc[i + 2].lower_ not in _DIVISION_NOUNS:
            continue
        if i + 1 in covered:
            continue
        before = [m for m in mentions if m.kind == "Organization" and m.token < i]
        if not before:
            continue
        word = doc[i + 1].lower_
        for part in known.parts(before[-1].slug):
            if any(word in name.lower().split() for name in (part.name, *part.aliases)):
                span = doc[i : i + 3]
                found.append(
                    Mention(
                        "Organization",
                        part.slug,
                        span.text,
                        span.start_char,
                        i,
                        i + 3,
                        sentence_of[i],
                        True,
                        0.8,
                    )
                )
                break
    return found


def developer_of(doc: Doc, mentions: list[Mention], model: Mention) -> tuple[str, ...]:
    """Who the article says made a new model: "X's Model", or "its Model" after X."""
    orgs = [
        m
        for m in mentions
        if m.kind == "Organization" and m.sentence == model.sentence and m.token < model.token
    ]
    if not orgs:
        return ()
    last = orgs[-1]
    if last.end_token + 1 == model.token and doc[last.end_token].text in POSSESSIVE:
        return (last.slug,)
    nearby = {doc[i].lower_ for i in range(max(0, model.token - 3), model.token)}
    if nearby & {"its", "their"}:
        return (last.slug,)
    return ()
