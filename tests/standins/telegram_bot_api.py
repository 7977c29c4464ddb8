#!/usr/bin/env python3
"""A stand-in for the Telegram Bot API on loopback, for tests (VENDOR_APIS.md section 3.8).

Usage: telegram_bot_api.py --token TOKEN [--port 0] [--parent-pid PID]
Prints "port N" on stdout once it listens on 127.0.0.1:N, then serves until SIGTERM/SIGINT or
until the process that started it is gone (a crashed test leaves no server behind).

The Bot API: /bot<token>/<method> (method names case-insensitive), parameters from the query
string, an application/x-www-form-urlencoded body (object parameters as JSON strings) or a JSON
body (multipart/form-data, for file uploads, is not served). Answers {"ok":true,"result":...} or {"ok":false,"error_code":N,"description":...,
"parameters":{...}} with the HTTP status equal to error_code. Methods: getMe, sendMessage,
editMessageText, answerCallbackQuery, setMyCommands, getMyCommands, getUpdates, setWebhook,
deleteWebhook. Errors as the official server words them: 401 for a wrong token, 404 for an
unknown method, 400 for a bad parse (HTML tags, MarkdownV2 reserved characters), an empty or too
long text (> 4096 characters after parsing), bad callback_data or commands, a late
answerCallbackQuery; 429 with retry_after past the per-chat rate; 409 for an overlapped getUpdates
(the earlier poll is ended) or one while a webhook is set.

Test control, apart from the Bot API under /_test/ (POST, JSON body, JSON answer):
  /_test/inject_update  {"message":{...}} or {"callback_query":{...}}: queued with the next
                        update_id (missing ids, dates, chats filled in); answers
                        {"update_id":N,"callback_query_id":"..."}. Wakes a waiting getUpdates.
  /_test/sent           every message sent, in order, with its edits: {"messages":[...]}
  /_test/answers        answered callback queries: {"answers":[...]}
  /_test/commands       the commands set: {"commands":[...]}
  /_test/state          {"pollers":N,"pending_updates":N,"webhook":"...","requests":N}
  /_test/fail_next      {"code":429,"retry_after":7,"description":"...","method":"sendMessage",
                        "count":1}: the next matching Bot API calls fail so
  /_test/down           {"mode":"reset"|"hang"|"502"|"up"}: an outage; "reset" closes each
                        connection unanswered, "hang" answers nothing until up, "502" answers a
                        proxy's HTML error page
  /_test/config         {"callback_deadline_s":15,"chat_burst":3,"chat_per_second":1}
"""

import argparse
import html.parser
import json
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

from standin_server import serve

BOT_ID = 7000000001
BOT_USERNAME = "kairos_standin_bot"
MAX_TEXT = 4096
MAX_POLL_TIMEOUT = 50
TOKEN_RE = re.compile(r"^[0-9]+:[A-Za-z0-9_-]+$")
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
             "a", "code", "pre", "blockquote", "tg-emoji", "tg-time"}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
MARKDOWN_V2_RESERVED = set("_*[]()~`>#+-=|{}.!")
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message")
QUERY_TOO_OLD = ("Bad Request: query is too old and response timeout expired or query ID is "
                 "invalid")
CONFLICT_POLL = ("Conflict: terminated by other getUpdates request; make sure that only one bot "
                 "instance is running")
CONFLICT_WEBHOOK = ("Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first")


