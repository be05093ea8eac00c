"""Problems found while loading input files, reported all at once with where they are."""

from collections.abc import Sequence
from dataclasses import dataclass

from modelatlas.errors import InvalidInput

__all__ = ["Problem", "SeedValidationError"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in one input file, located well enough to fix it by hand."""

    file: str
    line: int | None
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        """Read as "file:line: kind[index] (key): field: message", leaving out what is unknown."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return ": ".join(part for part in (where, self.record, self.field, self.message) if part)


class SeedValidationError(InvalidInput):
    """Raised instead of loading anything, so a bad seed never half-writes the graph."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        """Keep every problem for callers that report them their own way."""
        self.problems: list[Problem] = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        """A count followed by one line per problem."""
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in seed data"
        return "\n".join([f"{heading}:", *(f"  {problem}" for problem in self.problems)])
