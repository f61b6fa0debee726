"""floe's S3 FileIO against a real S3 server: moto's (`python -m moto.server`), with signature checking on.

The server runs as a subprocess on a free port. Before the tests it gets an IAM user with an access key and a role
to assume, and then IAM authentication is switched on (moto's /moto-api/reset-auth with 0 free requests): from
there every request, floe's and boto3's alike, must carry a valid AWS Signature V4 from a known key, which moto
checks by recomputing it with botocore. So every floe request below also proves its signature.

floe is driven through tests/tools/fileio_tool.cpp (floe_fileio_tool in FLOE_BUILD_DIR, default build/); boto3 is
the independent client on the other side: what one writes the other must read byte for byte.

Virtual-host style needs bucket host names that resolve to the server: the tests use both libcurl's own rule that
*.localhost is the loopback address (endpoint http://localhost:PORT) and explicit CURLOPT_RESOLVE entries
(--resolve BUCKET.s3.floe.test:PORT:127.0.0.1), so nothing depends on the machine's DNS.
"""
import hashlib
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import boto3
import moto  # noqa: F401  (the peer must be installed: fail, not skip)
import pytest

from floe_process import REPO

MIB = 1024 * 1024
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account


def tool():
    build = os.environ.get("FLOE_BUILD_DIR") or str(REPO / "build")
    path = os.path.join(build if os.path.isabs(build) else str(REPO / build), "floe_fileio_tool")
    assert os.access(path, os.X_OK), f"{path} missing: build first (target floe_fileio_tool)"
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, data):
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "text/plain"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read()


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    port = free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"moto server did not start on {endpoint}: see {log.name}")
                time.sleep(0.1)

        # Identities, created while moto still accepts anything.
        setup = dict(endpoint_url=endpoint, region_name=REGION, aws_access_key_id="setup",
                     aws_secret_access_key="setup")
        iam = boto3.client("iam", **setup)
        iam.create_user(UserName="floe")
        iam.put_user_policy(UserName="floe", PolicyName="lake", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["s3:*", "sts:AssumeRole"], "Resource": "*"}]}))
        key = iam.create_access_key(UserName="floe")["AccessKey"]
        role = iam.create_role(RoleName="lake-writer", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/floe"},
                           "Action": "sts:AssumeRole"}]}))["Role"]
        iam.put_role_policy(RoleName="lake-writer", PolicyName="lake", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))

        post(endpoint + "/moto-api/reset-auth", b"0")  # from now on every request must be signed by a known key

        client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=key["AccessKeyId"],
                              aws_secret_access_key=key["SecretAccessKey"])
        yield SimpleNamespace(endpoint=endpoint, port=port, key_id=key["AccessKeyId"],
                              secret=key["SecretAccessKey"], role_arn=role["Arn"], client=client)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def bucket(s3):
    name = "floe-" + uuid.uuid4().hex[:12]
    s3.client.create_bucket(Bucket=name)
    return name


