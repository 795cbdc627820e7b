# rewards-sandbox as a service container.
#   docker build -t rewards-sandbox .
#   docker run -p 8080:8080 rewards-sandbox
# Every setting comes from SANDBOX_* variables (see the README). For state that survives
# restarts, mount a volume at /data and set SANDBOX_DB=/data/sandbox.sqlite.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SANDBOX_HOST=0.0.0.0 \
    SANDBOX_PORT=8080 \
    SANDBOX_WORKERS=2

WORKDIR /src
# constraints.txt pins every dependency to the versions the test suite passed with (.ci/pin)
COPY pyproject.toml README.md constraints.txt ./
COPY sandbox ./sandbox
COPY scenarios ./scenarios
COPY fixtures ./fixtures
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --create-home --uid 10001 sandbox \
    && mkdir -p /data && chown sandbox:sandbox /data

USER sandbox
WORKDIR /home/sandbox
VOLUME ["/data"]
EXPOSE 8080

# While starting (up to 30 s), check every half second, so the container reports healthy
# within about a second of the server answering; after that, every 10 s.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --start-interval=500ms --retries=3 \
    CMD ["python", "-m", "sandbox.healthcheck"]

CMD ["rewards-sandbox", "serve"]
