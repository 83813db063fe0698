"""schemathesis against a live `hegui serve` (issue 11, item 5): every operation of /openapi.yaml
is called with generated valid and invalid input — the model and user API with the tenant key, the
admin API with the admin token, the public pages and operations endpoints with none. No answer may
be a 5xx, and every answer must match the document: its status, content type and schema.

Bounded: at most `HEGUI_SCHEMATHESIS_EXAMPLES` (default 25) cases an operation and phase, a fixed
seed so that a failure is reproducible."""

import os
import re
import shutil
import subprocess

import pytest

from served import read, served

SCHEMATHESIS = shutil.which("schemathesis") or os.path.join(os.path.dirname(os.sys.executable), "schemathesis")
EXAMPLES = os.environ.get("HEGUI_SCHEMATHESIS_EXAMPLES", "25")
CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
])


@pytest.fixture(scope="module")
def gateway():
    if not os.path.exists(SCHEMATHESIS):
        pytest.fail("schemathesis is not installed (pip install schemathesis)")
    with served() as (base, data_dir):
        yield base, read(data_dir, "dev-tenant-key"), read(data_dir, "admin-token")


@pytest.mark.parametrize("part", ["tenant", "admin", "public"])
def test_every_answer_matches_the_document(gateway, part, tmp_path):
    base, key, admin = gateway
    selection = {
        "tenant": ["--include-path-regex", "^/v1/", "-H", f"Authorization: Bearer {key}"],
        "admin": ["--include-path-regex", "^/admin/", "-H", f"Authorization: Bearer {admin}"],
        "public": ["--exclude-path-regex", "^/(admin|v1)/"],
    }[part]
    result = subprocess.run(
        [SCHEMATHESIS, "run", f"{base}/openapi.yaml", *selection, "--checks", CHECKS, "-n", EXAMPLES,
         "--seed", "11", "--generation-database", "none", "--suppress-health-check", "all", "--no-color",
         "--request-timeout", "30"],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)
    summary = result.stdout[result.stdout.find("SUMMARY"):]
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-2000:]
    generated = re.search(r"(\d+) generated", summary)
    assert generated and int(generated.group(1)) > 0, summary
