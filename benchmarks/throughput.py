"""Items 1 and 3: requests per second on the production server, under wrk, interleaved.

`mock-canvas serve` (waitress, its default threads) serves the packaged default fixture plus
enough pairing codes for the write runs. wrk (a separate process, 16 keep-alive connections)
loads, in turn, round after round:

- GET /__mock__/health (the baseline: the app's cheapest route);
- GET /api/v1/users/self/observees?per_page=10 as big-observer-1 (25 observees: a full page);
- PUT then DELETE of links (an admin; each wrk thread cycles through its own observer-student
  pairs, PUT for the whole range then DELETE for it, so no DELETE ever meets a missing link);
- POST /api/v1/users/self/observees with a pairing code (each code used once).

Item 1 is list/health (target >= 0.85); item 3 is list/write, how many times a write costs a
list call (target <= 1.5). Any non-2xx answer stops the benchmark: a broken write is an error,
never a fast figure.

    python -m benchmarks.throughput [--seconds 2] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from mock_canvas.fixtures import default_fixture_path, load_path

from .common import (
    WRK_CONNECTIONS,
    Result,
    at_least,
    at_most,
    free_port,
    lua_string,
    median,
    mock_canvas_command,
    print_rates,
    ratio_of,
    require_wrk,
    server_process,
    write_temp,
    wrk,
)

HEALTH = "/__mock__/health"
LIST = "/api/v1/users/self/observees?per_page=10"
LIST_TOKEN = "big-observer-1"
ADMIN_TOKEN = "admin-token"
# Pairing codes in the server's fixture, per second of wrk runs: about twice what this server
# answers. Running out is an error that says so. (Many more would slow the server's start.)
CODES_PER_SECOND = 2000

# Every script prints what a failed request answered (wrk only counts them).
RESPONSE_LUA = """
function response(status, headers, body)
  if status > 299 then
    print("non-2xx: " .. status .. " " .. body)
  end
end
"""

PUT_DELETE_LUA = (
    """
local pairs_ = {%(pairs)s}
local headers = {["Authorization"] = %(auth)s}
local counter = 0
function setup(thread)
  thread:set("part", counter)
  counter = counter + 1
