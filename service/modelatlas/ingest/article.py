"""Facts drafted from a news article without a hosted model: who claims their model beats
whose, and what moved in the market, each with the sentence it came from and a confidence.

spaCy is used as a blank English pipeline only (`spacy.blank("en")`: its tokenizer, the
rule-based sentencizer and `Matcher`), never a trained one: nothing is downloaded at install or
run time, the same text always gives the same facts, and every rule is here to read. Names are
resolved through the graph's own names and aliases (article_names, article_mentions), dates by
article_dates; the rules are:

* mentions: the longest run of tokens (at most six) whose loose key names a known organization,
  model or benchmark; a known model name followed by a version or suffix ("Gemini 2.5 Pro",
  "GPT-4 Turbo") is a new model; unknown "the Beijing-based startup X", "the parent company of
  X", "shares of X", "X's stock", "xAI said" (organizations) and capitalised versioned names
  ("Kimi K1.5") become candidate new entities;
* claims: a comparative verb ("outperforms", "surpasses", "beats", "tops", "edges out",
  "matching"...); the models after it are compared against (an organization named alone there
  stands for its model mentioned nearest in the article); the subject is the model before it,
  or for "its R1 model" the claimant's name with R1, for "the/its (new) model" the subject of
  the claimant's previous claim, else its model mentioned nearest, else its latest model in the
  graph; the claimant is the organization said to speak ("X said"), else the sentence's first
  organization that is not only a model's owner, else the subject's developer, else the last
  organization named; a second verb in a sentence shares the first one's subject;
* market events: a stock noun with a move verb ("shares fell", "stock declines") affects the
  organizations named just before it (or listed after "shares of"; an owner of something else,
  "OpenAI's largest investor", is not one); an App Store mention is an APP_STORE_RANK event for
  the organizations of its sentence and the developers of the models it names;
* dates, against the article's date: "N days ago", "just days ago" (three days, approximate),
  "yesterday", "last week", a weekday (the last one by then) and "Month D[, YYYY]"; "N days
  later" counts from the previous dated fact; a fact without one takes the article's date,
  marked approximate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from modelatlas.domain import ClaimKind, EventKind
from modelatlas.ingest.article_dates import DateResolver
from modelatlas.ingest.article_mentions import (
    POSSESSIVE,
    SPEECH_VERBS,
    Candidate,
    Mention,
    MentionKind,
    developer_of,
    find_divisions,
    find_mentions,
    propose_candidates,
    words,
)
from modelatlas.ingest.article_names import Gazetteer

__all__ = [
    "Candidate",
    "ExtractedClaim",
    "ExtractedEvent",
    "Extraction",
    "Gazetteer",
    "Mention",
    "extract",
]

_OWN_MODEL_NOUNS: Final = words("model iteration version chatbot llm system assistant")
_NOT_NAME_WORDS: Final = words("new latest own ai updated upgraded reasoning flagship open")
_CLAUSE_END: Final = frozenset({";", "while", "but", "whereas", "although", "though"})

_COMPARATIVES: Final[dict[ClaimKind, list[list[dict[str, object]]]]] = {
    ClaimKind.OUTPERFORMS: [
        [
            {
                "LOWER": {
                    "IN": sorted(
                        words(
                            "outperform outperforms outperformed outperforming surpass surpasses "
                            "surpassed surpassing beat beats beating bested tops topped topping "
                            "exceeds exceeded outscores outscored outshines outclasses trumps"
                        )
                    )
                }
            }
        ],
        [{"LOWER": {"IN": ["edges", "edged", "edging", "edge"]}}, {"LOWER": "out"}],
        [{"LOWER": {"IN": ["better", "stronger"]}}, {"LOWER": "than"}],
    ],
    ClaimKind.MATCHES: [
        [{"LOWER": {"IN": ["matches", "matched", "matching", "rivals"]}}],
        [{"LOWER": "on"}, {"LOWER": "par"}, {"LOWER": "with"}],
    ],
}
_STOCK_NOUNS: Final = words("stock stocks shares share valuation")
_STOCK_DOWN: Final = words(
    "drop drops dropped fall falls fell decline declines declined slump slumped plunge plunged "
    "plunging tumble tumbled sank sink sinks slid slide lost loss losses"
)
_STOCK_UP: Final = words("rise rose rises jump jumped gain gained surge surged soared")
_STORES: Final = ("app store", "play store", "google play")
_NOT_A_CLAIM_AFTER: Final = frozenset({"chart", "charts", "store", "ranking", "rankings", "list"})

_PERCENT: Final = re.compile(r"(\d+(?:\.\d+)?)\s?(?:%|percent\b|per cent\b)")


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    """A comparative claim as the article reports it."""

    kind: ClaimKind
    claimant: str
    subject: str
    against: tuple[str, ...]
    sentence: str
    confidence: float
    benchmark: str | None = None
    made_on: dt.date | None = None
    date_approximate: bool = True


@dataclass(frozen=True, slots=True)
class ExtractedEvent:
    """A market event as the article reports it."""

    kind: EventKind
    affected: tuple[str, ...]
    sentence: str
    confidence: float
    date: dt.date
    date_approximate: bool = True
    models: tuple[str, ...] = ()
    magnitude: float | None = None
    unit: str | None = None


@dataclass
class Extraction:
    """Everything drafted from one article."""

    mentions: list[Mention] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    claims: list[ExtractedClaim] = field(default_factory=list)
    events: list[ExtractedEvent] = field(default_factory=list)

    def slugs(self, kind: MentionKind) -> set[str]:
        """The slugs of one kind the article mentions, known or proposed."""
        return {m.slug for m in self.mentions if m.kind == kind}


@Language.component("modelatlas_paragraphs")
def _paragraph_breaks(doc: Doc) -> Doc:
    """A blank line ends a sentence too, so a headline without a full stop stands alone."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text and doc[token.i - 1].is_space:
            token.is_sent_start = True
    return doc


