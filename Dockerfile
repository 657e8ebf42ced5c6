FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph graph
COPY loaders loaders
COPY queries queries
COPY api api
RUN pip install --no-cache-dir .
# Embedded store by default; docker-compose.yml points GOVGRAPH_STORE at Neo4j.
ENV GOVGRAPH_STORE=/data/govgraph.db
# tokens and the audit log: kept in the volume, apart from the graph
ENV GOVGRAPH_SECURITY_DB=/data/security.db
VOLUME /data
EXPOSE 8000
CMD ["sh", "-c", "govgraph init && govgraph load scenario xinqiao --if-empty && govgraph serve --host 0.0.0.0 --port 8000"]
