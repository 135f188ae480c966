# The worker image (docker-compose.yml's `worker` service). Any number of these can run at once:
# they share one task queue. Configuration is EHCP_ environment variables (ehcp/settings.py).
# Pinned by digest (the multi-arch index of python:3.11.13-slim-bookworm): a rebuild gets the
# same base. To move on: `docker buildx imagetools inspect python:3.11-slim-bookworm` and paste
# the new tag and its digest here.
FROM python:3.11.13-slim-bookworm@sha256:86adf8dbadc3d6e82ee5dd2c74bec2e1c2467cdad47886280501df722372d2e1

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    EHCP_OUTBOX_DIR=/var/lib/ehcp/outbox

RUN useradd --system --uid 10001 --user-group --create-home ehcp \
 && install -d -m 0700 -o ehcp -g ehcp /var/lib/ehcp /var/lib/ehcp/outbox

WORKDIR /app

# Dependencies first, exactly those of requirements.lock (made by `make lock`), each checked
# against its hash, so a code change does not reinstall them and a rebuild cannot drift.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

# The project's code, run from /app (no build step, so nothing unlocked is fetched).
# .dockerignore lets in only what the worker and codec server need.
COPY . .

USER ehcp
CMD ["python", "worker.py"]
