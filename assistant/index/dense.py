"""Dense side: a Chroma collection (cosine) holding our own vectors; Chroma never embeds.

PersistentClient under the store folder by default; BRIEFING_CHROMA_URL switches to a Chroma
server (HttpClient), which is the way to share one index between several processes.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from assistant.errors import StoreError
from assistant.values import Chunk, Filters


def make_client(folder: Path, url: str = ""):
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    cs = ChromaSettings(anonymized_telemetry=False)
    if url:
        u = urlparse(url)
        try:
            return chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or 8000,
                                       ssl=u.scheme == "https", settings=cs)
        except Exception as exc:
            raise StoreError(f"cannot reach the Chroma server at {url}: {exc}",
                             "start it with `chroma run --path DIR` or unset BRIEFING_CHROMA_URL") from exc
    return chromadb.PersistentClient(path=str(folder), settings=cs)


def collection_name(embedder_name: str, dim: int, store_key: str) -> str:
    base = re.sub(r"[^a-zA-Z0-9._-]+", "-", f"chunks-{embedder_name}-{dim}-{store_key}")
    return base[:200].strip("-._")


def date_int(chunk: Chunk) -> int:
    d = chunk.meta.date
    return d.year * 10000 + d.month * 100 + d.day


class DenseIndex:
    def __init__(self, client, name: str):
        self.client, self.name = client, name
        self.col = client.get_or_create_collection(name, embedding_function=None,
                                                   configuration={"hnsw": {"space": "cosine"}})
        self._count: int | None = None   # Chroma's count() costs O(chunks): asked once, not per query

    def count(self) -> int:
        if self._count is None:
            self._count = self.col.count()
        return self._count

    def ids(self) -> set[str]:
        return set(self.col.get(include=[])["ids"])

    def add(self, chunks: list[Chunk], vectors, batch: int = 256) -> None:
        """vectors: a float32 array (or list of lists), one row per chunk, upserted in batches."""
        self._count = None
        for i in range(0, len(chunks), batch):
            part = chunks[i:i + batch]
            self.col.upsert(ids=[c.id for c in part], embeddings=vectors[i:i + batch],
                            metadatas=[{"doc_id": c.doc_id, "kind": c.meta.kind, "issuer": c.meta.issuer,
                                        "date": date_int(c)} for c in part])

    def delete(self, ids: list[str]) -> None:
        self._count = None
        for i in range(0, len(ids), 256):
            self.col.delete(ids=ids[i:i + 256])

    def query(self, vector: list[float], n: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first. Scalar filters run inside Chroma."""
        count = self.count()
        if not count:
            return []
        where = _where(filters) if filters else None
        res = self.col.query(query_embeddings=[vector], n_results=min(n, count), where=where,
                             include=["distances"])
        return [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0])]

    def drop(self) -> None:
        self.client.delete_collection(self.name)


def _where(f: Filters) -> dict | None:
    clauses: list[dict] = []
    if f.kinds:
        clauses.append({"kind": {"$in": list(f.kinds)}})
    if f.date_from:
        clauses.append({"date": {"$gte": f.date_from.year * 10000 + f.date_from.month * 100 + f.date_from.day}})
    if f.date_to:
        clauses.append({"date": {"$lte": f.date_to.year * 10000 + f.date_to.month * 100 + f.date_to.day}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
