"""`notebooks/explore.ipynb` runs top to bottom against the test Neo4j, so it cannot rot.

The kernel gets the connection the way a user's shell would give it: NEO4J_URI, NEO4J_USER and
NEO4J_PASSWORD in its environment. What the notebook shows is compared with the API's page.
"""

import html
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
PAGE_ID = "concept:alignment-faking"


@pytest.fixture
def executed(neo4j_server, seeded, tmp_path) -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    env = {
        **os.environ,
        "NEO4J_URI": neo4j_server.bolt_uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": neo4j_server.password(),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "MPLCONFIGDIR": str(tmp_path / "matplotlib"),
    }
    client = NotebookClient(  # the kernel starts in notebooks/, as Jupyter starts it
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute(env=env)  # raises CellExecutionError, naming the cell, if any cell fails
    return notebook


def outputs_of(notebook: nbformat.NotebookNode, tag: str) -> list[dict[str, Any]]:
    cells = [cell for cell in notebook.cells if tag in cell.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"expected one cell tagged {tag!r}"
    return [output.get("data", {}) for output in cells[0].outputs]


def html_of(notebook: nbformat.NotebookNode, tag: str) -> str:
    return html.unescape("".join(data.get("text/html", "") for data in outputs_of(notebook, tag)))


def test_the_stored_notebook_has_no_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


def test_notebook_runs_and_shows_the_api_page(executed, client) -> None:
    page = client.get(f"/entities/{PAGE_ID}").json()

    entity_markdown = "".join(data.get("text/markdown", "") for data in outputs_of(executed, "entity"))
    assert page["entity"]["name"] in entity_markdown
    assert f"{page['entity']['degree']} typed relations" in entity_markdown

    table = html_of(executed, "neighbourhood-table")
    positions = []
    for group in page["neighborhood"]["groups"]:
        heading = f"{group['type']} ({group['count']})"
        positions.append(table.index(heading))
        for neighbour in group["neighbors"]:
            assert neighbour["name"] in table
    assert positions == sorted(positions), "groups are not in the page's order"

    assert any("image/png" in data for data in outputs_of(executed, "neighbourhood-graph"))

    similar = html_of(executed, "similar-table")
    assert page["similar"]["items"], "the seed page has similar entities to show"
    for item in page["similar"]["items"]:
        assert f"<td style='text-align:left'>{item['score']:.3f}</td>" in similar
        assert item["name"] in similar
