"""Where a record came from, and what is wrong with it: every error names file, line and field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.errors import AtlasError


@dataclass(frozen=True, slots=True)  # one per record read: millions at scale
class Location:
    path: Path
    line: int  # 1-based line of a record (for CSV, of its row); 0 for the file as a whole

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else str(self.path)


@dataclass(frozen=True)
class Problem:
    location: Location
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.location}: field '{self.field}'" if self.field else f"{self.location}"
        return f"{where}: {self.message}"


class IngestError(AtlasError):
    """The input is invalid; nothing was written. Carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {problem}" for problem in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the input; nothing was written:\n{shown}{more}")