@cache
def _pipeline() -> tuple[Language, Matcher]:
    """The blank English pipeline with a sentencizer and the comparative-verb matcher."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("modelatlas_paragraphs")
    tokenizer: Any = nlp.tokenizer  # a spacy.tokenizer.Tokenizer (compiled, without stubs)
    for abbreviation in ("No.", "Inc.", "Corp.", "Ltd.", "Co."):
        tokenizer.add_special_case(abbreviation, [{"ORTH": abbreviation}])
    # "405B." and "V3." end sentences: split the full stop off a token ending in a digit or
    # in a digit and a letter (spaCy keeps it on, as for abbreviations).
    suffixes = [*(nlp.Defaults.suffixes or ()), r"(?<=[0-9])\.", r"(?<=[0-9][A-Za-z])\."]
    tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
    matcher = Matcher(nlp.vocab)
    for kind, patterns in _COMPARATIVES.items():
        matcher.add(kind.value, patterns)
    return nlp, matcher


# --------------------------------------------------------------------------- extraction


@dataclass
class _Context:
    """One article being read: its tokens, mentions and names."""

    doc: Doc
    known: Gazetteer
    mentions: list[Mention]
    published_on: dt.date
    new_developers: dict[str, tuple[str, ...]]
    last_subject: dict[str, str] = field(default_factory=dict)
    """Claimant -> the subject of its last claim, for "the model" in the next one."""

    def speaks(self, mention: Mention) -> bool:
        """Whether a name is followed by a speech verb ("DeepSeek said")."""
        return mention.end_token < len(self.doc) and (
            self.doc[mention.end_token].lower_ in SPEECH_VERBS
        )

    def in_sentence(self, sentence: Span) -> list[Mention]:
        """Mentions inside one sentence, in order."""
        return [m for m in self.mentions if sentence.start <= m.token < sentence.end]

    def possessor(self, mention: Mention) -> bool:
        """Whether an organization is named as the owner of the next name ("Meta's Llama")."""
        after = mention.end_token
        if after >= len(self.doc) or self.doc[after].text not in POSSESSIVE:
            return False
        return any(m.token == after + 1 for m in self.mentions)

    def models_of(self, developers: set[str], near: int, exclude: set[str]) -> str | None:
        """The family's model mentioned nearest to a character offset."""
        family = self.known.family(developers)
        best: tuple[int, str] | None = None
        for m in self.mentions:
            if m.kind != "Model" or m.slug in exclude:
                continue
            if not family.intersection(self.developers(m.slug)):
                continue
            distance = abs(m.start - near)
            if best is None or distance < best[0]:
                best = (distance, m.slug)
        return None if best is None else best[1]

    def developers(self, model: str) -> set[str]:
        """A model's developers: the graph's, or those the article gives a new model."""
        entry = self.known.models.get(model)
        return set(entry.developers) if entry else set(self.new_developers.get(model, ()))


