#!/usr/bin/env python3
"""A stand-in for Zerodha Kite Connect v3 on loopback, for tests (VENDOR_APIS.md section 2).

Usage: kite_api.py --api-key KEY --api-secret SECRET [--port 0] [--parent-pid PID]
Prints "port N" on stdout once it listens on 127.0.0.1:N.

Every API request needs "X-Kite-Version: 3" and "Authorization: token KEY:ACCESS_TOKEN" with the
current access token (403 TokenException otherwise). Bodies are form-encoded. Answers are
{"status":"success","data":...} or {"status":"error","message":...,"error_type":...}.
  POST   /session/token   api_key, request_token, checksum=sha256(api_key+request_token+secret)
                          -> {"access_token":...}; a wrong checksum is 403 TokenException
  POST   /orders/{regular|amo}  -> {"order_id":...}; tag alphanumeric <= 20 (400 InputException);
                          MARKET needs market_protection != 0; no client-id de-duplication
  DELETE /orders/{variety}/{order_id}
  GET    /orders          the day's orders, with tag
  GET    /trades          the day's fills
  GET    /portfolio/positions  {"net":[...],"day":[...]}
  GET    /user/margins    {"equity":{"net":...,"available":{"cash":...}}}
A MARKET regular order completes at once at the symbol's price (100 unless configured); AMO and
LIMIT orders stay OPEN until /_test/fill.

Test control under /_test/ (POST, JSON):
  /_test/fault   {"kind":"drop_after_accept"|"502"|"html"|"429","count":1} for the next order POST
  /_test/expire  the access token expires (the 06:00 IST rollover): every call is 403
  /_test/token   {"request_token":...} the next login's request token
  /_test/fill    {"tag":...,"quantity":N,"price":P}
  /_test/orders  {"orders":[...], "order_posts":N}
"""

import argparse
import hashlib
import json
import re
import sys
import threading
import time
import urllib.parse

from standin_server import StandinHandler, serve


class KiteError(Exception):
    def __init__(self, status, error_type, message):
        super().__init__(message)
        self.status, self.error_type, self.message = status, error_type, message


class Kite:
    def __init__(self, api_key, secret):
        self.lock = threading.Lock()
        self.api_key, self.secret = api_key, secret
        self.access_token = "standin-access-token-1"
        self.request_token = "standin-request-token"
        self.orders, self.trades, self.faults = [], [], []
        self.order_posts = 0
        self.seq = 0
        self.prices = {}

    def stamp(self):
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 19800))

    def find(self, order_id):
        for o in self.orders:
            if o["order_id"] == order_id:
                return o
        raise KiteError(404, "GeneralException", "Order not found.")

    def place(self, variety, p):
        if variety not in ("regular", "amo"):
            raise KiteError(400, "InputException", "Invalid variety.")
        for key in ("tradingsymbol", "exchange", "transaction_type", "order_type", "quantity",
                    "product"):
            if not p.get(key):
                raise KiteError(400, "InputException", f"Missing or empty field `{key}`.")
        tag = p.get("tag", "")
        if tag and (len(tag) > 20 or not re.fullmatch(r"[A-Za-z0-9]+", tag)):
            raise KiteError(400, "InputException", "Tag length should be less than 20.")
        if p["order_type"] == "MARKET" and p.get("market_protection", "0") == "0":
            raise KiteError(400, "InputException",
                            "Market orders without market protection are not allowed.")
        qty = int(p["quantity"])
        price = float(p.get("price") or 0)
        if p["order_type"] == "LIMIT" and price <= 0:
            raise KiteError(400, "InputException", "Invalid price.")
        if p["tradingsymbol"] == "NOMARGIN":
            raise KiteError(400, "MarginException", "Insufficient funds. Required margin is 95417.84.")
        self.seq += 1
        o = {"order_id": f"2612070000{self.seq:05d}", "exchange_order_id": None,
             "parent_order_id": None, "status": "AMO REQ RECEIVED" if variety == "amo" else "OPEN",
             "status_message": None, "order_timestamp": self.stamp(), "variety": variety,
             "exchange": p["exchange"], "tradingsymbol": p["tradingsymbol"],
             "order_type": p["order_type"], "transaction_type": p["transaction_type"],
             "validity": p.get("validity", "DAY"), "product": p["product"], "quantity": qty,
             "price": price, "trigger_price": 0, "average_price": 0, "filled_quantity": 0,
             "pending_quantity": qty, "cancelled_quantity": 0,
             "market_protection": int(p.get("market_protection", "0")), "tag": tag or None,
             "tags": [tag] if tag else [], "meta": {}, "guid": f"standin{self.seq}"}
        self.orders.append(o)
        self.order_posts += 1
        if variety == "regular" and p["order_type"] == "MARKET":
            self.execute(o, qty, float(self.prices.get(p["tradingsymbol"], 100)))
        return o

    def execute(self, o, qty, price):
        qty = min(qty, o["quantity"] - o["filled_quantity"])
        total = o["average_price"] * o["filled_quantity"] + price * qty
        o["filled_quantity"] += qty
        o["average_price"] = round(total / o["filled_quantity"], 4)
        o["pending_quantity"] = o["quantity"] - o["filled_quantity"]
        o["status"] = "COMPLETE" if o["pending_quantity"] == 0 else "OPEN"
        self.seq += 1
        self.trades.append({"trade_id": f"{90000000 + self.seq}", "order_id": o["order_id"],
                            "exchange": o["exchange"], "tradingsymbol": o["tradingsymbol"],
                            "product": o["product"], "average_price": price, "quantity": qty,
                            "transaction_type": o["transaction_type"],
                            "fill_timestamp": self.stamp(), "exchange_timestamp": self.stamp(),
                            "order_timestamp": self.stamp()[11:]})

    def positions(self):
        net = {}
        for t in self.trades:
            sign = 1 if t["transaction_type"] == "BUY" else -1
            key = (t["tradingsymbol"], t["exchange"], t["product"])
            q, v = net.get(key, (0, 0.0))
            net[key] = (q + sign * t["quantity"], v + sign * t["quantity"] * t["average_price"])
        rows = [{"tradingsymbol": s, "exchange": e, "product": p, "quantity": q,
                 "average_price": round(v / q, 4) if q else 0, "overnight_quantity": 0,
                 "multiplier": 1, "last_price": 100, "pnl": 0}
                for (s, e, p), (q, v) in sorted(net.items())]
        return {"net": rows, "day": rows}


