"""The floe binary as a user and a script see it: help, version, usage errors, configuration errors."""
import re

from floe_process import run_floe


def test_help_lists_the_commands_and_exits_0():
    res = run_floe(["--help"])
    assert res.returncode == 0
    for cmd in ("version", "up", "broker", "partition"):
        assert re.search(rf"^\s+{cmd}\s", res.stdout, re.M), res.stdout


def test_every_command_has_real_help():
    for cmd in ("version", "up", "broker", "partition"):
        res = run_floe([cmd, "--help"])
        assert res.returncode == 0, res.stderr
        assert f"Usage: floe {cmd}" in res.stdout


def test_up_help_shows_the_shared_contract_flags():
    out = run_floe(["up", "--help"]).stdout
    for flag in ("--config FILE", "--data-dir DIR", "--http-listen HOST:PORT", "--log-level"):
        assert flag in out, out


def test_version_prints_a_version():
    res = run_floe(["version"])
    assert res.returncode == 0
    assert re.fullmatch(r"floe \d+\.\d+\.\d+ \(commit \w+, \w+ build\)\n", res.stdout), res.stdout


def test_unknown_flag_is_a_usage_error_naming_the_flag():
    for args in (["--no-such-flag"], ["up", "--no-such-flag"]):
        res = run_floe(args)
        assert res.returncode == 2
        assert "--no-such-flag" in res.stderr


def test_no_command_is_a_usage_error():
    res = run_floe([])
    assert res.returncode == 2
    assert "a command is required" in res.stderr


def test_partition_prints_kafka_default_partitions():
    res = run_floe(["partition", "--partitions", "3", "s-00001", "s-00042", "21"])
    assert res.returncode == 0
    assert res.stdout == "s-00001\t2\ns-00042\t0\n21\t0\n"


def test_partition_rejects_zero_partitions():
    res = run_floe(["partition", "--partitions", "0", "k"])
    assert res.returncode == 2
    assert "--partitions" in res.stderr
