"""A scripted OpenAI-compatible server on 127.0.0.1 for the LLM tests (stdlib only, one thread).

`POST /v1/chat/completions` answers as `server.mode` says:
  faithful   – sentences copied from the numbered passages in the prompt, each with its [n]
  invented   – the same, plus one claim the passages do not make (INVENTED)
  fabricated – only claims the passages do not make
  error      – HTTP 500 with an error body
  slow       – waits `slow_seconds` before answering (a server that hangs)
  trickle    – sends the headers, then one byte every half second (a server that never finishes)
  malformed  – HTTP 200 with a body that is not JSON
Every request body is kept in `server.requests`.
"""
from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INVENTED = "市長は担当職員全員を懲戒処分とし、住民に十億円の賠償金を支払った"
_PASSAGE = re.compile(r"^\[(\d+)\] (.+)$", re.M)


def faithful_sentences(prompt: str, limit: int = 3) -> list[str]:
    """Sentences taken word for word from the passages, each ending with its passage number."""
    out = []
    for n, text in _PASSAGE.findall(prompt):
        for sentence in re.split(r"(?<=。)", text):
            sentence = sentence.strip().rstrip("。")
            if len(sentence) >= 12:
                out.append(f"{sentence}。[{n}]")
            if len(out) == limit:
                return out
    return out


def completion(content: str, model: str) -> bytes:
    return json.dumps({
        "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }, ensure_ascii=False).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    server: "ScriptedServer"

    def log_message(self, *args):   # quiet
        pass

    def _send(self, status: int, body: bytes, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        self.server.requests.append(body)
        mode, stop = self.server.mode, self.server.stop
        prompt = "\n".join(m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user")
        if mode == "error":
            return self._send(500, b'{"error": {"message": "internal error", "type": "server_error"}}')
        if mode == "malformed":
            return self._send(200, b'{"id": "chatcmpl-test", "choices": [{"message": {"content": "')
        if mode == "slow" and stop.wait(self.server.slow_seconds):
            return None
        if mode == "trickle":
            self._send(200, b"{", length=10_000)
            while not stop.wait(0.5):
                self.wfile.write(b" ")
                self.wfile.flush()
            return None
        sentences = faithful_sentences(prompt)
        if mode == "invented":
            sentences.insert(1, f"{INVENTED}。[1]")
        elif mode == "fabricated":
            sentences = [f"{INVENTED}。[1]", "国は来年度に制度を廃止すると決定した。[1]", "市の職員は全員が研修を終えた。[2]"]
        return self._send(200, completion("".join(sentences), body.get("model", "")))


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode, self.slow_seconds, self.requests = "faithful", 30.0, []
        self.stop = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


@contextmanager
def scripted_server():
    server = ScriptedServer()
    thread = threading.Thread(target=server.serve_forever, name="scripted-llm", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()      # wakes slow and trickling handlers
        server.shutdown()
        server.server_close()
        thread.join(5)
