# One image for the whole platform: the router or any subgraph, chosen by the command.
#   router:    uvicorn renku_fed.router.serve:create_app --factory --host 0.0.0.0 --port 4000
#   subgraph:  uvicorn renku_fed.subgraphs.<users|projects|sessions|kg|storage>.app:create_app ...
# charts/renku-federation runs it so; no container engine runs in our tests, tests/charts checks it.

# The web front end (ui/), built into router/http/web.
FROM node:20-bookworm-slim AS ui
WORKDIR /src/ui
COPY ui/package.json ui/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY ui/ ./
RUN npm run build

# The Python packages, built with the compilers some wheels may need, into one venv.
FROM python:3.11-slim-bookworm AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY cli/ cli/
COPY identity/ identity/
COPY observability/ observability/
COPY router/ router/
COPY schema/ schema/
COPY subgraphs/ subgraphs/
COPY sdk/ sdk/
RUN pip install ./sdk '.[all]'
COPY --from=ui /src/router/http/web /opt/venv/lib/python3.11/site-packages/renku_fed/router/http/web

# What runs: the venv, git for the projects' repositories, rclone for the storage types (its
# provider schema) and local mounts, no build tools, a non-root user.
FROM python:3.11-slim-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends git rclone \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 renku \
    && useradd --uid 10001 --gid renku --home-dir /home/renku --create-home renku \
    && mkdir -p /data && chown renku:renku /data
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
WORKDIR /data
EXPOSE 4000 4001 4002 4003 4004 4005
CMD ["uvicorn", "renku_fed.router.serve:create_app", "--factory", "--host", "0.0.0.0", "--port", "4000"]
