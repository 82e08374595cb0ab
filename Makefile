# Two commands on a fresh machine:
#   make run   – set up .venv, build the index from corpus/, start the app on 127.0.0.1
#   make test  – set up .venv with test extras, run the whole suite offline, then the eval gate
# Both are idempotent: the install step re-runs only when pyproject.toml or constraints.txt change.

PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8501
BIN    := $(VENV)/bin
HASH   := $(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-10)
STAMP  := $(VENV)/.installed-$(HASH)

.PHONY: run test install index eval bench clean

$(STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e ".[test,llm]"
	$(BIN)/python -c "from assistant.embed.e5_folder import ensure_folder; ensure_folder()"
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

index: $(STAMP)
	$(BIN)/briefing index

run: index
	$(BIN)/streamlit run app.py --server.headless true --server.address 127.0.0.1 \
	  --server.port $(PORT) --browser.gatherUsageStats false

test: $(STAMP)
	bash scripts/setup_browser.sh
	bash scripts/offline.sh $(BIN)/python -m pytest
	bash scripts/offline.sh $(BIN)/briefing index --quiet
	bash scripts/offline.sh $(BIN)/briefing eval

eval: index
	$(BIN)/briefing eval

bench: $(STAMP)
	$(BIN)/python benchmarks/retrieval.py

clean:
	rm -rf .briefing reports
