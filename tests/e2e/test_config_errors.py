"""Bad configuration: a precise error naming the key and the file, a non-zero exit, and nothing started."""
import os

from floe_process import run_floe


def up_with_config(tmp_path, text, name="floe.toml"):
    cfg = tmp_path / name
    cfg.write_text(text)
    data = tmp_path / "data"
    res = run_floe(["up", "--config", str(cfg), "--kafka-listen", "127.0.0.1:0", "--catalog-listen", "127.0.0.1:0",
                    "--http-listen", "127.0.0.1:0",
                    "--data-dir", str(data)], timeout=20)
    return res, cfg, data


def test_unknown_key_names_key_file_and_line(tmp_path):
    res, cfg, data = up_with_config(tmp_path, "[http]\nlisten = \"127.0.0.1:0\"\nno_such_key_xyz = 1\n")
    assert res.returncode == 2
    assert f"config {cfg}:3: unknown key 'http.no_such_key_xyz'" in res.stderr, res.stderr
    assert "known keys in [http]: listen, max_connections" in res.stderr
    assert res.stdout == ""  # nothing announced
    assert not data.exists()  # nothing created


def test_unknown_section_is_rejected(tmp_path):
    res, cfg, _ = up_with_config(tmp_path, "[brokerr]\npartitions = 3\n")
    assert res.returncode == 2
    assert f"config {cfg}:1: unknown key 'brokerr'; known keys at the top level: broker, catalog, data_dir, http, jobs, log" in res.stderr, \
        res.stderr


def test_wrong_type_names_key_expected_and_actual(tmp_path):
    res, cfg, _ = up_with_config(tmp_path, "[http]\nmax_connections = \"many\"\n")
    assert res.returncode == 2
    assert f"config {cfg}:2: http.max_connections: expected an integer, got a string" in res.stderr, res.stderr


def test_bad_value_names_key(tmp_path):
    res, cfg, _ = up_with_config(tmp_path, "[log]\nlevel = \"loud\"\n")
    assert res.returncode == 2
    assert f"config {cfg}:2: log.level: unknown log level 'loud'" in res.stderr, res.stderr


def test_missing_file_names_the_path(tmp_path):
    missing = tmp_path / "nope.toml"
    res = run_floe(["up", "--config", str(missing), "--data-dir", str(tmp_path / "d")])
    assert res.returncode == 2
    assert f"config file {missing}: does not exist" in res.stderr, res.stderr


def test_syntax_error_names_file_line_and_column(tmp_path):
    res, cfg, _ = up_with_config(tmp_path, "[http]\nlisten = \n")
    assert res.returncode == 2
    assert f"config {cfg}:2:" in res.stderr and "not valid TOML" in res.stderr, res.stderr


def test_bad_listen_flag_names_the_flag(tmp_path):
    res = run_floe(["up", "--http-listen", "localhost", "--data-dir", str(tmp_path / "d")])
    assert res.returncode == 2
    assert "--http-listen: listen address 'localhost': missing ':PORT'" in res.stderr, res.stderr


def test_flags_override_the_file(tmp_path):
    # The file asks for an impossible port; the flag wins, so the server starts.
    cfg = tmp_path / "floe.toml"
    cfg.write_text("[http]\nlisten = \"127.0.0.1:1\"\n")
    from floe_process import FloeServer
    with FloeServer(["up", "--config", str(cfg), "--kafka-listen", "127.0.0.1:0", "--catalog-listen", "127.0.0.1:0",
                     "--http-listen", "127.0.0.1:0"],
                    ["http"]) as s:
        assert s.doors["http"][1] != 1
        assert s.stop() == 0
