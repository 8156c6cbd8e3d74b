# The hocba command line with what it needs at run time: fonts (from Debian packages, never copied), poppler and
# qpdf for the independent checks.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      fonts-liberation2 fonts-noto-core poppler-utils qpdf \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/hocba
COPY pyproject.toml README.md ./
COPY records records
COPY templates templates
COPY signer signer
COPY archive archive
COPY retention retention
COPY workflows workflows
COPY api api
RUN pip install --no-cache-dir .
WORKDIR /var/lib/hocba
ENTRYPOINT ["hocba"]
