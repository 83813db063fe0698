#!/usr/bin/env python3
"""Gateway overhead: the same load sent straight to an upstream and through `hegui serve`, in one run.

Builds the release binary, starts `hegui demo-model` (no pacing) as the upstream and `hegui serve`
in front of it, then alternates wrk runs against the two: non-streaming and streaming chat
completions, at a moderate paced load (8 connections, each pausing 10 ms between requests: well
below capacity, so latency shows the work added per request, not queueing), at 8 connections flat
out, and at saturation. Prints requests/s, p50/p99 latency, the
added latency and the throughput ratio, and the gateway's memory.

Cores (a 2-core machine): the upstream and wrk share core 0, the gateway has core 1. The direct
runs use the same placement, so the gateway's cost is what differs.

    python3 Benchmarks/gateway_overhead.py [--duration 10] [--rounds 3] [--skip-build]
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY = "hg-bench-key-0123456789abcdef"
PROMPT = "你好，请用两句话介绍一下你自己。Please introduce yourself."


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kwargs)


def pinned(core, cmd):
    return (["taskset", "-c", str(core)] + cmd) if shutil.which("taskset") and os.cpu_count() >= 2 else cmd


def wait_ready(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status < 500:
                    return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"not ready: {url}")


def lua_script(directory, stream, think_ms=0, key=KEY, model="hegui-demo", users=1):
    """A wrk script posting the benchmark's chat request; with `users` > 1 each request names the
    next of that many end users in turn (so a gateway's per-user state is read, not cached)."""
    body = {"model": model, "user": "bench-user", "messages": [{"role": "user", "content": PROMPT}]}
    if stream:
        body["stream"] = True
    tag = hashlib.sha256(f"{key} {model} {users}".encode()).hexdigest()[:8]
    path = os.path.join(directory, f"chat-{'stream' if stream else 'json'}-{think_ms}-{tag}.lua")
    text = json.dumps(body, ensure_ascii=False)
    with open(path, "w") as handle:
        handle.write('wrk.method = "POST"\n')
        handle.write(f"wrk.body = {json.dumps(text, ensure_ascii=False)}\n")
        handle.write('wrk.headers["Content-Type"] = "application/json"\n')
        handle.write(f'wrk.headers["Authorization"] = "Bearer {key}"\n')
        if users > 1:
            before, after = text.split('"bench-user"', 1)
            handle.write(f"local before = {json.dumps(before + chr(34) + 'bench-user-', ensure_ascii=False)}\n")
            handle.write(f"local after = {json.dumps(chr(34) + after, ensure_ascii=False)}\n")
            handle.write("local counter = math.random(0, 1000000)\n")
            handle.write("function request()\n  counter = counter + 1\n")
            handle.write(f"  return wrk.format(nil, nil, nil, before .. (counter % {users}) .. after)\nend\n")
        if think_ms:
            # Each connection pauses between requests: a paced load well below capacity, so latency
            # measures the work per request rather than queueing.
            handle.write(f"function delay() return {think_ms} end\n")
    return path


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, script, connections, duration):
    out = run(pinned(0, ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script, url])).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk saw errors against {url}:\n{out}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": to_ms(latency["50"]),
        "p99": to_ms(latency["99"]),
    }


