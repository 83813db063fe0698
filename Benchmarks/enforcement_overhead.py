#!/usr/bin/env python3
"""Enforcement overhead (issue 5): what moderation adds to a request, against the direct upstream,
and against LiteLLM's proxy with its keyword content filter, in one run.

Setup, all on loopback:
- upstream: `hegui demo-model` (no pacing) padded to >= 1 KB answers;
- `hegui serve` in front of it with a 20,000-term lexicon (the keyword benchmark's, generated from
  jieba's dictionary) and the built-in policy (every folding on), auditing every decision;
- LiteLLM's proxy (`litellm[proxy]` in a virtualenv) in front of the same upstream, with its
  `litellm_content_filter` guardrail loaded with the same 20,000 terms when it installs.
Terms that occur in the benchmark's prompt or answer are left out, so the traffic is clean, as most
traffic is; the refusal paths have their own tests.

Loads (wrk, one thread, alternating targets so that drift hits all alike):
- non-streaming at ~500 req/s: 8 connections each pausing between requests;
- streams: time to the first event and to the end, from a raw-socket client.

    Benchmarks/.venv/bin/python Benchmarks/enforcement_overhead.py [--litellm /path/to/venv/bin/litellm]
"""

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "keywords"))
import gateway_overhead as common  # noqa: E402

ROOT = common.ROOT
KEY = common.KEY
PROMPT = common.PROMPT
LITELLM_KEY = "sk-bench-0123456789"


def lexicon_terms():
    """The keyword benchmark's 20,000-term lexicon (generated once from jieba's dictionary)."""
    import run as keywords  # Benchmarks/keywords/run.py

    keywords.generate(1)  # the keyword benchmark's default seed
    with open(os.path.join(keywords.RESULTS, "lexicon-20k.txt"), encoding="utf-8") as handle:
        return [line for line in handle.read().split("\n") if line]


def write_lexicon(path, terms):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{term}\tA1h\tblock\n" for term in terms))


def clean_terms(binary, work, terms, texts):
    """Drops the terms the engine finds (with every folding) in the benchmark's own texts."""
    sample = os.path.join(work, "texts.txt")
    with open(sample, "w", encoding="utf-8") as handle:
        handle.write("\n".join(texts) + "\n")
    while True:
        lexicon = os.path.join(work, "lexicon.tsv")
        write_lexicon(lexicon, terms)
        scan = subprocess.run([binary, "scan", "--lexicon", lexicon, "--json", "--no-progress", sample],
                              capture_output=True, text=True)
        found = {json.loads(line)["term"] for line in scan.stdout.splitlines() if line.strip()}
        found = {term for term in found if term in terms}
        if not found:
            return terms, lexicon
        terms = [term for term in terms if term not in found]


