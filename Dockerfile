# mock_canvas as a container: the Canvas User Observees API emulator, served by waitress.
# Classic Dockerfile syntax only (no BuildKit features), so any engine builds it:
#   docker build -t mock-canvas .
#   docker run --rm -p 8000:8000 mock-canvas
# See the README, "Run it in Docker".

# Stage 1: build the wheel from the source tree (the only stage that sees the sources).
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY mock_canvas ./mock_canvas
RUN pip wheel --no-deps --wheel-dir /wheels .

# Stage 2: the runtime image: the wheel and its dependencies, nothing else.
FROM python:3.11-slim
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1
COPY --from=build /wheels /tmp/wheels
# One RUN: the wheel is installed and deleted in the same layer; the user owns nothing.
RUN pip install /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels \
    && groupadd --system --gid 10001 mockcanvas \
    && useradd --system --uid 10001 --gid mockcanvas --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin mockcanvas \
    && mkdir /fixtures

# Every setting is a MOCK_CANVAS_* variable (see README "Settings"); inside a container the
# server must listen on every interface. Mount a fixture file and point MOCK_CANVAS_FIXTURES
# at it, e.g. -v "$PWD/school.yaml:/fixtures/school.yaml:ro" -e MOCK_CANVAS_FIXTURES=/fixtures/school.yaml
ENV MOCK_CANVAS_HOST=0.0.0.0 \
    MOCK_CANVAS_PORT=8000
EXPOSE 8000

USER 10001:10001
WORKDIR /fixtures

# No curl or wget in the image: Python's urllib asks the port the server really uses.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/__mock__/health' % (os.environ.get('MOCK_CANVAS_PORT') or '8000'), timeout=2)"]

# `mock-canvas serve` is PID 1 and handles SIGTERM itself (waitress closes at once).
STOPSIGNAL SIGTERM
ENTRYPOINT ["mock-canvas"]
CMD ["serve"]
