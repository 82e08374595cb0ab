"""Retrieve stage: dense + BM25 + statute-structure matching, fused; a LangChain retriever on top."""
from .hybrid import HybridRetriever, Searcher

__all__ = ["HybridRetriever", "Searcher"]
