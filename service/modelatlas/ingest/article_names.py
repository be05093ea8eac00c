"""The names an article is matched against: the graph's organizations, models and benchmarks
with their aliases, keyed by the project's own loose keys (`name_key`, `organization_key`) so
"Qwen 2.5 Max", "Llama-3.1-405B" and "Kimi K1.5" find their nodes without a second normaliser.

The only fuzziness added is explainable: a digit zero read as the letter o ("OpenAI 01" is
o1), and a developer's name written before a model's ("OpenAI 01" is OpenAI's "01").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from modelatlas.domain import Dataset
from modelatlas.ingest.epoch import model_lookup, name_key, organization_key


@dataclass(frozen=True, slots=True)
class KnownOrganization:
    """An organization of the graph: its names and the organization it is part of."""

    slug: str
    name: str
    aliases: tuple[str, ...] = ()
    part_of: str | None = None


@dataclass(frozen=True, slots=True)
class KnownModel:
    """A model of the graph: its names, developers and release date."""

    slug: str
    name: str
    aliases: tuple[str, ...] = ()
    developers: tuple[str, ...] = ()
    released_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class KnownBenchmark:
    """A benchmark of the graph and its name."""

    slug: str
    name: str


def confusable_key(key: str) -> str:
    """A key with the digit zero read as the letter o, so "OpenAI 01" meets "OpenAI o1"."""
    return key.replace("0", "o")


def _key(key_of: Any, text: str) -> str | None:
    """A loose key, or None for text without letters or digits."""
    try:
        key: str = key_of(text)
    except ValueError:
        return None
    return key


@dataclass
class Gazetteer:
    """What an article's names are resolved to: the graph's entities by loose key."""

    organizations: Mapping[str, KnownOrganization]
    models: Mapping[str, KnownModel]
    benchmarks: Mapping[str, KnownBenchmark] = field(default_factory=dict)
    _org_keys: dict[str, str] = field(init=False, repr=False)
    _model_keys: dict[str, str] = field(init=False, repr=False)
    _model_confusable: dict[str, str] = field(init=False, repr=False)
    _benchmark_keys: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._org_keys = model_lookup(
            ((o.slug, (o.name, *o.aliases)) for o in self.organizations.values()),
            organization_key,
        )
        self._model_keys = model_lookup(
            (m.slug, (m.name, *m.aliases)) for m in self.models.values()
        )
        confusable: dict[str, set[str]] = {}
        for key, slug in self._model_keys.items():
            confusable.setdefault(confusable_key(key), set()).add(slug)
        self._model_confusable = {k: next(iter(v)) for k, v in confusable.items() if len(v) == 1}
        self._benchmark_keys = model_lookup((b.slug, (b.name,)) for b in self.benchmarks.values())

    @classmethod
    def from_records(
        cls,
        organizations: Iterable[KnownOrganization],
        models: Iterable[KnownModel],
        benchmarks: Iterable[KnownBenchmark] = (),
    ) -> Gazetteer:
        """A gazetteer over these entities."""
        return cls(
            {o.slug: o for o in organizations},
            {m.slug: m for m in models},
            {b.slug: b for b in benchmarks},
        )

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> Gazetteer:
        """A gazetteer over a dataset's records (the seed YAML, without a database)."""
        return cls.from_records(
            (
                KnownOrganization(o.slug, o.name, tuple(o.aliases), o.part_of)
                for o in dataset.organizations
            ),
            (
                KnownModel(m.slug, m.name, tuple(m.aliases), tuple(m.developers), m.released_on)
                for m in dataset.models
            ),
            (KnownBenchmark(b.slug, b.name) for b in dataset.benchmarks),
        )

    def organization(self, text: str) -> str | None:
        """The slug of the organization this text names, if one."""
        key = _key(organization_key, text)
        return None if key is None else self._org_keys.get(key)

    def benchmark(self, text: str) -> str | None:
        """The slug of the benchmark this text names, if one."""
        key = _key(name_key, text)
        return None if key is None else self._benchmark_keys.get(key)

    def model(self, text: str, words: Sequence[str] = ()) -> tuple[str, float] | None:
        """The slug of the model this text names and how sure that is: 1.0 for a name or alias,
        0.8 for a zero read as o, 0.7 after dropping a developer's name written before it
        (`words` are the text's tokens, to find that name)."""
        key = _key(name_key, text)
        if key is None:
            return None
        if key in self._model_keys:
            return self._model_keys[key], 1.0
        if confusable_key(key) in self._model_confusable:
            return self._model_confusable[confusable_key(key)], 0.8
        for cut in range(1, len(words)):
            org = self.organization(" ".join(words[:cut]))
            if org is None:
                continue
            rest = _key(name_key, " ".join(words[cut:]))
            if rest is None or rest in self._model_keys:
                return None  # the model's own name follows: it is matched by itself
            slug = self._model_keys.get(rest) or self._model_confusable.get(confusable_key(rest))
            if slug is not None and org in self.family(self.models[slug].developers):
                return slug, 0.7
        return None

    def family(self, slugs: Iterable[str]) -> set[str]:
        """These organizations with those they are part of and their parts, so Alibaba's model
        is also Alibaba Cloud's."""
        found = set(slugs)
        changed = True
        while changed:
            changed = False
            for org in self.organizations.values():
                linked = org.slug in found or (org.part_of is not None and org.part_of in found)
                if linked and (org.slug not in found or (org.part_of and org.part_of not in found)):
                    found.add(org.slug)
                    if org.part_of:
                        found.add(org.part_of)
                    changed = True
        return found

    def parts(self, slug: str) -> list[KnownOrganization]:
        """The organizations that are part of this one (Alibaba Cloud of Alibaba)."""
        return [o for o in self.organizations.values() if o.part_of == slug]

    def latest_model(self, developers: Iterable[str], on_or_before: dt.date) -> str | None:
        """The family's model released last by this date, for an article's "its new model"
        when it names none."""
        family = self.family(developers)
        dated = [
            m
            for m in self.models.values()
            if m.released_on is not None
            and m.released_on <= on_or_before
            and family.intersection(m.developers)
        ]
        if not dated:
            return None
        return max(dated, key=lambda m: (m.released_on or dt.date.min, m.slug)).slug
