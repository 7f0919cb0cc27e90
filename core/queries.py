"""Loads the Cypher in `cypher/*.cypher`: the same text Neo4j Browser and notebooks run.

Each file begins with a comment holding an example parameter line, e.g.
`// :params {id: 'concept:alignment-faking', limit: 25}`; paste it (without `//`) into Neo4j Browser
(`:params` sets several parameters at once), then run the file unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import LiteralString

PARAM_LINE = re.compile(r"^//[ \t]*(:params?(?:[ \t]+.*)?)$", re.MULTILINE)


class Queries:
    """The named Cypher queries of a `cypher/` folder, read once."""

    def __init__(self, cypher_dir: Path) -> None:
        self._texts: dict[str, LiteralString] = {
            path.stem: path.read_text(encoding="utf-8") for path in cypher_dir.glob("*.cypher")
        }
        if not self._texts:
            raise FileNotFoundError(f"no .cypher files in {cypher_dir}")

    def __getitem__(self, name: str) -> LiteralString:
        return self._texts[name]  # text from a repository file, never from user input

    def names(self) -> list[str]:
        return sorted(self._texts)

    def example_param_line(self, name: str) -> str:
        """The `:params {...}` line of a query's header, as Browser takes it."""
        match = PARAM_LINE.search(self._texts[name])
        if match is None:
            raise ValueError(f"{name}.cypher has no '// :params {{...}}' header line")
        return match.group(1)

    def example_params_map(self, name: str) -> str:
        """The Cypher map literal of the header line, e.g. `{id: 'concept:x', limit: 25}`."""
        line = self.example_param_line(name)
        return line.split(None, 1)[1] if " " in line else "{}"
