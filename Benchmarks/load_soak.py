#!/usr/bin/env python3
"""Load and soak (issue 11, item 6): `hegui serve` under a bounded wrk load with moderation, the
audit log and labels on, in segments; prints throughput and p50/p99 of each segment and the
gateway's memory after each, and fails when memory grows past a stated bound or any request fails.

The gateway runs its defaults: the built-in sample lexicon and policy, the SQLite audit log (every
decision committed before its answer), chat labels at the start of each answer (the AIGC record in
the JSON, the first stream event and the X-AIGC header). The upstream is `hegui demo-model` without
pacing. The mix, per ten requests: six JSON answers, three streams, one refused prompt (each from a
new end user, so the sanctions ladder and its audit events run without suspending anyone).

The first segment warms up (allocator pools, SQLite's page cache, connection pools); growth is
measured from its end to the end of the last. Throughput and latency are printed, not judged
(shared machines are noisy); memory and errors are judged.

    python3 Benchmarks/load_soak.py [--segments 6] [--segment-seconds 30] [--bound-mib 32] [--skip-build]
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gateway_overhead import KEY, PROMPT, ROOT, pinned, rss_kb, run, to_ms, wait_ready  # noqa: E402


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def mixed_script(directory):
    """A wrk script cycling through the mix; refused prompts come from a new user each time."""
    def body(stream, user, text):
        value = {"model": "hegui-demo", "user": user, "messages": [{"role": "user", "content": text}]}
        if stream:
            value["stream"] = True
        return json.dumps(value, ensure_ascii=False)

    clean_json = body(False, "soak-user", PROMPT)
    clean_stream = body(True, "soak-user", PROMPT)
    refused_before, refused_after = body(False, "SOAK", "怎么策划恐怖袭击").split('"SOAK"')
    path = os.path.join(directory, "mixed.lua")
    with open(path, "w") as handle:
        handle.write('wrk.method = "POST"\n')
        handle.write('wrk.headers["Content-Type"] = "application/json"\n')
        handle.write(f'wrk.headers["Authorization"] = "Bearer {KEY}"\n')
        handle.write(f"local clean_json = {json.dumps(clean_json, ensure_ascii=False)}\n")
        handle.write(f"local clean_stream = {json.dumps(clean_stream, ensure_ascii=False)}\n")
        handle.write(f"local refused_before = {json.dumps(refused_before, ensure_ascii=False)}\n")
        handle.write(f"local refused_after = {json.dumps(refused_after, ensure_ascii=False)}\n")
        handle.write("math.randomseed(os.time())\nlocal counter = math.random(0, 1000000000)\n")
        handle.write("""function request()
  counter = counter + 1
  local turn = counter % 10
  if turn == 0 then
    return wrk.format(nil, nil, nil, refused_before .. '"soak-refused-' .. counter .. '"' .. refused_after)
  elseif turn < 4 then
    return wrk.format(nil, nil, nil, clean_stream)
  end
  return wrk.format(nil, nil, nil, clean_json)
