"""
The floor peer: FastAPI + SQLAlchemy (the stack the service replaced) answering the benchmark's
paths with the same JSON as the app, running the app's own SQL text (recorded by
bench/lib/ceiling-sql.ts, handed over as a JSON file) through SQLAlchemy's engine and pool.

Like bench/ceiling.ts it does only what the benchmark's requests need: the token's claims are read
unverified, nothing is validated, no middleware. Sync endpoints on uvicorn's single worker, with
the pool the app has; psycopg2 releases the GIL while it waits on PostgreSQL.

Run by bench/run.ts: DATABASE_URL, PEER_SQL (the statements' file), DB_POOL_SIZE,
DB_MAX_OVERFLOW, PORT, HOST. Install: bench/peers/fastapi/install.sh.
"""

import base64
import json
import os
import re
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import create_engine, text
from starlette.concurrency import run_in_threadpool

STARTED = time.time()
URL = re.sub(r"^postgres(ql)?://", "postgresql+psycopg2://", os.environ["DATABASE_URL"])
engine = create_engine(
    URL,
    pool_size=int(os.environ.get("DB_POOL_SIZE", "3")),
    max_overflow=int(os.environ.get("DB_MAX_OVERFLOW", "3")),
)


class Statement:
    """
    A recorded statement: $n placeholders become psycopg2's %(pn)s, constants stay as recorded.
    Sent as the driver's SQL (`exec_driver_sql`): SQLAlchemy's own :name binds cannot sit before
    a `::type` cast, which the app's SQL has.
    """

    def __init__(self, recorded):
        escaped = recorded["text"].replace("%", "%%")
        self.sql = re.sub(r"\$(\d+)", lambda m: f"%(p{m.group(1)})s", escaped)
        self.params = recorded["params"]

    def run(self, conn, values):
        binds = {
            f"p{i + 1}": values[p["slot"]] if "slot" in p else p["value"]
            for i, p in enumerate(self.params)
        }
        return [dict(r) for r in conn.exec_driver_sql(self.sql, binds).mappings()]


with open(os.environ["PEER_SQL"]) as f:
    recorded = json.load(f)
q = {
    name: [Statement(s) for s in value] if isinstance(value, list) else Statement(value)
    for name, value in recorded.items()
}


