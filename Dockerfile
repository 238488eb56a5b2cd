# The production image: gunicorn serving the app, whitenoise its static files. The same image
# runs the delivery worker (`manage.py deliver --loop`) and the scheduler (`manage.py schedule
# --loop`); see compose.yaml. Build: `docker build -t xiangzhi .`
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DEBUG=0 \
    MEDIA_ROOT=/data/media \
    PDF_FONT_PATH=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

# CJK fonts for the printable PDFs; pg_dump/pg_restore (15, as the server) for backup/restore.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --no-input -v 0 \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin xiangzhi \
    && mkdir -p /data/media /data/backups \
    && chown -R xiangzhi /data

USER xiangzhi
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
