"""floe's history API (Nessie's REST API v2 under /api/v2) against the reference client we did not write: Project
Nessie's Java client, `org.projectnessie.nessie:nessie-client:0.110.0` (NessieApiV2, from Maven Central via
tests/peers/nessie-client/pom.xml and scripts/setup-peers.sh), driven by tests/interop/nessie_v2_client/
NessieV2Peer.java in Java's source-file mode.

The client checks /api/v2/config for API version 2, lists and creates references, reads the commit log page by page
(one entry per page, following the server's tokens) with operations, diffs two branches, merges with its expected hash
and reads the merge commit's two parents; what it reads must match `floe catalog log|diff|refs --data-dir`, which reads
the store directly. Errors must reach it as Nessie's own exception types (its mapping of NessieError's errorCode).

pynessie, the Python client on PyPI, is not used: its newest release (0.67.0) speaks API v1 only (/trees/tree/...).
"""
import json
import re
import shutil
import subprocess
import urllib.request

from floe_process import REPO, FloeServer, java_classpath, run_floe

PEER = REPO / "tests" / "interop" / "nessie_v2_client" / "NessieV2Peer.java"
SCHEMA = {"type": "struct", "schema-id": 0, "fields": [{"id": 1, "name": "id", "required": True, "type": "long"}]}


def nessie_client(uri, step, token=""):
    java = shutil.which("java")
    assert java, "java is not installed (scripts/setup-peers.sh needs it for the Maven peers)"
    res = subprocess.run([java, "-cp", java_classpath("nessie-client"), str(PEER), uri, token, step],
                         capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout.splitlines()


def test_nessie_java_client_reads_and_changes_floe_history(tmp_path):
    cfg = tmp_path / "floe.toml"
    cfg.write_text('[catalog]\nlisten = "127.0.0.1:0"\ntoken = "s3cret"\n')
    data = str(tmp_path / "data")
    with FloeServer(["catalog", "--config", str(cfg)], ["catalog"], data_dir=data) as s:
        api = s.url("catalog", "/api/v2")
        req = lambda m, p, b=None: urllib.request.Request(  # noqa: E731
            s.url("catalog", "/iceberg" + p), method=m, data=json.dumps(b).encode() if b is not None else None,
            headers={"Content-Type": "application/json", "Authorization": "Bearer s3cret"})

        def iceberg(method, path, body=None):
            with urllib.request.urlopen(req(method, path, body), timeout=20) as r:
                return json.loads(r.read() or b"null")

        def local(*args):
            res = run_floe(["catalog", *args, "--data-dir", data], timeout=30)
            assert res.returncode == 0, res.stderr
            return res.stdout

        iceberg("POST", "/v1/namespaces", {"namespace": ["db"], "properties": {"owner": "interop"}})
        iceberg("POST", "/v1/namespaces/db/tables", {"name": "t", "schema": SCHEMA})
        main_head = re.search(r"^branch main ([0-9a-f]{64})$", local("refs"), re.M).group(1)

        out = nessie_client(api, "refs", token="s3cret")
        assert out[0] == "config main 2", out
        assert out[1] == f"ref BRANCH main {main_head}", out
        assert out[2] == f"default BRANCH main {main_head}", out
        assert out[3] == f"created BRANCH dev {main_head}", out
        assert out[4] == f"created TAG v1 {main_head}", out
        assert out[5] == f"get TAG v1 {main_head}", out
        assert local("refs") == f"branch dev {main_head}\nbranch main {main_head}\ntag    v1 {main_head}\n"

        created = iceberg("POST", "/dev/v1/namespaces/db/tables", {"name": "u", "schema": SCHEMA})
        u_location = created["metadata-location"]

        out = nessie_client(api, "history", token="s3cret")
        store_log = local("log", "--ref", "dev", "--limit", "100")
        ids = re.findall(r"^commit ([0-9a-f]{64})$", store_log, re.M)
        commits = [line for line in out if line.startswith("commit ")]
        assert [line.split()[1] for line in commits] == ids, (out, store_log)
        assert commits[0].endswith("message=create table db.u"), commits[0]
        assert f"parent={ids[1]}" in commits[0] and "authors=[" in commits[0], commits[0]
        assert f"  put db.u table {u_location}" in out, out
        assert "  put db namespace {owner=interop}" in out, out
        assert f"diff db.u - -> table {u_location}" in out, out
        dev_head = ids[0]
        assert f"effective BRANCH main {main_head} / BRANCH dev {dev_head}" in out, out
        merged = [line for line in out if line.startswith("merged ")][0]
        m = re.fullmatch(r"merged applied=true successful=true from=([0-9a-f]{64}) to=([0-9a-f]{64})", merged)
        assert m and m.group(1) == main_head, merged
        head = [line for line in out if line.startswith("head ")][0]
        assert head == (f"head {m.group(2)} parents=[{main_head}, {dev_head}] authors=[nessie-java] "
                        "message=merge dev by the nessie client"), head
        assert local("log", "--limit", "1").startswith(f"commit {m.group(2)}\nmerge  {dev_head}\nauthor nessie-java\n")
        assert local("diff", "main", "dev") == ""

        # Both branches change db.t, so the next merge conflicts.
        update = {"requirements": [], "updates": [{"action": "set-properties", "updates": {"k": "dev"}}]}
        iceberg("POST", "/dev/v1/namespaces/db/tables/t", update)
        update["updates"][0]["updates"]["k"] = "main"
        iceberg("POST", "/v1/namespaces/db/tables/t", update)
        out = nessie_client(api, "errors", token="s3cret")
        assert out[0].startswith("error NessieReferenceNotFoundException REFERENCE_NOT_FOUND"), out
        assert "reference 'nope' does not exist in the catalog" in out[0], out
        assert out[1].startswith("error NessieReferenceAlreadyExistsException REFERENCE_ALREADY_EXISTS"), out
        assert out[2].startswith("error NessieReferenceConflictException REFERENCE_CONFLICT"), out
        assert "changed on both since their common ancestor" in out[2] and "db.t" in out[2], out
        assert out[3].startswith("error NessieReferenceConflictException REFERENCE_CONFLICT"), out
        assert "branch dev moved" in out[3], out
        assert out[4] == "refs 3", out
        assert s.stop() == 0
