"""`atlas`: run Neo4j, ingest files, serve the API, look at entities, curate.

Each group of commands lives in a module of its own; this one only puts them together. Exit codes
and the helpers they share are in cli/common.py.
"""

from __future__ import annotations

import typer

from cli import curation, importers, loading, reading, searching, serving, suggesting
from cli.server import neo4j_app

app = typer.Typer(help="Atlas: a knowledge graph of a research field, on Neo4j.", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
for command in (
    loading.ingest,
    serving.serve,
    serving.run,
    reading.stats,
    reading.show,
    searching.search,
    suggesting.suggest,
):
    app.command()(command)
curation.register_curation(app)  # candidates, link, dismiss, merge, undo, decisions
importers.register_importers(app)  # import wn18rr | codex | synthetic

if __name__ == "__main__":
    app()
