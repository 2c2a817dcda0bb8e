"""An S3-compatible object store for tests: moto's standalone server (in-memory) on a spare loopback port.

MinIO does not install on this machine; moto's server speaks S3 over real HTTP, so boto3 and django-storages
run their real code paths (signing, path-style addressing, errors) against it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ACCESS_KEY, SECRET_KEY = "testing-access-key", "testing-secret-key"  # moto accepts any pair


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoServer:
    def __init__(self, log_path: Path):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._log = log_path.open("w")
        moto_server = Path(sys.executable).with_name("moto_server")
        self.process = subprocess.Popen(
            [str(moto_server), "-H", "127.0.0.1", "-p", str(self.port)],
            cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=1).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto_server did not start on {self.endpoint}: {log_path.read_text()}") from None
                time.sleep(0.1)

    def env(self, bucket: str) -> dict[str, str]:
        """The environment a process needs to use this store (what deploy/flightops.env sets in production)."""
        return {
            "S3_BUCKET": bucket, "S3_ENDPOINT_URL": self.endpoint, "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY, "S3_REGION": "us-east-1", "S3_ADDRESSING_STYLE": "path",
        }

    def create_bucket(self) -> str:
        import boto3

        bucket = f"flightops-{uuid.uuid4().hex[:12]}"
        client = boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
                              aws_secret_access_key=SECRET_KEY, region_name="us-east-1")
        client.create_bucket(Bucket=bucket)
        return bucket

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_storage(moto_server, settings):
    """Uploads of this test go to a fresh bucket of the moto server, configured the way production is."""
    from config.filestore import storages_from_env

    bucket = moto_server.create_bucket()
    env = moto_server.env(bucket)
    settings.STORAGES = {**settings.STORAGES, **storages_from_env(env, debug=False)}
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")  # never ask for instance credentials
    return {"bucket": bucket, "env": env, "server": moto_server}
