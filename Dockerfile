# Onward: one image, three roles — web | scheduler | migrate.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    ONWARD_ENV=production FLASK_APP=backend PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY backend ./backend
COPY ml ./ml
RUN pip install -c constraints.txt . && useradd --create-home --uid 10001 onward
COPY content ./content
COPY migrations ./migrations
COPY scripts/docker-entrypoint.sh /usr/local/bin/onward
RUN mkdir -p /app/instance /tmp/prometheus && chown -R onward /app/instance /tmp/prometheus
USER onward
EXPOSE 8000
ENTRYPOINT ["onward"]
CMD ["web"]