def _claims(
    context: _Context, matcher: Matcher, sentence: Span, dates: DateResolver
) -> Iterator[ExtractedClaim]:
    """A sentence's comparative claims, one per comparative verb with a model after it."""
    doc = context.doc
    triggers = sorted(
        (start, end, ClaimKind(doc.vocab.strings[match_id]))
        for match_id, start, end in matcher(sentence.as_doc())
    )
    mentions = context.in_sentence(sentence)
    found: list[dict[str, object]] = []
    begin = sentence.start
    for index, (start, end, kind) in enumerate(triggers):
        at, stop = sentence.start + start, sentence.start + end
        limit = triggers[index + 1][0] + sentence.start if index + 1 < len(triggers) else None
        previous = found[-1] if found else None
        claim = _claim(context, sentence, mentions, kind, (begin, at, stop, limit), previous)
        if claim is not None:
            found.append(claim)
        begin = stop
    if found:
        date, approximate = dates.resolve(sentence.text)
        for claim in found:
            yield ExtractedClaim(**claim, made_on=date, date_approximate=approximate)  # type: ignore[arg-type]


def _named_own_model(context: _Context, claimant: str, window: range) -> str | None:
    """The model "its R1 model" names: the claimant's name with the words between "its" and
    the model noun, looked up as one name ("DeepSeek R1" is deepseek-r1)."""
    doc = context.doc
    owner = context.known.organizations.get(claimant)
    starts = [i for i in window if doc[i].lower_ in ("its", "their")]
    if owner is None or not starts:
        return None
    names = [doc[i].text for i in range(starts[-1] + 1, window.stop)]
    while names and names[-1].lower() in _OWN_MODEL_NOUNS:
        names.pop()
    if not names or names[0].lower() in _NOT_NAME_WORDS:
        return None
    for name in (owner.name, *owner.aliases):
        found = context.known.model(" ".join([name, *names]))
        if found is not None:
            return found[0]
    return None