def wrk(url, script, connections, duration):
    """wrk with a long timeout; errors are counted, not fatal (a slow peer is a result)."""
    out = common.run(common.pinned(0, ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
                                       "--latency", "-s", script, url])).stdout
    latency = dict(common.re.findall(r"^\s+(50|99)%\s+(\S+)", out, common.re.M))
    errors = sum(int(n) for n in common.re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    errors += int((common.re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1])
    return {
        "rps": float(common.re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": common.to_ms(latency["50"]),
        "p99": common.to_ms(latency["99"]),
        "errors": errors,
    }


def post(url, body, key):
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def lua(work, key, model, stream, think_ms, users=1):
    return common.lua_script(work, stream, think_ms, key=key, model=model, users=users)


def first_events(url, key, model, workers, each, think_s):
    """Time to the first event and to the end of streams, in ms (raw sockets, keep-alive)."""
    return common.first_event_latencies(url, workers, each, think_s, key=key, model=model)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--think-ms", type=int, default=14, help="per-connection pause: ~500 req/s over 8")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--stream-connections", type=int, default=4)
    parser.add_argument("--stream-think-ms", type=int, default=30, help="streams: a load both paths sustain")
    parser.add_argument("--litellm", default=shutil.which("litellm") or "/tmp/litellm-venv/bin/litellm")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--users", type=int, default=10000,
                        help="distinct end users the JSON load cycles through (each request a different one)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    if not args.skip_build:
        common.run(["swift", "build", "-c", "release", "--product", "hegui"], cwd=ROOT)
    binary = os.path.join(common.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT).stdout.strip(),
                          "hegui")
    work = tempfile.mkdtemp(prefix="hegui-enforce-bench-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEGUI_")}
    processes = []
    logs = open(os.path.join(work, "logs.txt"), "w")
    upstream_port, hegui_port, litellm_port = 18190, 18180, 18170
    try:
        processes.append(subprocess.Popen(
            common.pinned(0, [binary, "demo-model", "--port", str(upstream_port), "--chunk-delay-ms", "0",
                              "--min-reply-bytes", "1024"]), stdout=subprocess.DEVNULL, env=env))
        common.wait_ready(f"http://127.0.0.1:{upstream_port}/v1/models")
        direct_url = f"http://127.0.0.1:{upstream_port}/v1/chat/completions"
        answer = post(direct_url, {"model": "hegui-demo", "user": "u", "messages": [{"role": "user", "content": PROMPT}]},
                      KEY)["choices"][0]["message"]["content"]
        terms, lexicon = clean_terms(binary, work, lexicon_terms(), [PROMPT, answer])
        print(f"answer {len(answer.encode())} bytes; lexicon {len(terms)} terms "
              f"({20000 - len(terms)} that occur in the benchmark's texts left out)")

        config = os.path.join(work, "hegui.yaml")
        with open(config, "w") as handle:
            handle.write(
                f"server:\n  port: {hegui_port}\ndata_dir: {work}/data\nlog_level: warning\n"
                f"upstream:\n  url: http://127.0.0.1:{upstream_port}/v1\n"
                f"tenants:\n  - id: bench\n    key_sha256: {hashlib.sha256(KEY.encode()).hexdigest()}\n"
                f"moderation:\n  lexicons: [{lexicon}]\n"
            )
        processes.append(subprocess.Popen(common.pinned(1, [binary, "serve", "--config", config]),
                                          stdout=logs, stderr=logs, env=env))
        common.wait_ready(f"http://127.0.0.1:{hegui_port}/healthz", timeout=60)
        targets = {"direct": (direct_url, KEY, "hegui-demo"),
                   "hegui": (f"http://127.0.0.1:{hegui_port}/v1/chat/completions", KEY, "hegui-demo")}

        litellm_note = "not installed"
        filtered_probe = None
        if os.path.exists(args.litellm):
            words = os.path.join(work, "litellm-words.yaml")
            with open(words, "w", encoding="utf-8") as handle:
                handle.write("blocked_words:\n" + "".join(
                    f"  - keyword: {json.dumps(term, ensure_ascii=False)}\n    action: BLOCK\n" for term in terms))

            def litellm_config(name, with_filter):
                path = os.path.join(work, f"litellm-{name}.yaml")
                guardrail = ("    litellm_params:\n      guardrail: litellm_content_filter\n      default_on: true\n"
                             f"      blocked_words_file: {words}\n")
                with open(path, "w") as handle:
                    handle.write(
                        "model_list:\n  - model_name: hegui-demo\n    litellm_params:\n      model: openai/hegui-demo\n"
                        f"      api_base: http://127.0.0.1:{upstream_port}/v1\n      api_key: {KEY}\n"
                        f"general_settings:\n  master_key: {LITELLM_KEY}\n"
                        "litellm_settings:\n  drop_params: true\n")
                    if with_filter:
                        handle.write(
                            "guardrails:\n"
                            f"  - guardrail_name: keywords-input\n{guardrail}      mode: pre_call\n"
                            f"  - guardrail_name: keywords-output\n{guardrail}      mode: post_call\n")
                return path

            def start_litellm(name, port, with_filter):
                process = subprocess.Popen(
                    common.pinned(1, [args.litellm, "--config", litellm_config(name, with_filter), "--port", str(port),
                                      "--num_workers", "1"]), stdout=logs, stderr=logs, env=env)
                processes.append(process)
                common.wait_ready(f"http://127.0.0.1:{port}/health/liveliness", timeout=180)
                return process

            # The proxy alone runs the same loads as Hegui; with its content filter holding the
            # 20,000 terms it is probed one request at a time (under load it only times out).
            start_litellm("plain", litellm_port, False)
            targets["litellm"] = (f"http://127.0.0.1:{litellm_port}/v1/chat/completions", LITELLM_KEY, "hegui-demo")
            filtered_probe = (f"http://127.0.0.1:{litellm_port + 1}/v1/chat/completions", start_litellm)
            litellm_note = "LiteLLM proxy alone (no content filter) under the same loads"

        results = {}
        for stream in (False, True):
            samples = {name: [] for name in targets}
            connections = args.stream_connections if stream else args.connections
            think = args.stream_think_ms if stream else args.think_ms
            for name, (url, key, model) in targets.items():
                wrk(url, lua(work, key, model, stream, think, args.users), connections, 2)
            for _ in range(args.rounds):
                for name, (url, key, model) in targets.items():
                    samples[name].append(wrk(url, lua(work, key, model, stream, think, args.users),
                                             connections, args.duration))
            results[stream] = {name: {metric: statistics.median(run[metric] for run in runs)
                                      for metric in ("rps", "p50", "p99", "errors")} for name, runs in samples.items()}
        ttft = {name: ([], []) for name in targets}
        for _ in range(args.rounds):
            for name, (url, key, model) in targets.items():
                first, whole = first_events(url, key, model, args.stream_connections, 120,
                                            args.stream_think_ms / 1000)
                ttft[name][0].extend(first)
                ttft[name][1].extend(whole)
        rss = common.rss_kb(processes[1].pid)
        probe = None
        if filtered_probe:
            url, start_litellm = filtered_probe
            start_litellm("filtered", litellm_port + 1, True)
            body = {"model": "hegui-demo", "user": "u", "messages": [{"role": "user", "content": PROMPT}]}
            times = []
            for _ in range(10):
                started = time.perf_counter()
                post(url, body, LITELLM_KEY)
                times.append((time.perf_counter() - started) * 1000)
            hegui_url = targets["hegui"][0]
            hegui_times = []
            for _ in range(10):
                started = time.perf_counter()
                post(hegui_url, body, KEY)
                hegui_times.append((time.perf_counter() - started) * 1000)
            probe = (statistics.median(times), max(times), statistics.median(hegui_times), max(hegui_times))
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        logs.close()

    print(f"\nEnforcement overhead: median of {args.rounds} alternating {args.duration}s wrk runs; JSON: "
          f"{args.connections} connections each pausing {args.think_ms} ms; streams: {args.stream_connections} "
          f"connections pausing {args.stream_think_ms} ms (upstream + wrk on core 0, proxies on core 1)")
    print(f"LiteLLM: {litellm_note}\n")
    print(f"{'mode':<8}{'target':<10}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'+p50':>8}{'+p99':>8}{'errors':>8}")
    for stream, rows in results.items():
        base = rows["direct"]
        for name, row in rows.items():
            print(f"{'stream' if stream else 'json':<8}{name:<10}{row['rps']:>8.0f}{row['p50']:>9.3f}{row['p99']:>9.3f}"
                  f"{row['p50'] - base['p50']:>8.3f}{row['p99'] - base['p99']:>8.3f}{row['errors']:>8.0f}")
    print("\nStreams (raw-socket client):")
    base_first = common.percentile(ttft["direct"][0], 0.5)
    for name, (first, whole) in ttft.items():
        print(f"  {name:<8} first event p50 {common.percentile(first, 0.5):.3f} p99 {common.percentile(first, 0.99):.3f} ms"
              f" (+{common.percentile(first, 0.5) - base_first:.3f}) | whole stream p50 {common.percentile(whole, 0.5):.3f}"
              f" p99 {common.percentile(whole, 0.99):.3f} ms")
    if probe:
        print(f"\nOne request at a time, the same 20,000 terms checked on input and output: LiteLLM with "
              f"litellm_content_filter median {probe[0]:.1f} ms (max {probe[1]:.1f}); Hegui median {probe[2]:.1f} ms "
              f"(max {probe[3]:.1f})")
    print(f"\nhegui RSS {rss[0] / 1024:.1f} MiB (peak {rss[1] / 1024:.1f} MiB)")


if __name__ == "__main__":
    main()