end
""")
    return path


def wrk_segment(url, script, connections, seconds):
    out = run(pinned(0, ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, url])).stdout
    failed = "Non-2xx" in out or "Socket errors" in out
    latency = dict(line.split()[:2] for line in out.splitlines() if line.strip().startswith(("50%", "99%")))
    requests = int(next(line for line in out.splitlines() if "requests in" in line).split()[0])
    return {
        "requests": requests,
        "rps": requests / seconds,
        "p50": to_ms(latency["50%"]),
        "p99": to_ms(latency["99%"]),
        "failed": failed,
        "output": out,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--segments", type=int, default=6)
    parser.add_argument("--segment-seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--bound-mib", type=float, default=32.0,
                        help="largest growth of the gateway's RSS from the end of the warm-up segment")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--binary", help="a built hegui (default: the release build)")
    args = parser.parse_args()

    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    binary = args.binary
    if not binary:
        if not args.skip_build:
            subprocess.run(["swift", "build", "-c", "release", "--product", "hegui"], cwd=ROOT, check=True)
        binary = os.path.join(run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT).stdout.strip(),
                              "hegui")

    work = tempfile.mkdtemp(prefix="hegui-soak-")
    upstream_port, gateway_port = free_port(), free_port()
    digest = __import__("hashlib").sha256(KEY.encode()).hexdigest()
    config = os.path.join(work, "hegui.yaml")
    with open(config, "w") as handle:
        handle.write(f"upstream:\n  url: http://127.0.0.1:{upstream_port}/v1\n")
        handle.write(f"tenants:\n  - {{id: soak, name: Soak, key_sha256: {digest}}}\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HEGUI_")}
    upstream = subprocess.Popen(
        pinned(0, [binary, "demo-model", "--port", str(upstream_port), "--chunk-delay-ms", "0"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    gateway = subprocess.Popen(
        pinned(1, [binary, "serve", "--config", config, "--port", str(gateway_port),
                   "--data-dir", os.path.join(work, "data"), "--log-level", "warning"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    failures = []
    try:
        wait_ready(f"http://127.0.0.1:{upstream_port}/v1/models")
        wait_ready(f"http://127.0.0.1:{gateway_port}/healthz")
        url = f"http://127.0.0.1:{gateway_port}/v1/chat/completions"
        script = mixed_script(work)
        started_rss, _ = rss_kb(gateway.pid)
        print(f"gateway RSS at start: {started_rss / 1024:.1f} MiB")
        print("| segment | requests | req/s | p50 ms | p99 ms | RSS MiB after |")
        print("|---|---|---|---|---|---|")
        warm_rss = None
        rows = []
        for segment in range(args.segments):
            result = wrk_segment(url, script, args.connections, args.segment_seconds)
            rss, peak = rss_kb(gateway.pid)
            if segment == 0:
                warm_rss = rss
            rows.append((result, rss))
            label = f"{segment + 1}{' (warm-up)' if segment == 0 else ''}"
            print(f"| {label} | {result['requests']} | {result['rps']:.0f} | {result['p50']:.2f} | "
                  f"{result['p99']:.2f} | {rss / 1024:.1f} |", flush=True)
            if result["failed"]:
                failures.append(f"segment {segment + 1}: requests failed\n{result['output']}")
            if gateway.poll() is not None:
                failures.append("the gateway exited under load")
                break
        final_rss, peak = rss_kb(gateway.pid)
        measured = rows[1:] or rows
        total = sum(r["requests"] for r, _ in measured)
        seconds = len(measured) * args.segment_seconds
        growth = (final_rss - warm_rss) / 1024
        print(f"\nafter warm-up: {total} requests in {seconds} s = {total / seconds:.0f} req/s; "
              f"p50 {sorted(r['p50'] for r, _ in measured)[len(measured) // 2]:.2f} ms, "
              f"worst segment p99 {max(r['p99'] for r, _ in measured):.2f} ms")
        print(f"RSS: start {started_rss / 1024:.1f} MiB, after warm-up {warm_rss / 1024:.1f} MiB, "
              f"end {final_rss / 1024:.1f} MiB (growth {growth:+.1f} MiB, bound {args.bound_mib} MiB), "
              f"peak {peak / 1024:.1f} MiB")
        if growth > args.bound_mib:
            failures.append(f"RSS grew {growth:.1f} MiB after warm-up, over the bound of {args.bound_mib} MiB")
        verified = subprocess.run([binary, "audit", "verify", "--data-dir", os.path.join(work, "data")],
                                  capture_output=True, text=True, env=environment)
        print(verified.stdout.strip().splitlines()[0] if verified.stdout.strip() else verified.stderr.strip())
        if verified.returncode != 0:
            failures.append("hegui audit verify failed after the load:\n" + verified.stdout + verified.stderr)
    finally:
        gateway.terminate()
        upstream.terminate()
        if gateway.wait(timeout=60) != 0:
            failures.append("the gateway did not stop cleanly on SIGTERM")
        upstream.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        raise SystemExit("\n".join(failures))


if __name__ == "__main__":
    main()
