# The Model Atlas API; it talks to the Neo4j named by NEO4J_URI (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY schema ./schema
COPY seed ./seed
RUN pip install . && useradd --create-home atlas
USER atlas
EXPOSE 8000
CMD ["modelatlas", "serve"]
