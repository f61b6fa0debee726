"""`floe catalog` (and the catalog door of `floe up`): the command-line contract, the Iceberg REST error model over a
real socket, durability across restarts and SIGKILL, bearer-token auth from the config file, and the history
subcommands (log, refs, branch, tag, diff, merge) on the data directory."""
import json
import os
import re
import signal
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from floe_process import FloeServer, floe_bin, run_floe

SCHEMA = {"type": "struct", "schema-id": 0, "fields": [
    {"id": 1, "name": "id", "required": True, "type": "long"},
    {"id": 2, "name": "name", "required": False, "type": "string"}]}


def catalog_server(*extra, data_dir=None):
    return FloeServer(["catalog", "--catalog-listen", "127.0.0.1:0", *extra], ["catalog"], data_dir=data_dir)


def call(server, method, path, body=None, raw=None, headers=None):
    """One request to the REST catalog; returns (status, parsed JSON body or None)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(server.url("catalog", "/iceberg" + path), data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        return e.code, (json.loads(text) if text else None)


def assert_error(reply, code, type_, message_part):
    status, body = reply
    assert status == code, body
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "code"}, body
    assert body["error"]["code"] == code and body["error"]["type"] == type_, body
    assert message_part in body["error"]["message"], body


def create_table(server, ns, name, prefix="/v1"):
    return call(server, "POST", f"{prefix}/namespaces/{ns}/tables", {"name": name, "schema": SCHEMA})


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_catalog_announces_its_door_serves_and_exits_cleanly_on_signal(sig):
    with catalog_server() as s:
        host, port = s.doors["catalog"]
        assert s.lines == [f"listening catalog 127.0.0.1:{port}", "ready"]
        assert port != 0
        status, config = call(s, "GET", "/v1/config")
        assert status == 200
        assert config["overrides"]["warehouse"] == os.path.join(s.data_dir, "warehouse")
        assert "POST /v1/{prefix}/transactions/commit" in config["endpoints"]
        assert s.stop(sig) == 0
        assert "stopped cleanly" in s.stderr()


def test_malformed_requests_get_the_error_model_and_the_server_keeps_serving():
    with catalog_server() as s:
        assert_error(call(s, "POST", "/v1/namespaces", raw=b'{"namespace": ["a"'), 400, "BadRequestException",
                     "CreateNamespaceRequest: malformed JSON")
        assert_error(call(s, "POST", "/v1/namespaces", {"namespace": "a"}), 400, "BadRequestException",
                     "CreateNamespaceRequest.namespace: expected an array of strings")
        assert_error(call(s, "GET", "/v1/namespaces/nope/tables/t"), 404, "NoSuchNamespaceException", "nope")
        assert_error(call(s, "GET", "/v1/namespaces/db/views"), 406, "UnsupportedOperationException", "views")
        host, port = s.doors["catalog"]
        with socket.create_connection((host, port), timeout=5) as c:
            c.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
            assert c.recv(4096).startswith(b"HTTP/1.1 400")
        assert call(s, "POST", "/v1/namespaces", {"namespace": ["a"]})[0] == 200
        assert call(s, "GET", "/v1/namespaces")[1] == {"namespaces": [["a"]]}
        assert s.stop() == 0


def test_tables_survive_a_restart(tmp_path):
    data = str(tmp_path / "data")
    with catalog_server(data_dir=data) as s:
        assert call(s, "POST", "/v1/namespaces", {"namespace": ["db"], "properties": {"owner": "me"}})[0] == 200
        status, created = create_table(s, "db", "t")
        assert status == 200, created
        assert s.stop() == 0
    with catalog_server(data_dir=data) as s:
        status, loaded = call(s, "GET", "/v1/namespaces/db/tables/t")
        assert status == 200, loaded
        assert loaded["metadata-location"] == created["metadata-location"]
        assert loaded["metadata"]["table-uuid"] == created["metadata"]["table-uuid"]
        assert call(s, "GET", "/v1/namespaces/db")[1]["properties"] == {"owner": "me"}
        assert s.stop() == 0


def test_every_acknowledged_commit_survives_sigkill(tmp_path):
    """Commits run back to back while the server is killed with SIGKILL: after a restart the table holds the last
    acknowledged commit or the one in flight, never less, and its metadata file loads."""
    data = str(tmp_path / "data")
    with catalog_server(data_dir=data) as s:
        call(s, "POST", "/v1/namespaces", {"namespace": ["db"]})
        status, created = create_table(s, "db", "t")
        uuid = created["metadata"]["table-uuid"]
        acked, attempted, stop = [0], [0], threading.Event()

        def commit_loop():
            n = 0
            while not stop.is_set():
                n += 1
                attempted[0] = n
                try:
                    status, _ = call(s, "POST", "/v1/namespaces/db/tables/t", {
                        "requirements": [{"type": "assert-table-uuid", "uuid": uuid}],
                        "updates": [{"action": "set-properties", "updates": {"n": str(n)}}]})
                except OSError:
                    return
                if status != 200:
                    return
                acked[0] = n

        t = threading.Thread(target=commit_loop)
        t.start()
        while acked[0] < 20:
            assert t.is_alive(), "commits stopped before the kill"
            time.sleep(0.01)
        s.proc.kill()
        s.proc.wait()
        stop.set()
        t.join()
    with catalog_server(data_dir=data) as s:
        status, loaded = call(s, "GET", "/v1/namespaces/db/tables/t")
        assert status == 200, loaded
        n = int(loaded["metadata"]["properties"]["n"])
        assert acked[0] <= n <= attempted[0], (acked[0], n, attempted[0])
        assert os.path.exists(loaded["metadata-location"])
        assert s.stop() == 0


def test_warehouse_flag_places_tables_and_relative_paths_become_absolute(tmp_path, monkeypatch):
    os.makedirs(tmp_path / "cwd")
    monkeypatch.setenv("FLOE_BIN", os.path.abspath(floe_bin()))
    monkeypatch.chdir(tmp_path / "cwd")
    with FloeServer(["catalog", "--catalog-listen", "127.0.0.1:0", "--warehouse", "lake"], ["catalog"],
                    data_dir=str(tmp_path / "data")) as s:
        call(s, "POST", "/v1/namespaces", {"namespace": ["db"]})
        status, created = create_table(s, "db", "t")
        assert status == 200, created
        assert created["metadata"]["location"] == str(tmp_path / "cwd" / "lake" / "db" / "t")
        assert os.path.exists(created["metadata-location"])
        assert s.stop() == 0


def test_config_file_sets_the_door_and_a_bearer_token(tmp_path):
    cfg = tmp_path / "floe.toml"
    cfg.write_text('[catalog]\nlisten = "127.0.0.1:0"\ntoken = "s3cret"\nthreads = 2\n')
    with FloeServer(["catalog", "--config", str(cfg)], ["catalog"]) as s:
        assert_error(call(s, "GET", "/v1/config"), 401, "NotAuthorizedException", "bearer token")
        assert_error(call(s, "GET", "/v1/config", headers={"Authorization": "Bearer wrong"}), 401,
                     "NotAuthorizedException", "not valid")
        assert call(s, "GET", "/v1/config", headers={"Authorization": "Bearer s3cret"})[0] == 200
        assert s.stop() == 0


def test_unknown_catalog_config_key_names_the_key_and_the_file(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[catalog]\nno_such_key = 1\n")
    res = run_floe(["catalog", "--config", str(cfg), "--catalog-listen", "127.0.0.1:0", "--data-dir",
                    str(tmp_path / "d")], timeout=20)
    assert res.returncode == 2
    assert "catalog.no_such_key" in res.stderr and "bad.toml" in res.stderr, res.stderr


def test_second_catalog_on_the_same_data_dir_is_refused():
    with catalog_server() as first:
        res = run_floe(["catalog", "--catalog-listen", "127.0.0.1:0", "--data-dir", first.data_dir], timeout=20)
        assert res.returncode == 1
        assert f"in use by another floe process (pid {first.proc.pid})" in res.stderr
        assert first.stop() == 0


def test_history_log_branch_tag_diff_merge(tmp_path):
    data = str(tmp_path / "data")

    def floe_catalog(*args):
        return run_floe(["catalog", *args, "--data-dir", data], timeout=30)

    with catalog_server(data_dir=data) as s:
        call(s, "POST", "/v1/namespaces", {"namespace": ["db"]}, headers={"User-Agent": "e2e-test"})
        create_table(s, "db", "on_main")

        # Branch while the server runs (SQLite shares the store), then write on the branch through the REST prefix.
        res = floe_catalog("branch", "dev")
        assert res.returncode == 0, res.stderr
        assert re.fullmatch(r"created branch dev at [0-9a-f]{64}\n", res.stdout), res.stdout
        status, on_dev = create_table(s, "db", "on_dev", prefix="/dev/v1")
        assert status == 200, on_dev
        assert call(s, "GET", "/v1/namespaces/db/tables/on_dev")[0] == 404
        assert call(s, "GET", "/v1/dev/namespaces/db/tables/on_dev")[0] == 200

        res = floe_catalog("log", "--ref", "dev", "--limit", "2")
        assert res.returncode == 0, res.stderr
        commits = re.findall(r"^commit ([0-9a-f]{64})$", res.stdout, re.M)
        assert len(commits) == 2, res.stdout
        assert "    create table db.on_dev\n" in res.stdout, res.stdout
        assert f"    put    db.on_dev  table {on_dev['metadata-location']}\n" in res.stdout, res.stdout

        res = floe_catalog("diff", "main", "dev")
        assert res.returncode == 0, res.stderr
        assert res.stdout == f"+ db.on_dev  table {on_dev['metadata-location']}\n"

        res = floe_catalog("tag", "before-merge", "--from", "main")
        assert res.returncode == 0, res.stderr
        res = floe_catalog("merge", "dev")
        assert res.returncode == 0, res.stderr
        assert res.stdout.startswith("merged dev into main: "), res.stdout
        assert call(s, "GET", "/v1/namespaces/db/tables/on_dev")[0] == 200
        assert call(s, "GET", "/v1/before-merge/namespaces/db/tables/on_dev")[0] == 404
        assert floe_catalog("merge", "dev").stdout.startswith("nothing to merge")

        res = floe_catalog("refs")
        assert [line.split()[:2] for line in res.stdout.splitlines()] == [
            ["tag", "before-merge"], ["branch", "dev"], ["branch", "main"]], res.stdout

        res = floe_catalog("branch", "dev")
        assert res.returncode == 1 and "dev" in res.stderr, res.stderr
        assert s.stop() == 0

    res = run_floe(["catalog", "log", "--data-dir", str(tmp_path / "nothing-here")])
    assert res.returncode == 1
    assert "no catalog in data dir" in res.stderr, res.stderr


def test_up_runs_the_catalog_door_too():
    with FloeServer(["up", "--kafka-listen", "127.0.0.1:0", "--catalog-listen", "127.0.0.1:0", "--http-listen",
                     "127.0.0.1:0"], ["kafka", "catalog", "http"]) as s:
        assert [line.split()[1] for line in s.lines[:-1]] == ["kafka", "catalog", "http"]
        assert s.lines[-1] == "ready"
        assert call(s, "POST", "/v1/namespaces", {"namespace": ["lab"]})[0] == 200
        # telemetry is the seed job's (its sink tables are created when floe up starts it).
        assert sorted(call(s, "GET", "/v1/namespaces")[1]["namespaces"]) == [["lab"], ["telemetry"]]
        assert call(s, "GET", "/v1/namespaces/telemetry/tables")[1]["identifiers"] == [
            {"namespace": ["telemetry"], "name": "readings"}, {"namespace": ["telemetry"], "name": "sensor_10s"}]
        assert s.stop() == 0
        assert "stopped cleanly" in s.stderr()


# ---- history over HTTP: `floe catalog log|refs|branch|tag|merge|diff --catalog URL` (Nessie API v2 under /api/v2) ----

def nessie(server, method, path, body=None, raw=None, headers=None):
    """One request to the catalog's Nessie API v2; returns (status, parsed JSON body or None)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(server.url("catalog", "/api/v2" + path), data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        return e.code, (json.loads(text) if text else None)


