# Two commands do all set-up on a fresh machine with Python 3.11 and make:
#   make demo   run the acceptance suite against the embedded simulator, write report.html
#   make test   run the project's own tests
#   make bench  print what checking a fleet costs (benchmarks/fleet.py, then benchmarks/scale.py)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint format clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	@$(BIN)/pytest --intacct-env=demo --html=report.html --self-contained-html \
		--intacct-json=acceptance.json; status=$$?; \
	echo "Acceptance report: file://$(CURDIR)/report.html"; \
	echo "Acceptance data:   $(CURDIR)/acceptance.json"; \
	exit $$status

test: $(STAMP)
	$(BIN)/pytest -n auto

bench: $(STAMP)
	$(BIN)/python -m benchmarks.fleet
	$(BIN)/python -m benchmarks.scale

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) report.html acceptance.json .pytest_cache dist build
