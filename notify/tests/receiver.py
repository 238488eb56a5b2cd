"""A real HTTP server on 127.0.0.1 that answers as WeCom and DingTalk group robots do.

It checks the exact JSON body each vendor expects and, for DingTalk robots it knows the secret
of, the `timestamp` and `sign` query parameters (recomputing the HMAC). Tests script its answers
(`answer(...)`): an HTTP status, an errcode, or a delay past the client's timeout.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WECOM_PATH = "/cgi-bin/webhook/send"
DINGTALK_PATH = "/robot/send"


@dataclass
class Request:
    path: str
    query: dict
    headers: dict
    body: dict | None
    raw: bytes
    problems: list = field(default_factory=list)


@dataclass
class Answer:
    status: int = 200
    errcode: int = 0
    errmsg: str = "ok"
    delay: float = 0.0
    raw: bytes | None = None


def _only_keys(obj, keys, where, problems):
    if not isinstance(obj, dict) or set(obj) != set(keys):
        problems.append(f"{where}: keys {sorted(obj) if isinstance(obj, dict) else obj!r}")
        return False
    return True


def check_wecom(body, problems):
    if not isinstance(body, dict) or body.get("msgtype") not in ("text", "markdown"):
        problems.append("wecom: msgtype")
        return
    kind = body["msgtype"]
    if not _only_keys(body, ["msgtype", kind], "wecom", problems):
        return
    if _only_keys(body[kind], ["content"], f"wecom.{kind}", problems):
        content = body[kind]["content"]
        limit = 2048 if kind == "text" else 4096
        if not isinstance(content, str) or not content or len(content.encode()) > limit:
            problems.append(f"wecom.{kind}.content")


def check_dingtalk(body, problems):
    if not isinstance(body, dict) or body.get("msgtype") not in ("text", "markdown"):
        problems.append("dingtalk: msgtype")
        return
    if body["msgtype"] == "markdown":
        if _only_keys(body, ["msgtype", "markdown"], "dingtalk", problems) and _only_keys(
            body["markdown"], ["title", "text"], "dingtalk.markdown", problems
        ):
            if not body["markdown"]["title"] or not body["markdown"]["text"]:
                problems.append("dingtalk.markdown: empty")
        return
    if _only_keys(body, ["msgtype", "text", "at"], "dingtalk", problems):
        _only_keys(body["text"], ["content"], "dingtalk.text", problems)
        _only_keys(body["at"], ["atMobiles", "isAtAll"], "dingtalk.at", problems)


def dingtalk_sign(timestamp: str, secret: str) -> str:
    """The signature as DingTalk computes it (base64 of HMAC-SHA256), before URL-encoding."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class Receiver:
    def __init__(self):
        self.requests: list[Request] = []
        self.answers: list[Answer] = []
        self.dingtalk_secrets: dict[str, str] = {}
        self.lock = threading.Lock()
        self.delay_every = 0.0  # a pause before every answer (the concurrency test)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                receiver._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def answer(self, *answers: Answer):
        """Queue answers for the next requests, in order; then answer ok."""
        with self.lock:
            self.answers.extend(answers)

    @property
    def problems(self) -> list[str]:
        return [p for r in self.requests for p in r.problems]

    def _handle(self, handler):
        split = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        request = Request(split.path, query, dict(handler.headers), None, raw)
        try:
            request.body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            request.problems.append("body is not UTF-8 JSON")
        if not handler.headers.get("Content-Type", "").startswith("application/json"):
            request.problems.append("content type")
        self._check(request)
        with self.lock:
            self.requests.append(request)
            answer = self.answers.pop(0) if self.answers else Answer()
        if request.problems and answer.errcode == 0 and answer.status == 200:
            answer = Answer(errcode=40008, errmsg="invalid message: " + "; ".join(request.problems))
        time.sleep(answer.delay or self.delay_every)
        payload = answer.raw
        if payload is None:
            payload = json.dumps({"errcode": answer.errcode, "errmsg": answer.errmsg}).encode()
        try:
            handler.send_response(answer.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except OSError:  # the client gave up (a timeout test)
            pass

    def _check(self, request: Request):
        problems = request.problems
        if request.path == WECOM_PATH:
            if not request.query.get("key"):
                problems.append("wecom: no key")
            check_wecom(request.body, problems)
        elif request.path == DINGTALK_PATH:
            token = request.query.get("access_token")
            if not token:
                problems.append("dingtalk: no access_token")
            secret = self.dingtalk_secrets.get(token)
            if secret is not None:
                timestamp, sign = request.query.get("timestamp"), request.query.get("sign")
                if not timestamp or not sign:
                    problems.append("dingtalk: unsigned")
                elif abs(int(timestamp) - time.time() * 1000) > 3600_000:
                    problems.append("dingtalk: timestamp off")
                elif not hmac.compare_digest(sign, dingtalk_sign(timestamp, secret)):
                    problems.append("dingtalk: bad sign")
            check_dingtalk(request.body, problems)
        else:
            problems.append(f"unknown path {request.path}")