def _claim(
    context: _Context,
    sentence: Span,
    mentions: list[Mention],
    kind: ClaimKind,
    where: tuple[int, int, int, int | None],
    previous: dict[str, object] | None,
) -> dict[str, object] | None:
    """One claim around a comparative verb (fields of ExtractedClaim). `where` is (where the
    clause before it starts, the verb's first token, the token after it, where the next verb
    starts); `previous` is the sentence's claim before it, whose subject a second verb shares
    ("beats A, while matching B")."""
    doc = context.doc
    begin, at, stop, limit = where
    end = sentence.end if limit is None else limit
    for i in range(stop, end):
        if doc[i].lower_ in _CLAUSE_END:
            end = i
            break
    if any(doc[i].lower_ in _NOT_A_CLAIM_AFTER for i in range(stop, min(end, stop + 4))):
        return None  # "tops the App Store chart" is a ranking, not a comparison
    if previous is not None:
        # A second verb's own subject follows the last clause break ("while", "and that").
        breaks = [i for i in range(begin, at) if doc[i].lower_ in _CLAUSE_END | {"that"}]
        begin = breaks[-1] + 1 if breaks else begin
    before = [m for m in mentions if begin <= m.token and m.end_token <= at]
    after = [m for m in mentions if stop <= m.token < end]
    confidence = 0.9
    # The claimant: an organization said to speak after the comparison (", Alibaba said"),
    # else the first organization before the verb that is not only a model's owner.
    speakers = [m for m in after if m.kind == "Organization" and context.speaks(m)]
    orgs_before = [m for m in before if m.kind == "Organization"]
    subject_models = [m for m in before if m.kind == "Model"]
    subject: str | None = subject_models[-1].slug if subject_models else None
    window = range(max(sentence.start, begin, at - 5), at)
    anaphora = any(doc[i].lower_ in ("its", "their", "the") for i in window) and any(
        doc[i].lower_ in _OWN_MODEL_NOUNS for i in window
    )
    claimant: str | None = None
    if speakers:
        claimant = speakers[0].slug
    elif orgs_before:
        # Who is said to speak ("after DeepSeek said its model..."), else the sentence's
        # subject, not an apposition ("ByteDance, the parent company of X").
        said = [m for m in orgs_before if context.speaks(m)]
        speaking = [m for m in orgs_before if not context.possessor(m)]
        claimant = said[-1].slug if said else speaking[0].slug if speaking else orgs_before[-1].slug
    elif previous is not None and subject is None:
        claimant, subject = str(previous["claimant"]), str(previous["subject"])
        confidence -= 0.1
    elif subject is not None and context.developers(subject):
        claimant = sorted(context.developers(subject))[0]
        confidence -= 0.1
    if claimant is None:
        # "The company claims...": the last organization named as itself, not as an owner.
        prior = [
            m
            for m in context.mentions
            if m.kind == "Organization" and m.token < at and not context.possessor(m)
        ]
        if not prior:
            return None
        claimant = prior[-1].slug
        confidence -= 0.2
    speaker_tokens = {m.token for m in speakers}
    if subject is None:
        if not anaphora and not orgs_before:
            return None
        # "its R1 model": the claimant's name before the words ("DeepSeek R1"); "the model"
        # just after a claim of the same claimant: that claim's subject; else the claimant's
        # model mentioned nearest.
        subject = (
            _named_own_model(context, claimant, window)
            or context.last_subject.get(claimant)
            or context.models_of({claimant}, doc[at].idx, set())
        )
        confidence -= 0.1
        if subject is None:
            subject = context.known.latest_model({claimant}, context.published_on)
            confidence -= 0.2
        if subject is None:
            return None
    context.last_subject[claimant] = subject
    if subject not in context.known.models and not context.new_developers.get(subject):
        # A new model its claimant speaks for ("xAI said that Grok 3 outperforms...") is
        # taken as the claimant's own.
        context.new_developers[subject] = (claimant,)
    against: list[str] = []
    for m in after:
        if m.token in speaker_tokens:
            continue
        if m.kind == "Model" and m.slug != subject:
            against.append(m.slug)
        elif m.kind == "Organization" and not context.possessor(m) and m.slug != claimant:
            model = context.models_of({m.slug}, m.start, {subject})
            if model is not None:
                against.append(model)
                confidence -= 0.05
    against = list(dict.fromkeys(a for a in against if a != subject))
    if not against:
        return None
    benchmarks = [m.slug for m in after if m.kind == "Benchmark"]
    return {
        "kind": kind,
        "claimant": claimant,
        "subject": subject,
        "against": tuple(against),
        "sentence": sentence.text.strip(),
        "confidence": round(max(0.1, confidence), 2),
        "benchmark": benchmarks[0] if benchmarks else None,
    }


def _events(
    context: _Context, sentence: Span, dates: DateResolver, last_affected: tuple[str, ...]
) -> Iterator[ExtractedEvent]:
    """A sentence's stock move and app-store ranking; a stock move naming nobody ("tech
    stocks declined") affects those of the previous stock move, with a low confidence."""
    if True:
        text = sentence.text.strip()
        lowered = text.lower()
        mentions = context.in_sentence(sentence)
        orgs = [m for m in mentions if m.kind == "Organization"]
        models = tuple(dict.fromkeys(m.slug for m in mentions if m.kind == "Model" and m.known))
        stock = _stock_move(context, sentence, orgs)
        if stock is not None:
            affected, direction, confidence = stock
            if not affected and last_affected:
                affected, confidence = last_affected, 0.4
            if affected:
                date, approximate = dates.resolve(text)
                percent = _PERCENT.search(text)
                magnitude = direction * float(percent.group(1)) if percent else None
                yield ExtractedEvent(
                    EventKind.STOCK_MOVE,
                    affected,
                    text,
                    confidence,
                    date,
                    approximate,
                    models,
                    magnitude,
                    "percent" if magnitude is not None else None,
                )
        if any(store in lowered for store in _STORES):
            affected_orgs = [m.slug for m in orgs]
            for model in models:
                affected_orgs.extend(sorted(context.developers(model)))
            affected = tuple(dict.fromkeys(affected_orgs))
            if affected:
                date, approximate = dates.resolve(text)
                yield ExtractedEvent(
                    EventKind.APP_STORE_RANK, affected, text, 0.7, date, approximate, models
                )