def first_event_latencies(url, workers, requests_each, think_s, key=KEY, model="hegui-demo"):
    """Streams over keep-alive connections; returns (time to the first event, time to the end) in ms.

    wrk only times whole responses; a user waits for the first event. Raw sockets keep the client's
    own cost small and the same for both targets.
    """
    parsed = urllib.parse.urlparse(url)
    body = json.dumps({"model": model, "user": "bench-user", "stream": True,
                       "messages": [{"role": "user", "content": PROMPT}]}, ensure_ascii=False).encode()
    request = (f"POST {parsed.path} HTTP/1.1\r\nHost: {parsed.netloc}\r\nContent-Type: application/json\r\n"
               f"Authorization: Bearer {key}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    first, whole, lock = [], [], threading.Lock()

    def worker():
        connection = socket.create_connection((parsed.hostname, parsed.port))
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(requests_each):
            start = time.perf_counter()
            connection.sendall(request)
            received, first_at = b"", None
            while not received.endswith(b"0\r\n\r\n"):
                piece = connection.recv(65536)
                if not piece:
                    raise SystemExit("connection closed mid-stream")
                received += piece
                if first_at is None and b"data: " in received:
                    first_at = time.perf_counter()
            done_at = time.perf_counter()
            with lock:
                first.append((first_at - start) * 1000)
                whole.append((done_at - start) * 1000)
            time.sleep(think_s)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return first, whole


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as handle:
        fields = dict(line.split(":", 1) for line in handle)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def paced_and_first_events(start_pair, targets, results, first_events, args, work):
    """Whole streams from a paced upstream, and the time to the first event from the fast one."""
    # A paced upstream, as a real model is: 5 ms between chunks. Whole-stream latency then shows
    # the delay the relay adds to what users see, not the sum of its per-chunk CPU.
    paced = start_pair("paced", 18091, 18081, 5)
    script = lua_script(work, True, args.think_ms)
    for url in paced.values():
        wrk(url, script, args.connections, 2)
    samples = {"direct": [], "gateway": []}
    for _ in range(args.rounds):
        for target, url in paced.items():
            samples[target].append(wrk(url, script, args.connections, args.duration))
    results[(True, f"paced upstream, 5 ms/chunk ({args.connections} conns)")] = {
        target: {metric: statistics.median(s[metric] for s in runs) for metric in ("rps", "p50", "p99")}
        for target, runs in samples.items()
    }

    # Time to the first streamed event, alternating targets, at the moderate load.
    for _ in range(args.rounds):
        for target, url in targets.items():
            first, whole = first_event_latencies(url, args.connections, 150, args.think_ms / 1000)
            first_events[target][0].extend(first)
            first_events[target][1].extend(whole)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--think-ms", type=int, default=10, help="pause per connection between requests at moderate load")
    parser.add_argument("--saturation", type=int, default=64)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--binary", help="the hegui binary to measure (default: the release build)")
    parser.add_argument("--queued-audit", action="store_true",
                        help="run the gateway with audit.await_commit: false (answers do not wait for their event's commit)")
    parser.add_argument("--json-moderate-only", action="store_true",
                        help="only the non-streaming answers at moderate load (a quick check of the added latency)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    if args.binary:
        binary = os.path.abspath(args.binary)
    else:
        if not args.skip_build:
            run(["swift", "build", "-c", "release", "--product", "hegui"], cwd=ROOT)
        binary = os.path.join(run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT).stdout.strip(),
                              "hegui")

    work = tempfile.mkdtemp(prefix="hegui-bench-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEGUI_")}
    logs = open(os.path.join(work, "gateway.log"), "w")
    processes = []

    def start_pair(name, upstream_port, gateway_port, chunk_delay_ms):
        """An upstream (core 0) and a gateway in front of it (core 1); returns their chat URLs."""
        for port in (upstream_port, gateway_port):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    raise SystemExit(f"port {port} is in use: stop whatever listens there first")
        config = os.path.join(work, f"{name}.yaml")
        with open(config, "w") as handle:
            handle.write(
                f"server:\n  port: {gateway_port}\n"
                f"data_dir: {work}/data-{name}\n"
                f"upstream:\n  url: http://127.0.0.1:{upstream_port}/v1\n"
                f"tenants:\n  - id: bench\n    key_sha256: {hashlib.sha256(KEY.encode()).hexdigest()}\n"
                + ("audit:\n  await_commit: false\n" if args.queued_audit else "")
            )
        processes.append(subprocess.Popen(
            pinned(0, [binary, "demo-model", "--port", str(upstream_port), "--chunk-delay-ms", str(chunk_delay_ms)]),
            stdout=subprocess.DEVNULL, env=env))
        processes.append(subprocess.Popen(
            pinned(1, [binary, "serve", "--config", config]), stdout=logs, stderr=logs, env=env))
        wait_ready(f"http://127.0.0.1:{upstream_port}/v1/models")
        wait_ready(f"http://127.0.0.1:{gateway_port}/healthz")
        if any(process.poll() is not None for process in processes[-2:]):
            raise SystemExit("the upstream or the gateway exited at start; see the gateway log")
        return {
            "direct": f"http://127.0.0.1:{upstream_port}/v1/chat/completions",
            "gateway": f"http://127.0.0.1:{gateway_port}/v1/chat/completions",
        }

    try:
        targets = start_pair("fast", 18090, 18080, 0)
        gateway = processes[-1]
        results = {}
        loads = [
            (f"moderate ({args.connections} conns, {args.think_ms} ms think)", args.connections, args.think_ms),
            (f"{args.connections} conns flat out", args.connections, 0),
            (f"saturation ({args.saturation} conns)", args.saturation, 0),
        ]
        for stream in ((False,) if args.json_moderate_only else (False, True)):
            for label, connections, think_ms in (loads[:1] if args.json_moderate_only else loads):
                script = lua_script(work, stream, think_ms)
                for target, url in targets.items():  # warm-up
                    wrk(url, script, connections, 2)
                samples = {"direct": [], "gateway": []}
                for _ in range(args.rounds):
                    for target, url in targets.items():  # alternate, so drift hits both alike
                        samples[target].append(wrk(url, script, connections, args.duration))
                results[(stream, label)] = {
                    target: {metric: statistics.median(s[metric] for s in runs) for metric in ("rps", "p50", "p99")}
                    for target, runs in samples.items()
                }
        rss, peak = rss_kb(gateway.pid)
        first_events = {"direct": ([], []), "gateway": ([], [])}
        if not args.json_moderate_only:
            paced_and_first_events(start_pair, targets, results, first_events, args, work)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        logs.close()

    print(f"\nGateway overhead, median of {args.rounds} alternating {args.duration}s wrk runs "
          f"(upstream + wrk on core 0, gateway on core 1)\n")
    print(f"{'mode':<8}{'load':<44}{'direct rps':>11}{'gateway rps':>12}{'ratio':>7}"
          f"{'direct p50':>11}{'gw p50':>9}{'+p50 ms':>9}{'direct p99':>11}{'gw p99':>9}{'+p99 ms':>9}")
    for (stream, label), result in results.items():
        direct, gate = result["direct"], result["gateway"]
        print(f"{'stream' if stream else 'json':<8}{label:<44}{direct['rps']:>11.0f}{gate['rps']:>12.0f}"
              f"{gate['rps'] / direct['rps']:>7.2f}{direct['p50']:>11.3f}{gate['p50']:>9.3f}"
              f"{gate['p50'] - direct['p50']:>9.3f}{direct['p99']:>11.3f}{gate['p99']:>9.3f}{gate['p99'] - direct['p99']:>9.3f}")
    if args.json_moderate_only:
        print(f"\ngateway memory after the runs: RSS {rss / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB")
        return
    print(f"\nStreams from the unpaced upstream, {args.connections} connections with {args.think_ms} ms think, "
          f"{len(first_events['direct'][0])} streams each:")
    for label, index in (("first event", 0), ("whole stream", 1)):
        direct, gate = first_events["direct"][index], first_events["gateway"][index]
        print(f"  {label:<13} direct p50 {percentile(direct, 0.5):.3f} p99 {percentile(direct, 0.99):.3f} ms | "
              f"gateway p50 {percentile(gate, 0.5):.3f} p99 {percentile(gate, 0.99):.3f} ms | "
              f"added p50 {percentile(gate, 0.5) - percentile(direct, 0.5):+.3f} "
              f"p99 {percentile(gate, 0.99) - percentile(direct, 0.99):+.3f} ms")
    print(f"\ngateway memory after the runs: RSS {rss / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
