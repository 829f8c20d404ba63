# The application image for compose.yaml (docs/deploy.md, "Containers"). Every process runs from it through
# scripts/process.sh, so containers run the Procfile's commands like the systemd units do.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DJANGO_SETTINGS_MODULE=agora.settings.production
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt ./
COPY sdk/python ./sdk/python
RUN python -m venv .venv && .venv/bin/pip install -r requirements.txt
COPY . .
# whitenoise serves the collected files; a throwaway key is enough to collect them
RUN SECRET_KEY=collectstatic ALLOWED_HOSTS=x DATABASE_URL=postgres:///x AGORA_ANCHOR_SALT_KEY=x \
    .venv/bin/python manage.py collectstatic --noinput
RUN useradd --system agora && mkdir -p /app/.local && chown agora /app/.local
USER agora
EXPOSE 8000
CMD ["scripts/process.sh", "web"]
