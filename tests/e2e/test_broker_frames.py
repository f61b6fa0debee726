"""Malformed Kafka frames close only their own connection, with the reason logged; the broker keeps serving."""
import socket
import struct


def request(api_key, version, correlation, body=b"", client_id=b"e2e"):
    header = struct.pack(">hhih", api_key, version, correlation, len(client_id)) + client_id
    payload = header + body
    return struct.pack(">i", len(payload)) + payload


def exchange(s, data, read=True):
    with socket.create_connection(s.doors["kafka"], timeout=10) as c:
        c.sendall(data)
        if not read:
            return b""
        chunks = []
        while True:
            try:
                chunk = c.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            got = b"".join(chunks)
            if len(got) >= 4 and len(got) >= 4 + struct.unpack(">i", got[:4])[0]:
                return got
        return b"".join(chunks)


def api_versions_ok(s):
    resp = exchange(s, request(18, 0, 1))
    size, corr, err = struct.unpack(">iih", resp[:10])
    return corr == 1 and err == 0


def test_api_versions_v0_lists_the_served_apis(broker):
    resp = exchange(broker, request(18, 0, 42))
    size, corr, err, n = struct.unpack(">iihi", resp[:14])
    assert (corr, err) == (42, 0)
    apis = {struct.unpack(">hhh", resp[14 + 6 * i: 20 + 6 * i])[0]: struct.unpack(">hhh", resp[14 + 6 * i: 20 + 6 * i])[1:]
            for i in range(n)}
    assert apis[0] == (3, 9)    # Produce
    assert apis[1] == (4, 12)   # Fetch
    assert apis[18] == (0, 4)   # ApiVersions


def test_unsupported_api_versions_version_gets_error_35_and_the_list(broker):
    resp = exchange(broker, request(18, 99, 7))
    size, corr, err, n = struct.unpack(">iihi", resp[:14])
    assert (corr, err) == (7, 35)
    assert n >= 5


def test_oversized_frame_closes_only_that_connection(broker):
    assert exchange(broker, struct.pack(">i", 0x7fffffff) + b"xxxx") == b""
    assert "bad request size" in broker.stderr()
    assert api_versions_ok(broker)


def test_tls_client_hello_is_rejected_cleanly(broker):
    assert exchange(broker, bytes([0x16, 0x03, 0x01, 0x02, 0x00]) + b"\x01" * 100) == b""
    assert api_versions_ok(broker)


def test_unknown_api_key_closes_the_connection_with_a_log_line(broker):
    assert exchange(broker, request(999, 0, 3)) == b""
    assert "unknown api key 999" in broker.stderr()
    assert api_versions_ok(broker)


def test_truncated_body_closes_the_connection(broker):
    # Metadata v1 claiming 5 topics but carrying none.
    assert exchange(broker, request(3, 1, 4, struct.pack(">i", 5))) == b""
    assert "MetadataRequest v1" in broker.stderr()
    assert api_versions_ok(broker)


def test_unsupported_produce_version_closes_the_connection(broker):
    assert exchange(broker, request(0, 2, 5, b"\x00" * 20)) == b""
    assert "Produce version 2 is not supported" in broker.stderr()
    assert api_versions_ok(broker)


def test_client_that_disconnects_mid_frame_does_not_disturb_others(broker):
    exchange(broker, struct.pack(">i", 100) + b"\x00\x12", read=False)
    assert api_versions_ok(broker)