end
local first, last, n, put
function init(args)
  local parts = %(threads)d
  local size = math.floor(#pairs_ / parts)
  first = part * size + 1
  last = first + size - 1
  n = first - 1
  put = true
end
local verified = false
function request()
  -- wrk calls request() once in thread 0 to check the script, and sends nothing: hand that
  -- call a harmless request, so no pair is counted as PUT without having been sent.
  if part == 0 and not verified then
    verified = true
    return wrk.format("GET", "/__mock__/health")
  end
  n = n + 1
  if n > last then
    n = first
    put = not put
  end
  local p = pairs_[n]
  local method = put and "PUT" or "DELETE"
  return wrk.format(method, "/api/v1/users/" .. p[1] .. "/observees/" .. p[2], headers)
end
"""
    + RESPONSE_LUA
)

PAIRING_LUA = (
    """
local tokens = {%(tokens)s}
local threads = {}
local counter = 0
function setup(thread)
  thread:set("part", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
local n, first, limit
function init(args)
  -- args: the first code of this run and the number of codes; the threads take turns.
  first = tonumber(args[1])
  limit = tonumber(args[2])
  n = -1
  used = -1
end
local verified = false
function request()
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  if part == 0 and not verified then  -- wrk's check of the script: nothing is sent
    verified = true
    return wrk.format("GET", "/__mock__/health")
  end
  n = n + 1
  local index = first + part + n * %(threads)d
  local body = "pairing_code=ranout"  -- a 422: the run fails, asking for more codes
  if index < limit then
    used = index
    body = "pairing_code=" .. string.format("B%%05d", index)
  end
  headers["Authorization"] = "Bearer " .. tokens[(index %% #tokens) + 1]
  return wrk.format("POST", "/api/v1/users/self/observees", headers, body)
end
function done(summary, latency, requests)
  local top = -1
  for _, thread in ipairs(threads) do
    local last = thread:get("used")
    if last > top then
      top = last
    end
  end
  io.write(string.format("codes used up to %%d\\n", top))
end
"""
    + RESPONSE_LUA
)


def code_value(n: int) -> str:
    """The n-th benchmark pairing code: 6 characters of [A-Za-z0-9], as the Lua script makes."""
    return f"B{n:05d}"


def build_fixture(directory: Path, codes: int) -> tuple[str, list[tuple[int, int]], list[str]]:
    """The default fixture plus `codes` pairing codes of generated students; the (observer,
    student) pairs the admin may link, and the tokens of the generated observers."""
    if codes > 100_000:
        raise ValueError("at most 100,000 benchmark pairing codes (5 digits)")
    default = default_fixture_path()
    document: dict[str, Any] = yaml.safe_load(default.read_text())
    dataset = load_path(default)
    by_login = {login.unique_id: user for user in dataset.users for login in user.logins}
    students = [by_login[f"gen-student-{k}"] for k in range(1, 61)]
    observers = [by_login[f"gen-observer-{k}"] for k in range(1, 21)]
    document["pairing_codes"] = [
        *document.get("pairing_codes", []),
        *(
            {
                "user": students[n % len(students)].id,
                "code": code_value(n),
                "expires_at": "2099-01-01T00:00:00Z",
            }
            for n in range(codes)
        ),
    ]
    # JSON is YAML too, and far quicker to write than yaml.safe_dump for this many codes.
    path = write_temp(directory, "throughput.yaml", json.dumps(document, default=str))
    pairs = [(o.id, s.id) for o in observers for s in students]
    tokens = [o.tokens[0].token for o in observers]
    return path, pairs, tokens


def measure(seconds: int, rounds: int) -> dict[str, list[float]]:
    """Requests per second of each kind of request, one wrk run per kind per round."""
    require_wrk()
    threads = 2
    codes = CODES_PER_SECOND * seconds * rounds
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        fixture, pairs, tokens = build_fixture(directory, codes)
        put_delete = write_temp(
            directory,
            "put_delete.lua",
            PUT_DELETE_LUA
            % {
                "pairs": ",".join(f"{{{o},{s}}}" for o, s in pairs),
                "auth": lua_string(f"Bearer {ADMIN_TOKEN}"),
                "threads": threads,
            },
        )
        pairing = write_temp(
            directory,
            "pairing.lua",
            PAIRING_LUA % {"tokens": ",".join(lua_string(t) for t in tokens), "threads": threads},
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        rates: dict[str, list[float]] = {"health": [], "list": [], "put/delete": [], "pairing": []}
        with server_process(mock_canvas_command(port, fixture), port, HEALTH, timeout=60):
            list_headers = [f"Authorization: Bearer {LIST_TOKEN}"]
            wrk(base + HEALTH, 1)  # warm up: connections, caches
            wrk(base + LIST, 1, headers=list_headers)
            next_code = 0
            for _ in range(rounds):
                rates["health"].append(wrk(base + HEALTH, seconds).requests_per_second)
                rates["list"].append(
                    wrk(base + LIST, seconds, headers=list_headers).requests_per_second
                )
                rates["put/delete"].append(
                    wrk(base + "/", seconds, script=put_delete, threads=threads).requests_per_second
                )
                try:
                    done = wrk(
                        base + "/",
                        seconds,
                        script=pairing,
                        script_args=[str(next_code), str(codes)],
                        threads=threads,
                    )
                except RuntimeError as exc:
                    if "ranout" in str(exc) or "Invalid pairing code" in str(exc):
                        raise RuntimeError(
                            f"the {codes} pairing codes ran out: raise CODES_PER_SECOND"
                        ) from exc
                    raise
                used = re.search(r"codes used up to (-?\d+)", done.output)
                if used is None:
                    raise RuntimeError(f"the pairing script did not report: {done.output}")
                # Requests still in flight when wrk stopped may have used the next few.
                next_code = int(used.group(1)) + 1 + 4 * WRK_CONNECTIONS
                rates["pairing"].append(done.requests_per_second)
    return rates


def run(smoke: bool) -> list[Result]:
    seconds, rounds = (1, 1) if smoke else (2, 5)
    rates = measure(seconds, rounds)
    health, listed = median(rates["health"]), median(rates["list"])
    results = [
        Result(
            1,
            "throughput: list (10/page) vs health, mock-canvas serve",
            "req/s",
            listed,
            health,
            "GET /__mock__/health",
            ratio_of(listed, health),
            at_least(0.85, "list/health >= 0.85", "ratio"),
            note=f"wrk -t2 -c16, {rounds} x {seconds} s interleaved, medians",
            samples=rates,
        )
    ]
    for name, label in (("put/delete", "PUT+DELETE link"), ("pairing", "POST pairing_code")):
        writes = median(rates[name])
        results.append(
            Result(
                3,
                f"writes under load: {label} vs list",
                "req/s",
                writes,
                listed,
                "GET observees (list)",
                ratio_of(listed, writes),
                at_most(1.5, "list/write <= 1.5", "ratio"),
                note="ratio = how many times a write costs a list call",
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print_rates(measure(args.seconds, args.rounds))


if __name__ == "__main__":
    main()