def _stock_move(
    context: _Context, sentence: Span, orgs: list[Mention]
) -> tuple[tuple[str, ...], int, float] | None:
    """(affected organizations, direction, confidence) of a stock move in the sentence."""
    doc = context.doc
    nouns = [i for i in range(sentence.start, sentence.end) if doc[i].lower_ in _STOCK_NOUNS]
    for noun in nouns:
        window = range(max(sentence.start, noun - 6), min(sentence.end, noun + 7))
        nearby = {doc[i].lower_ for i in window}
        direction = -1 if nearby & _STOCK_DOWN else 1 if nearby & _STOCK_UP else 0
        if not direction:
            continue
        if noun + 1 < sentence.end and doc[noun + 1].lower_ == "of":
            # "Shares of Broadcom and Nvidia": the organizations listed after "of".
            following: list[Mention] = []
            for m in orgs:
                last = following[-1].end_token if following else noun + 2
                between = {doc[i].lower_ for i in range(last, m.token)}
                if m.token >= noun + 2 and between <= {",", "and", "&"}:
                    following.append(m)
            if following:
                return tuple(dict.fromkeys(m.slug for m in following)), direction, 0.85
        # "OpenAI's largest investor, ... its shares": an owner of something else is not
        # the one whose stock moved ("Alibaba's Hong Kong-listed shares" is).
        before = [
            m
            for m in orgs
            if m.end_token <= noun
            and (doc[m.end_token].text not in POSSESSIVE or noun - m.end_token <= 4)
        ]
        if not before:
            return (), direction, 0.0
        listed = [before[-1]]
        for m in reversed(before[:-1]):
            between = {doc[i].lower_ for i in range(m.end_token, listed[-1].token)}
            if between <= {",", "and", "&"}:
                listed.append(m)
            else:
                break
        affected = tuple(dict.fromkeys(m.slug for m in reversed(listed)))
        return affected, direction, 0.8
    return None


def extract(text: str, *, published_on: dt.date, known: Gazetteer) -> Extraction:
    """The mentions, candidate entities, comparative claims and market events of an article's
    cleaned text, dated against the day it was published."""
    nlp, matcher = _pipeline()
    doc = nlp(text)
    sentence_of = [0] * len(doc)
    for index, sentence in enumerate(doc.sents):
        for i in range(sentence.start, sentence.end):
            sentence_of[i] = index
    mentions = find_mentions(doc, known, sentence_of)
    mentions += find_divisions(doc, mentions, known, sentence_of)
    proposed = propose_candidates(doc, mentions, sentence_of)
    new = sorted([*(m for m in mentions if not m.known), *proposed], key=lambda m: m.token)
    mentions = sorted([*mentions, *proposed], key=lambda m: m.token)
    sentences = list(doc.sents)
    candidates: dict[str, Candidate] = {}
    for m in new:
        # Any mention may say who made it (the headline often does not): developers add up.
        developers = developer_of(doc, mentions, m) if m.kind == "Model" else ()
        first = candidates.get(m.slug)
        if first is None:
            candidates[m.slug] = Candidate(
                m.kind,  # type: ignore[arg-type]
                m.slug,
                m.text,
                sentences[m.sentence].text.strip(),
                m.confidence,
                developers,
            )
        elif developers and not set(developers) <= set(first.developers):
            merged = tuple(dict.fromkeys([*first.developers, *developers]))
            candidates[m.slug] = dataclasses.replace(first, developers=merged)
    new_developers = {c.slug: c.developers for c in candidates.values() if c.developers}
    context = _Context(doc, known, mentions, published_on, new_developers)
    # One pass over the sentences, so "two days later" counts from the fact before it,
    # whichever kind that was.
    dates = DateResolver(published_on)
    extraction = Extraction(mentions=mentions, candidates=list(candidates.values()))
    last_affected: tuple[str, ...] = ()
    for sentence in sentences:
        extraction.claims.extend(_claims(context, matcher, sentence, dates))
        for event in _events(context, sentence, dates, last_affected):
            extraction.events.append(event)
            if event.kind is EventKind.STOCK_MOVE:
                last_affected = event.affected
    for slug, candidate in list(candidates.items()):
        if candidate.kind == "Model" and not candidate.developers and slug in new_developers:
            candidate = dataclasses.replace(candidate, developers=new_developers[slug])
            extraction.candidates[extraction.candidates.index(candidates[slug])] = candidate
    return extraction
