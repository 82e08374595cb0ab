"""Index stage: dense vectors in Chroma, BM25 over Sudachi forms, chunk records and a manifest."""
