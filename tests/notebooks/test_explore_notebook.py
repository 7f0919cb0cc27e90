"""notebooks/explore.ipynb runs top to bottom against the test Neo4j, so it cannot rot."""

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]


def test_explore_notebook_runs_top_to_bottom(neo4j_server, ingest, monkeypatch) -> None:
    ingest(ROOT / "seeds")
    # The kernel inherits the environment: it connects the way `atlas` does with NEO4J_URI set.
    monkeypatch.setenv("NEO4J_URI", neo4j_server.bolt_uri)
    monkeypatch.setenv("NEO4J_USER", "neo4j")
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password())
    notebook = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute(env=dict(os.environ))
    outputs = "\n".join(
        str(output.get("text", "")) + str(output.get("data", {}).get("text/html", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    assert "Alignment Faking" in outputs
    assert "concept (13)" in outputs and "Greenblatt et al." in outputs
    assert "entities" in outputs and "0." in outputs  # similar scores are listed
