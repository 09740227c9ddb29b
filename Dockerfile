# Offerwright API image. WeasyPrint needs Pango at run time, and subsets fonts with HarfBuzz
# (without libharfbuzz-subset0 it falls back to fontTools: a fifth of a render's time).
FROM python:3.11-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home offerwright
WORKDIR /app
COPY pyproject.toml README.md ./
COPY app ./app
COPY catalog ./catalog
COPY pricing ./pricing
COPY migrations ./migrations
RUN pip install --no-cache-dir .
USER offerwright
WORKDIR /home/offerwright
# Validates the packaged catalog at build time: a broken catalog never ships.
RUN offerwright catalog validate > /dev/null
# Reads the PDFs' stylesheet and fonts from the installed package (not /app: the working
# directory is elsewhere), so an image whose wheel lacks one never ships.
RUN python -c "from app.documents.fetcher import ASSETS; [p.read_bytes() for p in ASSETS.values()]"
# The same for what /docs and /redoc load.
RUN python -c "from app.kit.api_docs import ASSETS, STATIC; [(STATIC / a).read_bytes() for a in ASSETS]"
EXPOSE 8000
# The demo migrates the SQLite database and imports the catalog (set OFFERWRIGHT_DATABASE_URL
# for PostgreSQL), prints demo keys on the first start, then the API serves.
CMD ["sh", "-c", "offerwright demo && exec offerwright serve --host 0.0.0.0 --port 8000"]