def iso(d: datetime | str) -> str:
    """As JavaScript's toISOString: UTC, milliseconds, Z. The app's reads select this text."""
    if isinstance(d, str):
        return d
    d = d.astimezone(timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def as_json(body, status=200, headers=None):
    return Response(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def not_found():
    return as_json({"status": 404, "title": "Not Found"}, 404)


def item(i):
    return {
        "id": i["id"],
        "item_id": i["item_id"],
        "quantity": i["quantity"],
        "unit_price_cents": i["unit_price_cents"],
    }


def booking(b, items):
    return {
        "id": b["id"],
        "user_id": b["user_id"],
        "venue_id": b["venue_id"],
        "kind": b["kind"],
        "program_id": b["program_id"],
        "start_datetime": iso(b["start_datetime"]),
        "end_datetime": iso(b["end_datetime"]),
        "status": b["status"],
        "total_cents": b["total_cents"],
        "notes": b["notes"],
        "items": [item(i) for i in items],
        "created_at": iso(b["created_at"]),
        "updated_at": iso(b["updated_at"]),
    }


def venue(v):
    return {
        "id": v["id"],
        "name": v["name"],
        "description": v["description"],
        "capacity": v["capacity"],
        "hourly_price_cents": v["hourly_price_cents"],
        "timezone": v["timezone"],
        "is_active": v["is_active"],
        "created_at": iso(v["created_at"]),
        "updated_at": iso(v["updated_at"]),
    }


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64(data: str) -> str:
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


ROLES = {}
ROLE = text("select role from users where id = :id")


def claims(request: Request, conn):
    """
    The token's subject, unverified (the peer measures the work around the query, not auth), and
    the user's role, read once: the token carries none, and the benchmark changes none.
    """
    token = request.headers.get("authorization", "").split(" ")[-1]
    user_id = int(json.loads(unb64(token.split(".")[1]))["sub"])
    if user_id not in ROLES:
        ROLES[user_id] = conn.execute(ROLE, {"id": user_id}).scalar_one()
    return user_id, ROLES[user_id]


def with_items(conn, rows, size):
    page = rows[:size]
    by_booking = {}
    if page:
        # One array parameter, as PostgreSQL's array text (`{1,2,3}`), as the app sends it.
        ids = "{" + ",".join(str(b["id"]) for b in page) + "}"
        for i in q["itemsOfBookings"].run(conn, {"ids": ids}):
            by_booking.setdefault(i["booking_id"], []).append(i)
    return [booking(b, by_booking.get(b["id"], [])) for b in rows]


def paging(params):
    size = int(params.get("page_size", 50))
    cursor = params.get("cursor")
    if cursor:
        page, sort, id_, total, gte = json.loads(unb64(cursor))
        return {"page": page, "size": size, "after": (sort, id_), "carried": (total, gte)}
    return {"page": int(params.get("page", 1)), "size": size, "after": None, "carried": None}


# The app's bound on exact totals (PAGINATION_EXACT_TOTAL_MAX's default).
EXACT_TOTAL_MAX = 10_000


def count_for(conn, p, statement, values):
    """The count a page runs: none on a cursor page, which carries the first page's total."""
    if p["after"]:
        return None
    row = statement.run(conn, values)[0]
    return next(iter(row.values()))


def search_set(params, name, value):
    """URLSearchParams.set: the first `name` takes the value in place, the others go; else appended."""
    out, done = [], False
    for k, v in params:
        if k != name:
            out.append((k, v))
        elif not done:
            out.append((k, value))
            done = True
    return out if done else [*out, (name, value)]


def envelope(request: Request, p, rows, counted, key):
    """The app's page envelope and Link header around `rows` (size + 1 of them at most)."""
    if p["carried"]:
        total, gte = p["carried"]
    else:
        total, gte = (counted, 0) if counted <= EXACT_TOTAL_MAX else (EXACT_TOTAL_MAX, 1)
    has_next = len(rows) > p["size"]
    items = rows[: p["size"]] if has_next else rows
    nxt = None
    headers = {}
    if has_next and items:
        cursor = [p["page"] + 1, *key(items[-1]), total, gte]
        nxt = b64(json.dumps(cursor, separators=(",", ":")))
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
        params = search_set(search_set(params, "cursor", nxt), "page_size", str(p["size"]))
        headers["link"] = f'<{request.url.path}?{urlencode(params)}>; rel="next"'
    body = {
        "items": items,
        "pagination": {
            "page": p["page"],
            "page_size": p["size"],
            "total": total,
            "total_relation": "gte" if gte else "eq",
            "total_pages": -(-total // p["size"]),
            "has_next": has_next,
            "has_prev": p["page"] > 1,
            "next_cursor": nxt,
        },
    }
    return as_json(body, 200, headers)


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/api/health")
def health():
    return as_json({"status": "ok", "uptime_seconds": round(time.time() - STARTED)})


@app.get("/api/bookings")
def own_bookings(request: Request):
    p = paging(request.query_params)
    with engine.connect() as conn:
        user_id, _ = claims(request, conn)
        rows = q["ownPage"].run(conn, {"userId": user_id, "limit": p["size"] + 1})
        total = count_for(conn, p, q["ownCount"], {"userId": user_id})
        page = with_items(conn, rows, p["size"])
    return envelope(request, p, page, total, lambda b: [b["id"], b["id"]])


@app.post("/api/bookings")
async def create_booking(request: Request):
    # The body is read on the event loop; the queries, like every other endpoint's, on a thread.
    return await run_in_threadpool(create, request, await request.json())


def parse_instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def create(request, body):
    start = parse_instant(body["start_datetime"])
    end = parse_instant(body["end_datetime"])
    with engine.begin() as conn:
        user_id, _ = claims(request, conn)
        found = q["createVenue"].run(conn, {"venueId": body["venue_id"]})
        if not found or not found[0]["is_active"]:
            return as_json({"status": 422, "title": "Unprocessable Content"}, 422)
        minutes = round((end - start).total_seconds() / 60)
        total = (found[0]["hourly_price_cents"] * minutes + 30) // 60
        values = {
            "userId": user_id,
            "venueId": body["venue_id"],
            "start": iso(start),
            "end": iso(end),
            "total": total,
        }
        row = q["createInsert"].run(conn, values)[0]
    return as_json(booking(row, []), 201, {"location": f"/api/bookings/{row['id']}"})


@app.get("/api/bookings/{booking_id}")
def booking_by_id(booking_id: int, request: Request):
    with engine.connect() as conn:
        user_id, role = claims(request, conn)
        found = q["bookingById"].run(conn, {"id": booking_id})
        if not found or (role != "admin" and found[0]["user_id"] != user_id):
            return not_found()
        items = q["itemsOfBooking"].run(conn, {"id": booking_id})
    return as_json(booking(found[0], items))


@app.get("/api/venues")
def venues(request: Request):
    p = paging(request.query_params)
    with engine.connect() as conn:
        rows = q["venuesPage"].run(conn, {"limit": p["size"] + 1})
        total = count_for(conn, p, q["venuesCount"], {})
    return envelope(request, p, [venue(v) for v in rows], total, lambda v: [v["id"], v["id"]])


@app.get("/api/admin/bookings")
def admin_bookings(request: Request):
    params = request.query_params
    p = paging(params)
    rng = {"from": params.get("from"), "to": params.get("to")}
    limit = p["size"] + 1
    offset = (p["page"] - 1) * p["size"]
    with engine.connect() as conn:
        if p["after"]:
            after = {"afterStart": p["after"][0], "afterId": p["after"][1]}
            rows = q["adminCursorPage"].run(conn, {**rng, **after, "limit": limit})
        elif offset > 0:
            rows = q["adminOffsetPage"].run(conn, {**rng, "limit": limit, "offset": offset})
        else:
            rows = q["adminPage"].run(conn, {**rng, "limit": limit})
        total = count_for(conn, p, q["adminCount"], rng)
        page = with_items(conn, rows, p["size"])
    return envelope(
        request, p, page, total, lambda b: [b["start_datetime"], b["id"]]
    )


if __name__ == "__main__":
    uvicorn.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8000")),
        access_log=False,
        log_level="warning",
    )
