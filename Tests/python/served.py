"""A real `hegui serve` for the Python tests: started on a free port in a fresh data directory,
stopped with SIGTERM (which must exit 0)."""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile

BINARY = os.environ.get("HEGUI_BIN", ".build/debug/hegui")


@contextlib.contextmanager
def served(prepare=None):
    """Yields (base URL, data directory). `prepare(data_dir)` may write files and returns extra
    arguments for `hegui serve`."""
    data_dir = tempfile.mkdtemp(prefix="hegui-py-")
    arguments = prepare(data_dir) if prepare else []
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEGUI_")}
    process = subprocess.Popen([BINARY, "serve", "--port", "0", "--data-dir", data_dir, *arguments],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    try:
        port = None
        for line in process.stdout:
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        assert port, "the gateway did not start"
        yield f"http://127.0.0.1:{port}", data_dir
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        shutil.rmtree(data_dir, ignore_errors=True)


def read(data_dir, name):
    with open(os.path.join(data_dir, name)) as handle:
        return handle.read().strip()
