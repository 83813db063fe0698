"""A real `hegui serve` for the Python tests: started on a free port in a fresh data directory,
stopped with SIGTERM (which must exit 0)."""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading

BINARY = os.environ.get("HEGUI_BIN", ".build/debug/hegui")


def start_serving(arguments, env, stderr=subprocess.DEVNULL):
    """Starts `hegui serve --port 0 ARGUMENTS` with `env`; returns (process, port) once it listens.
    Its standard output is drained from then on, so that the pipe never fills."""
    process = subprocess.Popen([BINARY, "serve", "--port", "0", *arguments],
                               stdout=subprocess.PIPE, stderr=stderr, env=env, text=True)
    port = None
    for line in process.stdout:
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if match:
            port = int(match.group(1))
            break
    if not port:
        process.kill()
        raise AssertionError("the gateway did not start")
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return process, port


def clean_environment(**extra):
    """The test's environment without any HEGUI_ setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEGUI_")}
    env.update(extra)
    return env


@contextlib.contextmanager
def served(prepare=None):
    """Yields (base URL, data directory). `prepare(data_dir)` may write files and returns extra
    arguments for `hegui serve`."""
    data_dir = tempfile.mkdtemp(prefix="hegui-py-")
    arguments = prepare(data_dir) if prepare else []
    process, port = start_serving(["--data-dir", data_dir, *arguments], clean_environment())
    try:
        yield f"http://127.0.0.1:{port}", data_dir
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        shutil.rmtree(data_dir, ignore_errors=True)


def read(data_dir, name):
    with open(os.path.join(data_dir, name)) as handle:
        return handle.read().strip()
