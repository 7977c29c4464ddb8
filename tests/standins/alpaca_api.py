#!/usr/bin/env python3
"""A stand-in for the Alpaca Trading API v2 on loopback, for tests (VENDOR_APIS.md section 1).

Usage: alpaca_api.py --key-id ID --secret-key SECRET [--port 0] [--parent-pid PID]
Prints "port N" on stdout once it listens on 127.0.0.1:N, then serves until SIGTERM/SIGINT or
until the process that started it is gone.

The Trading API as kairos uses it, with Alpaca's documented answers and errors: every request
needs APCA-API-KEY-ID and APCA-API-SECRET-KEY (401 {"message":"unauthorized."}); JSON bodies
(400 code 40010000 when malformed); money and quantities as strings.
  POST   /v2/orders                      200 Order; 422 40010001 "client_order_id must be unique"
                                         for any id ever used on the account (cancelled ones
                                         too); 422 for bad fields or an unknown asset; 403
                                         "insufficient buying power"
  GET    /v2/orders?status=open|closed|all&limit=N   200 [Order]
  GET    /v2/orders/{id}                 200 Order; 404 "order not found"
  GET    /v2/orders:by_client_order_id?client_order_id=X   200 Order; 404 "Order is not found"
  DELETE /v2/orders/{id}                 204; 404; 422 "The order status is not cancelable"
  GET    /v2/positions                   200 [Position]
  GET    /v2/account                     200 Account
  GET    /v2/account/activities/FILL?after=T&direction=asc&page_size=N&page_token=ID
                                         200 [activity] (FILL; partial_fill or fill)
Rate limit: 200 requests per minute (configurable); past it 429 with Retry-After and
X-Ratelimit-Reset. Every answer carries X-Ratelimit-Limit/Remaining/Reset.

Fills: a market day order fills at once at the symbol's price (config "prices", default 100);
with config "market_fill":"partial" only half of it fills, with "none" nothing. A limit order
fills at once when marketable. opg/cls orders wait for /_test/fill.

Test control under /_test/ (POST, JSON body, JSON answer):
  /_test/fault   one fault rule, applied to the next matching API requests (POST /v2/orders
                 unless "method"/"path" say otherwise), "count" times (default 1):
                 {"kind":"drop_after_accept"}  the order is placed, the connection closed unanswered
                 {"kind":"drop"}               the connection closed, nothing done
                 {"kind":"5xx","code":503,"accept":true|false}  a 5xx (after placing the order
                                               when accept is true)
                 {"kind":"html","status":200|502,"accept":true|false}  a proxy's HTML page
                 {"kind":"truncated","accept":true}  a 200 JSON body cut in half
                 {"kind":"429","retry_after":1}      429 with Retry-After
                 {"kind":"latency","ms":N}           answer normally, N ms late
  /_test/config  {"visible_after_s":S, "market_fill":"full"|"partial"|"none",
                 "prices":{"AAPL":"150.00"}, "rate_limit_per_min":N, "buying_power":"..."}
                 visible_after_s: orders placed from now on are invisible to every GET (404 by
                 client id) for S seconds, though they exist (a duplicate POST is still 422)
  /_test/fill    {"client_order_id":X, "qty":"N", "price":"P"}: an execution of that order
  /_test/orders  {"orders":[every order, visible or not], "order_posts":N, "requests":N}
  /_test/reset   forgets orders, fills, faults and config
"""

import argparse
import json
import re
import sys
import threading
import time
import urllib.parse
import uuid
from decimal import Decimal, InvalidOperation

from standin_server import StandinHandler, serve

ASSETS = {"AAPL", "MSFT", "SPY", "QQQ", "IWM", "TSLA", "NVDA", "AMZN", "GOOG", "META"}
HALTED = {"HALT"}
DUPLICATE = "client_order_id must be unique"
HTML_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