def assert_nessie_error(reply, code, error_code, message_part):
    status, body = reply
    assert status == code, body
    assert body["status"] == code and body["errorCode"] == error_code and isinstance(body["reason"], str), body
    assert message_part in body["message"], body


def test_history_over_http_prints_what_the_data_dir_prints(tmp_path):
    data = str(tmp_path / "data")
    with catalog_server(data_dir=data) as s:
        base = s.url("catalog", "/iceberg")

        def local(*args):
            return run_floe(["catalog", *args, "--data-dir", data], timeout=30)

        def remote(*args, url=base):
            return run_floe(["catalog", *args, "--catalog", url], timeout=30)

        def same(*args):
            want, got = local(*args), remote(*args)
            assert want.returncode == 0, want.stderr
            assert got.returncode == 0, got.stderr
            assert got.stdout == want.stdout, (got.stdout, want.stdout)
            return got.stdout

        call(s, "POST", "/v1/namespaces", {"namespace": ["db"], "properties": {"owner": "e2e"}})
        create_table(s, "db", "on_main")

        res = remote("branch", "dev")
        assert res.returncode == 0, res.stderr
        assert re.fullmatch(r"created branch dev at [0-9a-f]{64}\n", res.stdout), res.stdout
        status, on_dev = create_table(s, "db", "on_dev", prefix="/dev/v1")
        assert status == 200, on_dev

        out = same("log", "--ref", "dev", "--limit", "3")
        assert f"    put    db.on_dev  table {on_dev['metadata-location']}\n" in out, out
        assert len(re.findall(r"^commit [0-9a-f]{64}$", out, re.M)) == 3, out
        same("log")
        assert same("diff", "main", "dev") == f"+ db.on_dev  table {on_dev['metadata-location']}\n"
        assert same("diff", "dev", "main") == f"- db.on_dev  table {on_dev['metadata-location']}\n"

        res = remote("tag", "before-merge", "--from", "main")
        assert res.returncode == 0, res.stderr
        assert re.fullmatch(r"created tag before-merge at [0-9a-f]{64}\n", res.stdout), res.stdout
        first = re.findall(r"^commit ([0-9a-f]{64})$", local("log", "--ref", "main").stdout, re.M)[-1]
        res = remote("branch", "old", "--from", first[:12])
        assert res.stdout == f"created branch old at {first}\n", res.stdout + res.stderr
        # the root commit to main: the namespace with its properties, and the table
        out = same("diff", first, "main")
        assert out.startswith('+ db  namespace {"owner":"e2e"}\n+ db.on_main  table '), out

        res = remote("merge", "dev")
        assert res.returncode == 0, res.stderr
        merged = re.fullmatch(r"merged dev into main: ([0-9a-f]{64})\n", res.stdout)
        assert merged, res.stdout
        assert call(s, "GET", "/v1/namespaces/db/tables/on_dev")[0] == 200
        res = remote("merge", "dev")
        assert res.stdout == "nothing to merge: dev has no changes that main lacks\n", res.stdout + res.stderr
        out = same("log", "--limit", "1")
        assert out.startswith(f"commit {merged.group(1)}\nmerge  "), out
        assert "    merge dev into main\n" in out, out

        refs = same("refs")
        assert [line.split()[:2] for line in refs.splitlines()] == [
            ["tag", "before-merge"], ["branch", "dev"], ["branch", "main"], ["branch", "old"]], refs
        # Every form of the URL reaches the same API.
        for url in (base + "/", base + "/dev", s.url("catalog", ""), s.url("catalog", "/api/v2")):
            res = remote("refs", url=url)
            assert (res.returncode, res.stdout) == (0, refs), (url, res.stderr)
        assert s.stop() == 0


