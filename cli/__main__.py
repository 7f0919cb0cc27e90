"""`python -m cli` is `atlas`."""

from cli.main import app

app()