class ApiError(Exception):
    def __init__(self, status, message, code=None, extra=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.extra = extra or {}

    def payload(self):
        body = dict(self.extra)
        if self.code is not None:
            body["code"] = self.code
        body["message"] = self.message
        return body


def now_ns():
    return time.time_ns()


def rfc3339(ns):
    secs, frac = divmod(ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{frac:09d}Z"


def parse_rfc3339(text):
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z", text or "")
    if not m:
        raise ApiError(422, f"invalid timestamp {text}", 40010001)
    secs = int(time.mktime(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")) - time.timezone)
    frac = int((m.group(2) or "0").ljust(9, "0"))
    return secs * 1_000_000_000 + frac


def dec(value, name):
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ApiError(422, f"{name} is invalid", 40010001)
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise ApiError(422, f"invalid {name}", 40010001)
    if not d.is_finite():
        raise ApiError(422, f"invalid {name}", 40010001)
    return d


def text(d):
    return None if d is None else format(d.normalize(), "f")


class Account:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.orders = {}  # id -> order dict (internal)
        self.by_client = {}  # client_order_id -> id, every id ever used
        self.activities = []
        self.faults = []
        self.visible_after_s = 0.0
        self.market_fill = "full"
        self.prices = {}
        self.rate_limit = 200
        self.window = []  # request times (monotonic) within the last minute
        self.cash = Decimal("100000")
        self.buying_power = None
        self.order_posts = 0
        self.requests = 0

    # --- faults ---
    def take_fault(self, method, path):
        for rule in self.faults:
            if rule.get("method", "POST") != method:
                continue
            if rule.get("path", "/v2/orders") != path:
                continue
            rule["count"] = rule.get("count", 1) - 1
            if rule["count"] <= 0:
                self.faults.remove(rule)
            return rule
        return None

    def rate_limited(self):
        if self.rate_limit <= 0:
            return None
        t = time.monotonic()
        self.window = [x for x in self.window if t - x < 60.0]
        if len(self.window) >= self.rate_limit:
            return max(1, int(60.0 - (t - self.window[0])) + 1)
        self.window.append(t)
        return None

    # --- orders ---
    def price(self, symbol):
        return Decimal(self.prices.get(symbol, "100"))

    def visible(self, order):
        return now_ns() >= order["visible_ns"]

    def public(self, o):
        qty = o["qty"]
        filled = o["filled_qty"]
        avg = (o["filled_value"] / filled).quantize(Decimal("0.0001")) if filled else None
        return {
            "id": o["id"], "client_order_id": o["client_order_id"],
            "created_at": rfc3339(o["created_ns"]), "updated_at": rfc3339(o["updated_ns"]),
            "submitted_at": rfc3339(o["created_ns"]),
            "filled_at": rfc3339(o["updated_ns"]) if o["status"] == "filled" else None,
            "expired_at": None,
            "canceled_at": rfc3339(o["updated_ns"]) if o["status"] == "canceled" else None,
            "failed_at": None, "replaced_at": None, "replaced_by": None, "replaces": None,
            "asset_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, o["symbol"])), "symbol": o["symbol"],
            "asset_class": "us_equity", "notional": None, "qty": text(qty),
            "filled_qty": text(filled), "filled_avg_price": text(avg), "order_class": "",
            "order_type": o["type"], "type": o["type"], "side": o["side"],
            "position_intent": "buy_to_open" if o["side"] == "buy" else "sell_to_close",
            "time_in_force": o["time_in_force"], "limit_price": text(o["limit_price"]),
            "stop_price": None, "status": o["status"], "extended_hours": False, "legs": None,
            "trail_percent": None, "trail_price": None, "hwm": None, "subtag": None,
            "source": "access_key",
        }

    def create(self, body):
        if not isinstance(body, dict):
            raise ApiError(400, "request body format is invalid", 40010000)
        cid = body.get("client_order_id") or str(uuid.uuid4())
        if not isinstance(cid, str) or len(cid) > 128:
            raise ApiError(422, "client_order_id must be no more than 128 characters", 40010001)
        if cid in self.by_client:
            raise ApiError(422, DUPLICATE, 40010001)
        symbol = body.get("symbol")
        if not isinstance(symbol, str) or not symbol:
            raise ApiError(422, "symbol is required", 40010001)
        if symbol in HALTED:
            raise ApiError(422, f'asset "{symbol}" is not tradable', 42210000)
        if symbol not in ASSETS:
            raise ApiError(422, f"asset not found for {symbol}", 40410000)
        side = body.get("side")
        if side not in ("buy", "sell"):
            raise ApiError(422, "side must be buy or sell", 40010001)
        otype = body.get("type")
        if otype not in ("market", "limit", "stop", "stop_limit", "trailing_stop"):
            raise ApiError(422, "invalid order type", 40010001)
        tif = body.get("time_in_force")
        if tif not in ("day", "gtc", "opg", "cls", "ioc", "fok"):
            raise ApiError(422, "invalid time_in_force", 40010001)
        if "qty" not in body:
            raise ApiError(422, "qty or notional is required", 40010001)
        qty = dec(body["qty"], "qty")
        if qty <= 0:
            raise ApiError(422, "qty must be > 0", 40010001)
        if qty != qty.to_integral_value() and tif != "day":
            raise ApiError(422, "fractional orders must be DAY orders", 40010001)
        limit = None
        if otype in ("limit", "stop_limit"):
            if body.get("limit_price") is None:
                raise ApiError(422, "limit_price is required", 40010001)
            limit = dec(body["limit_price"], "limit_price")
            if limit <= 0:
                raise ApiError(422, "limit_price must be > 0", 40010001)
            if limit >= 1 and limit != limit.quantize(Decimal("0.01")):
                raise ApiError(422, "invalid limit_price 150.001. sub-penny increment does "
                               "not fulfill minimum pricing criteria", 42210000)
        elif body.get("limit_price") is not None:
            raise ApiError(422, "limit_price must not be given for market orders", 40010001)
        if side == "buy":
            cost = qty * (limit if limit is not None else self.price(symbol))
            power = self.buying_power_now()
            if cost > power:
                raise ApiError(403, "insufficient buying power", 40310000,
                               {"buying_power": text(power), "cost_basis": text(cost)})
        t = now_ns()
        o = {"id": str(uuid.uuid4()), "client_order_id": cid, "symbol": symbol, "side": side,
             "type": otype, "time_in_force": tif, "qty": qty, "limit_price": limit,
             "filled_qty": Decimal(0), "filled_value": Decimal(0), "status": "accepted",
             "created_ns": t, "updated_ns": t,
             "visible_ns": t + int(self.visible_after_s * 1e9)}
        self.orders[o["id"]] = o
        self.by_client[cid] = o["id"]
        self.order_posts += 1
        self.work(o)
        return o

    def work(self, o):
        """What the market does at once: day orders route ("new") and marketable ones fill."""
        if o["time_in_force"] in ("opg", "cls"):
            return
        o["status"] = "new"
        price = self.price(o["symbol"])
        if o["type"] == "market":
            if self.market_fill == "none":
                return
            qty = o["qty"] if self.market_fill == "full" else (o["qty"] / 2).to_integral_value()
            if qty > 0:
                self.execute(o, qty, price)
        elif o["type"] == "limit":
            marketable = price <= o["limit_price"] if o["side"] == "buy" else \
                price >= o["limit_price"]
            if marketable:
                self.execute(o, o["qty"], price)

    def execute(self, o, qty, price):
        if o["status"] in ("filled", "canceled", "expired", "rejected"):
            raise ApiError(422, "order is not open", 40010001)
        qty = min(qty, o["qty"] - o["filled_qty"])
        o["filled_qty"] += qty
        o["filled_value"] += qty * price
        o["status"] = "filled" if o["filled_qty"] == o["qty"] else "partially_filled"
        t = now_ns()
        o["updated_ns"] = t
        sign = 1 if o["side"] == "buy" else -1
        self.cash -= sign * qty * price
        self.activities.append({
            "id": f"{time.strftime('%Y%m%d%H%M%S', time.gmtime(t // 10**9))}{(t // 10**6) % 1000:03d}"
                  f"::{uuid.uuid4()}",
            "activity_type": "FILL", "transaction_time": rfc3339(t), "time_ns": t,
            "type": "fill" if o["status"] == "filled" else "partial_fill",
            "price": text(price), "qty": text(qty), "side": o["side"], "symbol": o["symbol"],
            "leaves_qty": text(o["qty"] - o["filled_qty"]), "order_id": o["id"],
            "cum_qty": text(o["filled_qty"]), "order_status": o["status"]})

    def buying_power_now(self):
        return Decimal(self.buying_power) if self.buying_power is not None else self.cash

    def find(self, order_id):
        o = self.orders.get(order_id)
        if o is None or not self.visible(o):
            raise ApiError(404, "order not found", 40410000)
        return o

    def find_client(self, cid):
        oid = self.by_client.get(cid)
        if oid is None or not self.visible(self.orders[oid]):
            raise ApiError(404, "Order is not found", 40410000)
        return self.orders[oid]

    def cancel(self, order_id):
        o = self.find(order_id)
        if o["status"] in ("filled", "canceled", "expired", "rejected", "replaced"):
            raise ApiError(422, "The order status is not cancelable", 42210000)
        o["status"] = "canceled"
        o["updated_ns"] = now_ns()

    def list_orders(self, params):
        status = params.get("status", "open")
        if status not in ("open", "closed", "all"):
            raise ApiError(422, "invalid status", 40010001)
        limit = int(params.get("limit", "50"))
        if limit < 1 or limit > 500:
            raise ApiError(422, "limit must be between 1 and 500", 40010001)
        closed = ("filled", "canceled", "expired", "rejected", "replaced")
        out = [o for o in self.orders.values() if self.visible(o) and
               (status == "all" or (o["status"] in closed) == (status == "closed"))]
        out.sort(key=lambda o: o["created_ns"], reverse=params.get("direction", "desc") == "desc")
        return [self.public(o) for o in out[:limit]]

    def positions(self):
        held = {}
        for a in self.activities:
            qty = Decimal(a["qty"]) * (1 if a["side"] == "buy" else -1)
            q, cost = held.get(a["symbol"], (Decimal(0), Decimal(0)))
            held[a["symbol"]] = (q + qty, cost + qty * Decimal(a["price"]))
        out = []
        for symbol, (q, cost) in sorted(held.items()):
            if q == 0:
                continue
            price = self.price(symbol)
            out.append({
                "asset_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, symbol)), "symbol": symbol,
                "exchange": "NASDAQ", "asset_class": "us_equity",
                "avg_entry_price": text((cost / q).quantize(Decimal("0.0001"))), "qty": text(q),
                "qty_available": text(q), "side": "long" if q > 0 else "short",
                "market_value": text(q * price), "cost_basis": text(cost),
                "unrealized_pl": text(q * price - cost), "unrealized_plpc": "0",
                "unrealized_intraday_pl": "0", "unrealized_intraday_plpc": "0",
                "current_price": text(price), "lastday_price": text(price), "change_today": "0",
                "asset_marginable": True})
        return out

    def account(self):
        long_value = sum((Decimal(p["market_value"]) for p in self.positions()), Decimal(0))
        equity = self.cash + long_value
        return {
            "id": "904837e3-3b76-47ec-b432-046db621571b", "account_number": "PA3STANDIN01",
            "status": "ACTIVE", "crypto_status": "INACTIVE", "currency": "USD",
            "cash": text(self.cash.quantize(Decimal("0.01"))),
            "portfolio_value": text(equity.quantize(Decimal("0.01"))),
            "equity": text(equity.quantize(Decimal("0.01"))), "last_equity": "100000",
            "buying_power": text(self.buying_power_now().quantize(Decimal("0.01"))),
            "regt_buying_power": text(self.buying_power_now()), "multiplier": "1",
            "daytrade_count": 0, "pattern_day_trader": False, "trading_blocked": False,
            "transfers_blocked": False, "account_blocked": False,
            "trade_suspended_by_user": False, "shorting_enabled": True,
            "admin_configurations": {}, "created_at": "2024-01-02T15:00:00Z"}

    def fill_activities(self, params):
        after = parse_rfc3339(params["after"]) if "after" in params else None
        size = min(int(params.get("page_size", "100")), 100)
        out = [a for a in self.activities if after is None or a["time_ns"] > after]
        if params.get("direction", "desc") == "desc":
            out.reverse()
        token = params.get("page_token")
        if token:
            ids = [a["id"] for a in out]
            out = out[ids.index(token) + 1:] if token in ids else []
        return [{k: v for k, v in a.items() if k != "time_ns"} for a in out[:size]]


class Handler(StandinHandler):
    account = None
    key_id = ""
    secret = ""

    def reply(self, status, payload, content_type="application/json", extra_headers=None):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass

    def handle_request(self, method):
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        params = dict(urllib.parse.parse_qsl(split.query))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        if path.startswith("/_test/"):
            return self.handle_control(path[len("/_test/"):], raw)
        acct = self.account
        with acct.lock:
            acct.requests += 1
            fault = acct.take_fault(method, path)
            retry = acct.rate_limited()
        reset = str(int(time.time()) + 60)
        headers = {"X-Ratelimit-Limit": str(acct.rate_limit), "X-Ratelimit-Reset": reset}
        if fault and fault["kind"] == "latency":
            time.sleep(fault.get("ms", 0) / 1000.0)
        if fault and fault["kind"] == "drop":
            return self.drop()
        if fault and fault["kind"] == "429":
            retry = fault.get("retry_after", 1)
        if retry is not None:
            headers["Retry-After"] = str(retry)
            headers["X-Ratelimit-Reset"] = str(int(time.time()) + retry)
            headers["X-Ratelimit-Remaining"] = "0"
            return self.reply(429, {"code": 42910000, "message": "rate limit exceeded"},
                              extra_headers=headers)
        if self.headers.get("APCA-API-KEY-ID") != self.key_id or \
                self.headers.get("APCA-API-SECRET-KEY") != self.secret:
            return self.reply(401, {"message": "unauthorized."}, extra_headers=headers)
        if fault and fault["kind"] in ("5xx", "html") and not fault.get("accept", False):
            return self.fault_reply(fault, headers)
        try:
            with acct.lock:
                status, payload = self.route(method, path, params, raw)
        except ApiError as e:
            return self.reply(e.status, e.payload(), extra_headers=headers)
        if fault and fault["kind"] == "drop_after_accept":
            return self.drop()
        if fault and fault["kind"] in ("5xx", "html"):
            return self.fault_reply(fault, headers)
        if fault and fault["kind"] == "truncated":
            data = json.dumps(payload).encode()
            return self.reply(200, data[: len(data) // 2], extra_headers=headers)
        if status == 204:
            self.send_response(204)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            return
        self.reply(status, payload, extra_headers=headers)

    def fault_reply(self, fault, headers):
        if fault["kind"] == "html":
            return self.reply(fault.get("status", 502), HTML_PAGE, "text/html", headers)
        code = fault.get("code", 503)
        return self.reply(code, {"code": code * 100000, "message": "internal server error"},
                          extra_headers=headers)

    def route(self, method, path, params, raw):
        acct = self.account
        if method == "POST" and path == "/v2/orders":
            try:
                body = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise ApiError(400, "request body format is invalid", 40010000)
            return 200, acct.public(acct.create(body))
        if method == "GET" and path == "/v2/orders":
            return 200, acct.list_orders(params)
        if method == "GET" and path == "/v2/orders:by_client_order_id":
            return 200, acct.public(acct.find_client(params.get("client_order_id", "")))
        m = re.fullmatch(r"/v2/orders/([^/]+)", path)
        if m and method == "GET":
            return 200, acct.public(acct.find(m.group(1)))
        if m and method == "DELETE":
            acct.cancel(m.group(1))
            return 204, None
        if method == "GET" and path == "/v2/positions":
            return 200, acct.positions()
        if method == "GET" and path == "/v2/account":
            return 200, acct.account()
        if method == "GET" and path == "/v2/account/activities/FILL":
            return 200, acct.fill_activities(params)
        raise ApiError(404, "Not Found", 40410000)

    def handle_control(self, name, raw):
        acct = self.account
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            return self.reply(400, {"error": "control bodies are JSON"})
        with acct.lock:
            if name == "fault":
                acct.faults.append(dict(body))
                return self.reply(200, {"ok": True})
            if name == "config":
                if "visible_after_s" in body:
                    acct.visible_after_s = float(body["visible_after_s"])
                if "market_fill" in body:
                    acct.market_fill = body["market_fill"]
                if "prices" in body:
                    acct.prices.update(body["prices"])
                if "rate_limit_per_min" in body:
                    acct.rate_limit = int(body["rate_limit_per_min"])
                    acct.window = []
                if "buying_power" in body:
                    acct.buying_power = body["buying_power"]
                return self.reply(200, {"ok": True})
            if name == "fill":
                try:
                    oid = acct.by_client[body["client_order_id"]]
                    acct.execute(acct.orders[oid], Decimal(body["qty"]), Decimal(body["price"]))
                except (KeyError, ApiError) as e:
                    return self.reply(404, {"error": str(e)})
                return self.reply(200, acct.public(acct.orders[oid]))
            if name == "orders":
                return self.reply(200, {"orders": [acct.public(o) for o in acct.orders.values()],
                                        "order_posts": acct.order_posts,
                                        "requests": acct.requests})
            if name == "reset":
                acct.reset()
                return self.reply(200, {"ok": True})
        return self.reply(404, {"error": f"no control endpoint {name}"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--key-id", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--parent-pid", type=int, default=0,
                        help="exit when this process (default: the parent) is gone")
    args = parser.parse_args()
    Handler.account = Account()
    Handler.key_id = args.key_id
    Handler.secret = args.secret_key
    return serve(Handler, args.port, args.parent_pid)


if __name__ == "__main__":
    sys.exit(main())
