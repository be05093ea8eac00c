"""A batch of records that is validated, checked for dangling references and written together."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from pydantic import Field

from modelatlas.domain.records import (
    RECORD_TYPES,
    Benchmark,
    Claim,
    Country,
    Input,
    MarketEvent,
    Model,
    Organization,
    Record,
    Release,
    Result,
    Source,
)
from modelatlas.domain.values import MAX_RECORDS, shorten

_ATTRIBUTE_OF: Final[dict[str, str]] = {key: key for key in RECORD_TYPES} | {
    "marketEvents": "market_events"
}


@dataclass(frozen=True, slots=True)
class ReferenceProblem:
    """A reference from one record to a key that no record of the target kind defines."""

    kind: str
    record: str
    field: str
    missing: str
    target: str

    def __str__(self) -> str:
        """Read as one line, e.g. "Claim 'x': against: no Model 'gpt-5' is defined"."""
        where = f"{self.kind} {shorten(self.record)!r}: {self.field}"
        return f"{where}: no {self.target} {shorten(self.missing)!r} is defined"


class Dataset(Input):
    """A batch of records that is validated, checked and written together."""

    sources: list[Source] = Field(default_factory=list, max_length=MAX_RECORDS)
    countries: list[Country] = Field(default_factory=list, max_length=MAX_RECORDS)
    organizations: list[Organization] = Field(default_factory=list, max_length=MAX_RECORDS)
    models: list[Model] = Field(default_factory=list, max_length=MAX_RECORDS)
    releases: list[Release] = Field(default_factory=list, max_length=MAX_RECORDS)
    benchmarks: list[Benchmark] = Field(default_factory=list, max_length=MAX_RECORDS)
    claims: list[Claim] = Field(default_factory=list, max_length=MAX_RECORDS)
    results: list[Result] = Field(default_factory=list, max_length=MAX_RECORDS)
    market_events: list[MarketEvent] = Field(default_factory=list, max_length=MAX_RECORDS)

    def collection(self, name: str) -> list[Record]:
        """The records stored under a YAML key such as "marketEvents"."""
        records: list[Record] = getattr(self, _ATTRIBUTE_OF[name])
        return records

    def records(self) -> Iterator[Record]:
        """Every record, targets before the records that point to them."""
        for name in RECORD_TYPES:
            yield from self.collection(name)

    def keys(self) -> dict[str, set[str]]:
        """The natural keys defined in this dataset, per kind."""
        defined: dict[str, set[str]] = {cls.KIND: set() for cls in RECORD_TYPES.values()}
        for record in self.records():
            defined[record.KIND].add(record.key)
        return defined

    def duplicate_keys(self) -> list[tuple[str, str]]:
        """(kind, key) pairs defined more than once, which would merge into one node."""
        counts = Counter((record.KIND, record.key) for record in self.records())
        return [pair for pair, count in counts.items() if count > 1]

    def check_references(self) -> list[ReferenceProblem]:
        """References that point to nothing defined here; the graph may still hold them.

        ``Organization.country`` is not checked: Country nodes come from the ISO table.
        """
        defined = self.keys()
        problems: list[ReferenceProblem] = []
        for record in self.records():
            fields = type(record).model_fields
            for field_name, target, key in record.references():
                if key not in defined[target]:
                    external = fields[field_name].alias or field_name
                    problems.append(
                        ReferenceProblem(record.KIND, record.key, external, key, target)
                    )
        return problems

    def merge(self, other: "Dataset") -> "Dataset":
        """Both datasets' records in one, this one's first; duplicates are kept to be reported."""
        merged = {
            attribute: [*getattr(self, attribute), *getattr(other, attribute)]
            for attribute in _ATTRIBUTE_OF.values()
        }
        return Dataset.model_validate(merged)
