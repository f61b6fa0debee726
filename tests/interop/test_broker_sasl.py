"""SASL on the Kafka door against real clients: kcat (librdkafka) with PLAIN and SCRAM-SHA-256, the Java client with
SCRAM-SHA-256; wrong passwords are refused and requests before authentication close the connection."""
import socket
import struct
import subprocess

import pytest

from floe_process import REPO, FloeServer, java_classpath

USERS = {"alice": "alice-secret", "bob": "p=w,d ü"}


@pytest.fixture
def broker(tmp_path):
    cfg = tmp_path / "floe.toml"
    users = "\n".join(f'{u} = "{p}"' for u, p in USERS.items())
    cfg.write_text(f'[broker.sasl]\nenabled = true\nmechanisms = "PLAIN, SCRAM-SHA-256"\n[broker.sasl.users]\n{users}\n')
    with FloeServer(["broker", "--config", str(cfg), "--kafka-listen", "127.0.0.1:0"], ["kafka"]) as s:
        yield s
        assert s.stop() == 0, s.stderr()


def kcat(s, mechanism, user, password, *args, input=None):
    host, port = s.doors["kafka"]
    return subprocess.run(["kcat", "-b", f"{host}:{port}", "-X", "security.protocol=SASL_PLAINTEXT",
                           "-X", f"sasl.mechanisms={mechanism}", "-X", f"sasl.username={user}",
                           "-X", f"sasl.password={password}", *args], input=input, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256"])
@pytest.mark.parametrize("user", sorted(USERS))
def test_kcat_authenticates_produces_and_consumes(broker, mechanism, user):
    topic = f"sasl-{mechanism.lower()}-{user}"
    res = kcat(broker, mechanism, user, USERS[user], "-P", "-t", topic, "-p", "0", input="one\ntwo\n")
    assert res.returncode == 0, res.stderr
    res = kcat(broker, mechanism, user, USERS[user], "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == ["one", "two"]
    assert f"user={user}" in broker.stderr()


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256"])
def test_wrong_password_is_refused(broker, mechanism):
    res = kcat(broker, mechanism, "alice", "wrong", "-L", "-m", "5")
    assert res.returncode != 0
    assert "Authentication failed" in res.stderr or "authentication failed" in res.stderr.lower(), res.stderr
    assert "sasl authentication failed" in broker.stderr()


def test_request_before_authentication_closes_the_connection(broker):
    # A Metadata v1 request with no SASL exchange first.
    payload = struct.pack(">hhih", 3, 1, 9, 3) + b"raw" + struct.pack(">i", -1)
    with socket.create_connection(broker.doors["kafka"], timeout=10) as c:
        c.sendall(struct.pack(">i", len(payload)) + payload)
        assert c.recv(100) == b""
    assert "Metadata request before SASL authentication" in broker.stderr()


def test_java_client_with_scram(broker, tmp_path):
    props = tmp_path / "client.properties"
    props.write_text("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\n"
                     "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                     'username="alice" password="alice-secret";\n')
    host, port = broker.doors["kafka"]
    res = subprocess.run(["java", "-Xmx256m", "-cp", java_classpath("kafka-clients"),
                          str(REPO / "tests" / "peers" / "kafka-clients" / "ProduceConsume.java"), f"{host}:{port}",
                          "java-scram", "200", "none", str(props)], capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stderr[-3000:]
    assert len(res.stdout.splitlines()) == 201