def test_history_over_http_errors_are_precise_and_the_server_keeps_serving(tmp_path):
    data = str(tmp_path / "data")
    with catalog_server(data_dir=data) as s:
        base = s.url("catalog", "/iceberg")

        def remote(*args):
            return run_floe(["catalog", *args, "--catalog", base], timeout=30)

        call(s, "POST", "/v1/namespaces", {"namespace": ["db"]})
        create_table(s, "db", "t")
        assert remote("branch", "dev").returncode == 0

        res = remote("log", "--ref", "nope")
        assert res.returncode == 1 and res.stdout == "", res
        assert "reference 'nope' does not exist in the catalog" in res.stderr and "HTTP 404" in res.stderr, res.stderr
        res = remote("branch", "dev")
        assert res.returncode == 1 and "a branch named 'dev' already exists" in res.stderr, res.stderr
        res = remote("branch", "x", "--from", "nope")
        assert res.returncode == 1 and "create branch x: reference 'nope' does not exist" in res.stderr, res.stderr
        res = remote("branch", ".bad")
        assert res.returncode == 2 and "create branch .bad" in res.stderr and "HTTP 400" in res.stderr, res.stderr
        res = remote("merge", "dev", "--into", "nope")
        assert res.returncode == 1 and "reference 'nope' does not exist" in res.stderr, res.stderr

        # A conflict: both branches change db.t; nothing changes on main.
        status, table = call(s, "GET", "/v1/namespaces/db/tables/t")
        assert status == 200
        update = {"requirements": [], "updates": [{"action": "set-properties", "updates": {"k": "dev"}}]}
        assert call(s, "POST", "/v1/dev/namespaces/db/tables/t", update)[0] == 200
        update["updates"][0]["updates"]["k"] = "main"
        assert call(s, "POST", "/v1/namespaces/db/tables/t", update)[0] == 200
        head = nessie(s, "GET", "/trees/main")[1]["reference"]["hash"]
        res = remote("merge", "dev")
        assert res.returncode == 1, res
        assert "merge dev into main: changed on both since their common ancestor" in res.stderr, res.stderr
        assert "db.t" in res.stderr and "HTTP 409 REFERENCE_CONFLICT" in res.stderr, res.stderr
        assert nessie(s, "GET", "/trees/main")[1]["reference"]["hash"] == head

        # Bad requests on the wire: the NessieError shape.
        assert_nessie_error(nessie(s, "POST", "/trees/main/history/merge", raw=b'{"fromRefName": '), 400,
                            "BAD_REQUEST", "Merge: malformed JSON")
        assert_nessie_error(nessie(s, "GET", "/trees/nope/history"), 404, "REFERENCE_NOT_FOUND", "reference 'nope'")
        assert_nessie_error(nessie(s, "POST", f"/trees/main@{'0' * 64}/history/merge", {"fromRefName": "dev"}), 409,
                            "REFERENCE_CONFLICT", "branch main moved")

        # Command-line mistakes are exit status 2.
        res = run_floe(["catalog", "log", "--catalog", "ftp://h/iceberg"], timeout=30)
        assert res.returncode == 2 and "is not an http(s) URL" in res.stderr, res.stderr
        res = run_floe(["catalog", "log", "--catalog", base, "--data-dir", data], timeout=30)
        assert res.returncode == 2 and "give one" in res.stderr, res.stderr

        # The server kept serving all along.
        res = remote("refs")
        assert res.returncode == 0 and len(res.stdout.splitlines()) == 2, res
        assert call(s, "GET", "/v1/config")[0] == 200
        assert s.stop() == 0

    res = run_floe(["catalog", "log", "--catalog", base], timeout=30)
    assert res.returncode == 1 and "/api/v2/trees/main/history" in res.stderr, res.stderr


def test_history_over_http_sends_the_bearer_token(tmp_path):
    cfg = tmp_path / "floe.toml"
    cfg.write_text('[catalog]\nlisten = "127.0.0.1:0"\ntoken = "s3cret"\n')
    with FloeServer(["catalog", "--config", str(cfg)], ["catalog"]) as s:
        base = s.url("catalog", "/iceberg")
        assert_nessie_error(nessie(s, "GET", "/trees"), 401, "UNKNOWN", "requires a bearer token")
        res = run_floe(["catalog", "refs", "--catalog", base], timeout=30)
        assert res.returncode == 2 and "requires a bearer token" in res.stderr, res.stderr
        res = run_floe(["catalog", "refs", "--catalog", base, "--catalog-token", "s3cret"], timeout=30)
        assert res.returncode == 0 and res.stdout.startswith("branch main "), res
        assert s.stop() == 0