def run(s3, args, data=b"", key_id=None, secret=None, token=None, check=True):
    """Runs floe_fileio_tool with the AWS environment variables pointing at moto (path style by default, as for
    any custom endpoint)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=key_id or s3.key_id, AWS_SECRET_ACCESS_KEY=secret or s3.secret,
               AWS_REGION=REGION, AWS_ENDPOINT_URL_S3=s3.endpoint)
    if token:
        env["AWS_SESSION_TOKEN"] = token
    res = subprocess.run([tool()] + list(args), input=data, capture_output=True, env=env, timeout=120)
    if check:
        assert res.returncode == 0, res.stderr.decode(errors="replace")
    return res


def ls(s3, prefix, *opts):
    out = run(s3, list(opts) + ["ls", prefix]).stdout.decode()
    return [(p, int(n)) for p, n in (line.split("\t") for line in out.splitlines())]


def error_of(res):
    assert res.returncode == 1, f"expected failure, got {res.returncode}: {res.stdout[:200]!r}"
    return res.stderr.decode(errors="replace")


def test_put_get_range_size_ls_rm(s3, bucket):
    data = random.Random(1).randbytes(100_000)
    loc = f"s3://{bucket}/t/data/00000-0.parquet"
    run(s3, ["put", loc], data)
    assert run(s3, ["get", loc]).stdout == data
    assert run(s3, ["size", loc]).stdout.decode().strip() == "100000"
    assert run(s3, ["get", loc, "--offset", "4", "--length", "1000"]).stdout == data[4:1004]
    assert run(s3, ["get", loc, "--offset", "99990", "--length", "100"]).stdout == data[99990:]  # clipped at the end
    assert ls(s3, f"s3://{bucket}/t/") == [(loc, 100000)]
    assert ls(s3, f"s3a://{bucket}/t/da") == [(f"s3a://{bucket}/t/data/00000-0.parquet", 100000)]
    assert ls(s3, f"s3://{bucket}/nothing/") == []
    run(s3, ["rm", loc])
    assert ls(s3, f"s3://{bucket}/") == []
    err = error_of(run(s3, ["get", loc], check=False))
    assert f"NotFound: read {loc}: HTTP 404 NoSuchKey" in err


def test_range_past_the_end_is_invalid_argument(s3, bucket):
    loc = f"s3://{bucket}/ten"
    run(s3, ["put", loc], b"0123456789")
    err = error_of(run(s3, ["get", loc, "--offset", "10", "--length", "1"], check=False))
    assert "InvalidArgument" in err and "InvalidRange" in err and loc in err


def test_boto3_writes_floe_reads_identical_bytes(s3, bucket):
    rng = random.Random(2)
    objects = {
        "t/data/a b+c&d=e.parquet": rng.randbytes(3000),
        "t/метаданные/v1.metadata.json": json.dumps({"format-version": 2}).encode(),
        "t/x~y(1)!*'@$,;.bin": rng.randbytes(10),
        "t/%41 literally.txt": b"percent",
        "t//double/slash": b"ds",
        "t/empty": b"",
    }
    for key, body in objects.items():
        s3.client.put_object(Bucket=bucket, Key=key, Body=body)
    for key, body in objects.items():
        assert run(s3, ["get", f"s3://{bucket}/{key}"]).stdout == body, key
        assert int(run(s3, ["size", f"s3://{bucket}/{key}"]).stdout) == len(body), key
    assert ls(s3, f"s3://{bucket}/t/") == sorted((f"s3://{bucket}/{k}", len(v)) for k, v in objects.items())


def test_floe_writes_boto3_reads_identical_bytes(s3, bucket):
    rng = random.Random(3)
    objects = {
        "lake/t/metadata/00001-abc.metadata.json": b'{"table-uuid": "x"}',
        "lake/t/data/part=1/a b+c.parquet": rng.randbytes(70_000),
        "lake/t/ключ.avro": rng.randbytes(500),
        "lake/t/empty": b"",
    }
    for key, body in objects.items():
        run(s3, ["put", f"s3://{bucket}/{key}"], body)
    for key, body in objects.items():
        got = s3.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert got == body, key
    listed = s3.client.list_objects_v2(Bucket=bucket, Prefix="lake/")
    assert sorted(o["Key"] for o in listed["Contents"]) == sorted(objects)


def test_multipart_upload_of_20_mib_in_5_mib_parts(s3, bucket):
    data = random.Random(4).randbytes(20 * MIB)
    loc = f"s3://{bucket}/big/data.parquet"
    opts = ["--multipart-threshold", str(5 * MIB), "--part-size", str(5 * MIB)]
    run(s3, opts + ["put", loc], data)
    head = s3.client.head_object(Bucket=bucket, Key="big/data.parquet")
    assert head["ContentLength"] == len(data)
    # A multipart ETag is the MD5 of the parts' MD5s, suffixed with the part count.
    part_md5s = b"".join(hashlib.md5(data[i:i + 5 * MIB]).digest() for i in range(0, len(data), 5 * MIB))
    assert head["ETag"] == f'"{hashlib.md5(part_md5s).hexdigest()}-4"'
    assert s3.client.get_object(Bucket=bucket, Key="big/data.parquet")["Body"].read() == data
    assert s3.client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    # floe reads it back whole and across a part boundary.
    assert run(s3, ["get", loc]).stdout == data
    assert run(s3, ["get", loc, "--offset", str(5 * MIB - 10), "--length", "20"]).stdout == \
        data[5 * MIB - 10:5 * MIB + 10]


def test_below_the_threshold_a_single_put_is_used(s3, bucket):
    data = random.Random(5).randbytes(6 * MIB)
    run(s3, ["--multipart-threshold", str(8 * MIB), "put", f"s3://{bucket}/single"], data)
    etag = s3.client.head_object(Bucket=bucket, Key="single")["ETag"]
    assert etag == f'"{hashlib.md5(data).hexdigest()}"'  # no "-N": not multipart


def test_put_if_absent_creates_once_then_already_exists(s3, bucket):
    """The commit primitive of a file-system table: a conditional PUT (If-None-Match: *), which moto 5.2.5 honours
    as S3 does, answering 412 PreconditionFailed when the key exists."""
    loc = f"s3://{bucket}/t/metadata/v1.metadata.json"
    run(s3, ["put-if-absent", loc], b'{"winner": 1}')
    err = error_of(run(s3, ["put-if-absent", loc], b'{"winner": 2}', check=False))
    assert f"AlreadyExists: write if absent {loc}: HTTP 412 PreconditionFailed" in err
    assert s3.client.get_object(Bucket=bucket, Key="t/metadata/v1.metadata.json")["Body"].read() == b'{"winner": 1}'
    # An object another client wrote counts the same.
    s3.client.put_object(Bucket=bucket, Key="t/metadata/v2.metadata.json", Body=b"boto3")
    err = error_of(run(s3, ["put-if-absent", f"s3://{bucket}/t/metadata/v2.metadata.json"], b"floe", check=False))
    assert "AlreadyExists" in err
    assert run(s3, ["get", f"s3://{bucket}/t/metadata/v2.metadata.json"]).stdout == b"boto3"
    # Objects above the multipart threshold still go in one conditional PUT.
    big = random.Random(8).randbytes(6 * MIB)
    opts = ["--multipart-threshold", str(5 * MIB), "--part-size", str(5 * MIB)]
    run(s3, opts + ["put-if-absent", f"s3://{bucket}/t/big"], big)
    assert s3.client.head_object(Bucket=bucket, Key="t/big")["ETag"] == f'"{hashlib.md5(big).hexdigest()}"'


def test_put_if_absent_on_local_paths(s3, tmp_path):
    path = str(tmp_path / "t" / "metadata" / "v1.metadata.json")
    run(s3, ["put-if-absent", path], b"first")
    err = error_of(run(s3, ["put-if-absent", path], b"second", check=False))
    assert f"AlreadyExists: write if absent {path}: the file exists" in err
    assert (tmp_path / "t" / "metadata" / "v1.metadata.json").read_bytes() == b"first"


def test_list_pages_through_continuation_tokens(s3, bucket):
    keys = [f"many/{i:05d}.parquet" for i in range(1005)]  # more than one page of 1000
    with ThreadPoolExecutor(8) as ex:
        list(ex.map(lambda k: s3.client.put_object(Bucket=bucket, Key=k, Body=b"x" * (len(k) % 7)), keys))
    listed = ls(s3, f"s3://{bucket}/many/")
    assert listed == [(f"s3://{bucket}/{k}", len(k) % 7) for k in keys]


def test_rm_many_and_missing_objects(s3, bucket):
    for i in range(5):
        run(s3, ["put", f"s3://{bucket}/d/{i}"], b"%d" % i)
    run(s3, ["rm", f"s3://{bucket}/d/0", f"s3://{bucket}/d/2", f"s3://{bucket}/d/4", f"s3://{bucket}/d/never"])
    assert [p for p, _ in ls(s3, f"s3://{bucket}/d/")] == [f"s3://{bucket}/d/1", f"s3://{bucket}/d/3"]
    run(s3, ["rm", f"s3://{bucket}/d/never"])  # deleting a missing object is not an error
    run(s3, ["rm", f"s3://{bucket}/d/1"])
    assert [p for p, _ in ls(s3, f"s3://{bucket}/d/")] == [f"s3://{bucket}/d/3"]


def test_missing_object_and_bucket_are_not_found(s3, bucket):
    err = error_of(run(s3, ["size", f"s3://{bucket}/nope"], check=False))
    assert f"NotFound: size s3://{bucket}/nope: HTTP 404" in err
    err = error_of(run(s3, ["get", f"s3://{bucket}/nope"], check=False))
    assert "NotFound" in err and "NoSuchKey" in err
    err = error_of(run(s3, ["get", "s3://floe-no-such-bucket/k"], check=False))
    assert "NotFound: read s3://floe-no-such-bucket/k: HTTP 404 NoSuchBucket" in err


def test_virtual_host_style_through_localhost(s3, bucket):
    """libcurl resolves BUCKET.localhost to the loopback address itself; moto takes the bucket from the host."""
    opts = ["--endpoint", f"http://localhost:{s3.port}", "--virtual-host"]
    loc = f"s3://{bucket}/vh/a b.json"
    run(s3, opts + ["put", loc], b'{"vhost": true}')
    assert s3.client.get_object(Bucket=bucket, Key="vh/a b.json")["Body"].read() == b'{"vhost": true}'
    assert run(s3, opts + ["get", loc]).stdout == b'{"vhost": true}'
    assert ls(s3, f"s3://{bucket}/vh/", *opts) == [(loc, 15)]
    run(s3, opts + ["rm", loc])
    assert s3.client.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_virtual_host_style_through_fixed_resolution(s3, bucket):
    host = f"{bucket}.s3.floe.test"
    opts = ["--endpoint", f"http://s3.floe.test:{s3.port}", "--virtual-host",
            "--resolve", f"{host}:{s3.port}:127.0.0.1"]
    data = random.Random(6).randbytes(6 * MIB)
    loc = f"s3://{bucket}/vh/multi.bin"
    run(s3, opts + ["--multipart-threshold", str(5 * MIB), "--part-size", str(5 * MIB), "put", loc], data)
    assert s3.client.head_object(Bucket=bucket, Key="vh/multi.bin")["ETag"].endswith('-2"')
    assert run(s3, opts + ["get", loc, "--offset", "1", "--length", "5"]).stdout == data[1:6]
    assert ls(s3, f"s3://{bucket}/", *opts) == [(loc, len(data))]


def test_wrong_secret_is_signature_does_not_match(s3, bucket):
    s3.client.put_object(Bucket=bucket, Key="k", Body=b"v")
    err = error_of(run(s3, ["get", f"s3://{bucket}/k"], secret="not-the-secret", check=False))
    assert f"read s3://{bucket}/k: HTTP 403 SignatureDoesNotMatch" in err
    assert "AWS_SECRET_ACCESS_KEY" in err


def test_unknown_access_key_is_invalid_access_key_id(s3, bucket):
    err = error_of(run(s3, ["put", f"s3://{bucket}/k"], b"v", key_id="AKIAUNKNOWN000000000", check=False))
    assert f"write s3://{bucket}/k: HTTP 403 InvalidAccessKeyId" in err


def test_temporary_credentials_with_a_session_token(s3, bucket):
    sts = boto3.client("sts", endpoint_url=s3.endpoint, region_name=REGION, aws_access_key_id=s3.key_id,
                       aws_secret_access_key=s3.secret)
    creds = sts.assume_role(RoleArn=s3.role_arn, RoleSessionName="floe-test")["Credentials"]
    temp = dict(key_id=creds["AccessKeyId"], secret=creds["SecretAccessKey"])
    loc = f"s3://{bucket}/sts/x"
    run(s3, ["put", loc], b"temporary", token=creds["SessionToken"], **temp)
    assert run(s3, ["get", loc], token=creds["SessionToken"], **temp).stdout == b"temporary"
    err = error_of(run(s3, ["get", loc], token="X" + creds["SessionToken"], check=False, **temp))
    assert "InvalidToken" in err


def test_local_paths_through_the_same_tool(s3, tmp_path):
    data = random.Random(7).randbytes(5000)
    run(s3, ["put", str(tmp_path / "t" / "data" / "f.parquet")], data)
    assert (tmp_path / "t" / "data" / "f.parquet").read_bytes() == data
    assert run(s3, ["get", f"file://{tmp_path}/t/data/f.parquet", "--offset", "10", "--length", "5"]).stdout == \
        data[10:15]
    assert ls(s3, f"file://{tmp_path}/t") == [(f"file://{tmp_path}/t/data/f.parquet", 5000)]
    run(s3, ["rm", str(tmp_path / "t" / "data" / "f.parquet")])
    err = error_of(run(s3, ["get", str(tmp_path / "t" / "data" / "f.parquet")], check=False))
    assert f"NotFound: read {tmp_path}/t/data/f.parquet: No such file or directory" in err