class ApiError(Exception):
    def __init__(self, code, description, parameters=None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad_request(text):
    return ApiError(400, "Bad Request: " + text)


class HtmlText(html.parser.HTMLParser):
    """Telegram's HTML parse mode, strictly: known tags, balanced, only its entities."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.text = []
        self.stack = []

    def handle_starttag(self, tag, attrs):
        if tag not in HTML_TAGS:
            raise bad_request(f"can't parse entities: Unsupported start tag \"{tag}\"")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            raise bad_request(f"can't parse entities: Unexpected end tag \"{tag}\"")
        self.stack.pop()

    def handle_data(self, data):
        if "<" in data or ">" in data:
            raise bad_request("can't parse entities: Unexpected character '<' or '>'")
        if "&" in data:
            raise bad_request("can't parse entities: Character '&' must be escaped as &amp;")
        self.text.append(data)

    def handle_entityref(self, name):
        if name not in NAMED_ENTITIES:
            raise bad_request(f"can't parse entities: Unsupported HTML entity \"&{name};\"")
        self.text.append(NAMED_ENTITIES[name])

    def handle_charref(self, name):
        try:
            code = int(name[1:], 16) if name[:1] in "xX" else int(name)
            self.text.append(chr(code))
        except (ValueError, OverflowError):
            raise bad_request(f"can't parse entities: bad character reference \"&#{name};\"")


def parse_html(text):
    parser = HtmlText()
    # A bare "&" or "<" never reaches handle_data intact through HTMLParser; check them first.
    for match in re.finditer(r"&[^;\s]*;?|<", text):
        token = match.group(0)
        if token == "<":
            if not re.match(r"</?[a-zA-Z]", text[match.start():match.start() + 3]):
                raise bad_request("can't parse entities: Unexpected character '<'")
        elif not token.endswith(";") or len(token) < 3:
            raise bad_request("can't parse entities: Character '&' must be escaped as &amp;")
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise bad_request(f"can't parse entities: Can't find end tag corresponding to start tag "
                          f"\"{parser.stack[-1]}\"")
    return "".join(parser.text)


def parse_markdown_v2(text):
    out = []
    i = 0
    formatting = set("*_~|`")
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if c in MARKDOWN_V2_RESERVED and c not in formatting:
            raise bad_request(f"can't parse entities: Character '{c}' is reserved and must be "
                              f"escaped with the preceding '\\'")
        if c not in formatting:
            out.append(c)
        i += 1
    return "".join(out)


def visible_text(text, parse_mode):
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode in ("", "markdown"):
        return text
    raise bad_request("unsupported parse_mode")


def as_int(params, name, required=True):
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise bad_request(f"{name} is empty" if name != "chat_id" else "chat_id is empty")
        return None
    if isinstance(value, bool):
        raise bad_request(f"field \"{name}\" must be an Integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"field \"{name}\" must be an Integer")


def as_object(params, name):
    value = params.get(name)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object")
    return value


def as_bool(params, name):
    value = params.get(name)
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


class Bot:
    """The state behind the API, under one lock; getUpdates waits on its condition."""

    def __init__(self, token):
        self.token = token
        self.lock = threading.Condition()
        self.updates = []          # pending, in update_id order
        self.next_update_id = 100000001
        self.messages = {}         # (chat_id, message_id) -> record
        self.sent = []             # records in send order
        self.next_message_id = {}  # chat_id -> next id
        self.callbacks = {}        # id -> {"created": t, "answered": bool}
        self.answers = []
        self.commands = []
        self.webhook = ""
        self.poll_generation = 0   # a new getUpdates ends any earlier waiting one
        self.pollers = 0
        self.requests = 0
        self.fail_rules = []
        self.down = "up"
        self.callback_deadline_s = 15.0
        self.chat_burst = 3
        self.chat_per_second = 1.0
        self.chat_buckets = {}     # chat_id -> (tokens, at)

    def take_chat_slot(self, chat_id):
        now = time.monotonic()
        tokens, at = self.chat_buckets.get(chat_id, (float(self.chat_burst), now))
        tokens = min(float(self.chat_burst), tokens + (now - at) * self.chat_per_second)
        if tokens < 1.0:
            retry_after = max(1, int((1.0 - tokens) / self.chat_per_second + 0.999))
            self.chat_buckets[chat_id] = (tokens, now)
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}",
                           {"retry_after": retry_after})
        self.chat_buckets[chat_id] = (tokens - 1.0, now)

    def injected_failure(self, method):
        for rule in self.fail_rules:
            if rule.get("method") and rule["method"].lower() != method:
                continue
            rule["count"] = rule.get("count", 1) - 1
            if rule["count"] <= 0:
                self.fail_rules.remove(rule)
            code = int(rule.get("code", 500))
            params = None
            if "retry_after" in rule:
                params = {"retry_after": int(rule["retry_after"])}
            default = {
                400: "Bad Request: chat not found",
                401: "Unauthorized",
                403: "Forbidden: bot was blocked by the user",
                409: CONFLICT_POLL,
                429: f"Too Many Requests: retry after {rule.get('retry_after', 1)}",
            }
            description = rule.get("description", default.get(code, "Internal Server Error"))
            return ApiError(code, description, params)
        return None

    def message_json(self, record):
        out = {"message_id": record["message_id"], "date": int(record["date"]),
               "chat": {"id": record["chat_id"], "type": "private"},
               "from": {"id": BOT_ID, "is_bot": True, "first_name": "Kairos",
                        "username": BOT_USERNAME},
               "text": record["plain"]}
        if record.get("reply_markup"):
            out["reply_markup"] = record["reply_markup"]
        return out

    @staticmethod
    def check_markup(markup):
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return markup
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup should be "
                              "an Array of Arrays")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad_request("can't find field \"text\"")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
        return markup

    @staticmethod
    def checked_text(params):
        text = params.get("text")
        if text is None or text == "":
            raise bad_request("message text is empty")
        plain = visible_text(str(text), params.get("parse_mode"))
        if plain.strip() == "":
            raise bad_request("message text is empty")
        if len(plain) > MAX_TEXT:
            raise bad_request("message is too long")
        return str(text), plain

    def chat_id(self, params):
        value = params.get("chat_id")
        if isinstance(value, str) and value.startswith("@"):
            raise bad_request("chat not found")
        chat_id = as_int(params, "chat_id")
        if chat_id == 0:
            raise bad_request("chat not found")
        return chat_id

    def send_message(self, params):
        chat_id = self.chat_id(params)
        text, plain = self.checked_text(params)
        markup = self.check_markup(as_object(params, "reply_markup"))
        self.take_chat_slot(chat_id)
        message_id = self.next_message_id.get(chat_id, 1)
        self.next_message_id[chat_id] = message_id + 1
        record = {"chat_id": chat_id, "message_id": message_id, "date": time.time(),
                  "text": text, "plain": plain, "parse_mode": params.get("parse_mode"),
                  "disable_notification": as_bool(params, "disable_notification"),
                  "reply_markup": markup, "edits": []}
        self.messages[(chat_id, message_id)] = record
        self.sent.append(record)
        return self.message_json(record)

    def edit_message_text(self, params):
        chat_id = self.chat_id(params)
        message_id = as_int(params, "message_id")
        record = self.messages.get((chat_id, message_id))
        if record is None:
            raise bad_request("message to edit not found")
        text, plain = self.checked_text(params)
        markup = self.check_markup(as_object(params, "reply_markup"))
        if text == record["text"] and markup == record["reply_markup"]:
            raise bad_request(NOT_MODIFIED[len("Bad Request: "):])
        record["edits"].append({"text": record["text"], "reply_markup": record["reply_markup"]})
        record.update(text=text, plain=plain, reply_markup=markup,
                      parse_mode=params.get("parse_mode"))
        return self.message_json(record)

    def answer_callback_query(self, params):
        query_id = str(params.get("callback_query_id") or "")
        query = self.callbacks.get(query_id)
        if (query is None or query["answered"]
                or time.monotonic() - query["created"] > self.callback_deadline_s):
            raise ApiError(400, QUERY_TOO_OLD)
        text = params.get("text") or ""
        if len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query["answered"] = True
        self.answers.append({"callback_query_id": query_id, "text": text,
                             "show_alert": as_bool(params, "show_alert")})
        return True

    def set_my_commands(self, params):
        commands = as_object(params, "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("field \"commands\" must be an Array of at most 100 BotCommand")
        for c in commands:
            if not isinstance(c, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}",
                                                           str(c.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = [{"command": c["command"], "description": c["description"]}
                         for c in commands]
        return True

    def inject(self, body):
        update = {k: v for k, v in body.items() if k != "update_id"}
        update["update_id"] = self.next_update_id
        self.next_update_id += 1
        reply = {"update_id": update["update_id"]}
        if "message" in update:
            m = update["message"]
            m.setdefault("message_id", 1000 + update["update_id"] % 1000)
            m.setdefault("date", int(time.time()))
            m.setdefault("chat", {"id": m.get("from", {}).get("id", 1), "type": "private"})
        if "callback_query" in update:
            q = update["callback_query"]
            q.setdefault("id", f"cbq{update['update_id']}")
            q.setdefault("chat_instance", "1")
            self.callbacks[q["id"]] = {"created": time.monotonic(), "answered": False}
            reply["callback_query_id"] = q["id"]
        self.updates.append(update)
        self.lock.notify_all()
        return reply

    def get_updates(self, params):
        if self.webhook:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset = as_int(params, "offset", required=False) or 0
        limit = as_int(params, "limit", required=False) or 100
        limit = max(1, min(100, limit))
        timeout = as_int(params, "timeout", required=False) or 0
        timeout = max(0, min(MAX_POLL_TIMEOUT, timeout))
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]
        self.poll_generation += 1
        generation = self.poll_generation
        self.lock.notify_all()  # ends an earlier waiting poll with 409
        deadline = time.monotonic() + timeout
        self.pollers += 1
        try:
            while True:
                ready = self.updates[:limit]
                if ready:
                    return ready
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                self.lock.wait(left)
                if self.poll_generation != generation:
                    raise ApiError(409, CONFLICT_POLL)
        finally:
            self.pollers -= 1

    def call(self, method, params):
        handlers = {
            "getme": lambda p: {"id": BOT_ID, "is_bot": True, "first_name": "Kairos",
                                "username": BOT_USERNAME},
            "sendmessage": self.send_message,
            "editmessagetext": self.edit_message_text,
            "answercallbackquery": self.answer_callback_query,
            "setmycommands": self.set_my_commands,
            "getmycommands": lambda p: self.commands,
            "getupdates": self.get_updates,
            "setwebhook": self.set_webhook,
            "deletewebhook": self.delete_webhook,
        }
        handler = handlers.get(method)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        failure = self.injected_failure(method)
        if failure is not None:
            raise failure
        return handler(params)

    def set_webhook(self, params):
        self.webhook = str(params.get("url") or "")
        return True

    def delete_webhook(self, params):
        self.webhook = ""
        return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bot = None  # set by main

    def log_message(self, fmt, *args):  # quiet: the test output is the C++ test's
        pass

    def do_GET(self):
        self.handle_request()

    def do_POST(self):
        self.handle_request()

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def read_params(self, body):
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if not body:
            return params
        if ctype == "application/json":
            try:
                decoded = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise bad_request("can't parse JSON object")
            if not isinstance(decoded, dict):
                raise bad_request("can't parse JSON object")
            params.update(decoded)
        elif ctype == "application/x-www-form-urlencoded":
            params.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        else:
            raise bad_request(f"unsupported Content-Type \"{ctype}\"")
        return params

    def reply(self, status, payload, content_type="application/json"):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_request(self):
        path = urllib.parse.urlsplit(self.path).path
        body = self.read_body()  # always, so a kept-alive connection stays in step
        if path.startswith("/_test/"):
            return self.handle_control(path[len("/_test/"):], body)
        bot = self.bot
        with bot.lock:
            bot.requests += 1
            down = bot.down
        if down == "reset":
            self.close_connection = True
            self.connection.close()
            return
        if down == "hang":
            while bot.down == "hang":
                time.sleep(0.05)
            self.close_connection = True
            return
        if down == "502":
            self.reply(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
            return
        match = re.fullmatch(r"/bot([^/]*)/([A-Za-z]+)", path)
        try:
            if match is None:
                raise ApiError(404, "Not Found")
            token, method = match.group(1), match.group(2).lower()
            if not TOKEN_RE.match(token):
                raise ApiError(401, "Unauthorized: invalid token specified")
            if token != bot.token:
                raise ApiError(401, "Unauthorized")
            params = self.read_params(body)
            with bot.lock:
                result = bot.call(method, params)
            self.reply(200, {"ok": True, "result": result})
        except ApiError as e:
            payload = {"ok": False, "error_code": e.code, "description": e.description}
            if e.parameters:
                payload["parameters"] = e.parameters
            self.reply(e.code, payload)

    def handle_control(self, name, raw):
        bot = self.bot
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            return self.reply(400, {"error": "control bodies are JSON"})
        with bot.lock:
            if name == "inject_update":
                return self.reply(200, bot.inject(body))
            if name == "sent":
                return self.reply(200, {"messages": bot.sent})
            if name == "answers":
                return self.reply(200, {"answers": bot.answers})
            if name == "commands":
                return self.reply(200, {"commands": bot.commands})
            if name == "state":
                return self.reply(200, {"pollers": bot.pollers, "pending_updates":
                                        len(bot.updates), "webhook": bot.webhook,
                                        "requests": bot.requests})
            if name == "fail_next":
                bot.fail_rules.append(dict(body))
                return self.reply(200, {"ok": True})
            if name == "down":
                bot.down = body.get("mode", "reset")
                return self.reply(200, {"ok": True})
            if name == "config":
                for key in ("callback_deadline_s", "chat_burst", "chat_per_second"):
                    if key in body:
                        setattr(bot, key, float(body[key]))
                bot.chat_buckets.clear()
                return self.reply(200, {"ok": True})
        return self.reply(404, {"error": f"no control endpoint {name}"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--parent-pid", type=int, default=0,
                        help="exit when this process (default: the parent) is gone")
    args = parser.parse_args()
    Handler.bot = Bot(args.token)
    return serve(Handler, args.port, args.parent_pid)


if __name__ == "__main__":
    sys.exit(main())
