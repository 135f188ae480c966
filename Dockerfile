# The worker image (docker-compose.yml's `worker` service). Any number of these can run at once:
# they share one task queue. Configuration is EHCP_ environment variables (ehcp/settings.py).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    EHCP_OUTBOX_DIR=/var/lib/ehcp/outbox \
    EHCP_SENT_LEDGER_DIR=/var/lib/ehcp/sent-ledger

RUN useradd --system --uid 10001 --user-group --create-home ehcp \
 && install -d -m 0700 -o ehcp -g ehcp /var/lib/ehcp /var/lib/ehcp/outbox /var/lib/ehcp/sent-ledger

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# The project itself (no dev extra). .dockerignore lets in only what the worker needs.
COPY . .
RUN pip install --no-deps .

USER ehcp
CMD ["python", "worker.py"]
