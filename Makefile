# The two set-up commands (see README): `make serve` and `make test`.
.PHONY: serve test install bench lint clean-data sync-notebooks

PORT ?= 8866

serve:          ## install, migrate, load demo data once, serve the dashboards on 127.0.0.1
	scripts/install.sh
	SURVEYLAB_PORT=$(PORT) .venv/bin/surveylab serve --demo

test:           ## install with test extras, chromium, throwaway PostgreSQL, run every test
	scripts/test.sh

install:
	scripts/install.sh test

bench:          ## run the benchmarks (results: bench/RESULTS.md)
	scripts/install.sh bench
	.venv/bin/python bench/run_all.py

sync-notebooks: ## copy the packaged dashboards and report notebooks to the repository's folders
	cp surveylab/ui/dashboards/*.ipynb dashboards/
	cp surveylab/reports/notebooks/*.ipynb notebooks/reports/

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	.venv/bin/mypy