class Handler(StandinHandler):
    kite = None

    def reply(self, status, payload, content_type="application/json"):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_request(self, method):
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        k = self.kite
        if path.startswith("/_test/"):
            return self.control(path[7:], raw)
        params = dict(urllib.parse.parse_qsl(split.query))
        params.update(urllib.parse.parse_qsl(raw.decode("utf-8", "replace")))
        try:
            with k.lock:
                if self.headers.get("X-Kite-Version") != "3":
                    raise KiteError(400, "InputException", "Invalid `X-Kite-Version`.")
                if method == "POST" and path == "/session/token":
                    return self.reply(200, {"status": "success", "data": self.login(params)})
                if self.headers.get("Authorization") != f"token {k.api_key}:{k.access_token}":
                    raise KiteError(403, "TokenException",
                                    "Incorrect `api_key` or `access_token`.")
                fault = None
                m = re.fullmatch(r"/orders/(regular|amo|co|iceberg|auction)", path)
                if method == "POST" and m and k.faults:
                    fault = k.faults[0]
                    fault["count"] = fault.get("count", 1) - 1
                    if fault["count"] <= 0:
                        k.faults.pop(0)
                if fault and fault["kind"] == "429":
                    raise KiteError(429, "NetworkException", "Too many requests")
                if fault and fault["kind"] in ("502", "html") and not fault.get("accept", True):
                    fault = dict(fault, early=True)
                data = None
                if not (fault and fault.get("early")):
                    data = self.route(method, path, m, params)
            if fault and fault["kind"] == "drop_after_accept":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if fault and fault["kind"] == "html":
                return self.reply(502, b"<html><body>502 Bad Gateway</body></html>", "text/html")
            if fault and fault["kind"] == "502":
                return self.reply(502, {"status": "error", "message": "OMS down",
                                        "error_type": "DataException"})
            self.reply(200, {"status": "success", "data": data})
        except KiteError as e:
            self.reply(e.status, {"status": "error", "message": e.message,
                                  "error_type": e.error_type, "data": None})

    def login(self, p):
        k = self.kite
        want = hashlib.sha256((k.api_key + k.request_token + k.secret).encode()).hexdigest()
        if p.get("api_key") != k.api_key or p.get("request_token") != k.request_token or \
                p.get("checksum") != want:
            raise KiteError(403, "TokenException", "Token is invalid or has expired.")
        k.access_token = "standin-access-token-" + str(int(time.time() * 1000))
        return {"user_id": "AB1234", "api_key": k.api_key, "access_token": k.access_token,
                "login_time": k.stamp()}

    def route(self, method, path, m, params):
        k = self.kite
        if method == "POST" and m:
            return {"order_id": k.place(m.group(1), params)["order_id"]}
        d = re.fullmatch(r"/orders/([a-z]+)/([0-9]+)", path)
        if method == "DELETE" and d:
            o = k.find(d.group(2))
            if o["status"] in ("COMPLETE", "CANCELLED", "REJECTED"):
                raise KiteError(400, "OrderException",
                                f"Order cannot be cancelled as it is being processed. "
                                f"Try later or check the order status ({o['status']}).")
            o["status"] = "CANCELLED"
            o["cancelled_quantity"] = o["pending_quantity"]
            o["pending_quantity"] = 0
            return {"order_id": o["order_id"]}
        if method == "GET" and path == "/orders":
            return k.orders
        if method == "GET" and path == "/trades":
            return k.trades
        if method == "GET" and path == "/portfolio/positions":
            return k.positions()
        if method == "GET" and path == "/user/margins":
            return {"equity": {"enabled": True, "net": 100000.0,
                               "available": {"cash": 100000.0, "live_balance": 100000.0}}}
        raise KiteError(404, "GeneralException", "Route not found")

    def control(self, name, raw):
        k = self.kite
        body = json.loads(raw.decode()) if raw else {}
        with k.lock:
            if name == "fault":
                k.faults.append(body)
            elif name == "expire":
                k.access_token = "expired-" + k.access_token
            elif name == "token":
                k.request_token = body["request_token"]
            elif name == "fill":
                o = next(o for o in k.orders if o["tag"] == body["tag"])
                k.execute(o, int(body["quantity"]), float(body["price"]))
            elif name == "orders":
                return self.reply(200, {"orders": k.orders, "order_posts": k.order_posts,
                                        "access_token": k.access_token})
            else:
                return self.reply(404, {"error": name})
        return self.reply(200, {"ok": True})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--api-secret", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--parent-pid", type=int, default=0)
    args = parser.parse_args()
    Handler.kite = Kite(args.api_key, args.api_secret)
    return serve(Handler, args.port, args.parent_pid)


if __name__ == "__main__":
    sys.exit(main())
