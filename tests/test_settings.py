"""Configuration from the environment: production refuses to start without a secret, and deploys clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from config.settings import cache_settings_from_url, email_settings_from_url, medical_encryption_keys

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, env):
    base = {
        k: v for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in ("DATABASE_URL", "MEDICAL_ENCRYPTION_KEYS", "SIGNOFF_KEYS")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_without_secret_key_stops_with_a_clear_message():
    result = manage("check", env={"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env={
            "DJANGO_DEBUG": "0",
            "REDIS_URL": "redis://127.0.0.1:6379/15",  # never connected to by `check`
            "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-" + "Zq8#pL2!vX9@" * 3,
            "DJANGO_ALLOWED_HOSTS": "ops.example.com",
            "DJANGO_VAR_DIR": str(tmp_path),
            "MEDICAL_ENCRYPTION_KEYS": Fernet.generate_key().decode() + "," + Fernet.generate_key().decode(),
            "SIGNOFF_KEYS": "k2026b:" + "A" * 43 + "=,k2026a:" + "B" * 43 + "=",
            "S3_BUCKET": "flightops-uploads", "S3_ENDPOINT_URL": "https://objects.example.com",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k" * 50, "DJANGO_ALLOWED_HOSTS": "ops.example.com",
              "REDIS_URL": "redis://127.0.0.1:6379/15", "FILE_STORAGE": "local"}


def test_production_without_a_shared_file_store_stops_with_a_clear_message(tmp_path):
    env = {key: value for key, value in PRODUCTION.items() if key != "FILE_STORAGE"}
    result = manage("check", env={**env, "DJANGO_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "No file store is configured" in result.stderr and "S3_BUCKET" in result.stderr


def test_production_without_medical_keys_stops_with_a_clear_message(tmp_path):
    result = manage("check", env={**PRODUCTION, "DJANGO_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "MEDICAL_ENCRYPTION_KEYS is not set" in result.stderr
    assert not (tmp_path / "medical.key").exists()  # production never falls back to a generated key


def test_a_malformed_medical_key_is_refused_without_echoing_it(tmp_path):
    result = manage(
        "check", env={**PRODUCTION, "DJANGO_VAR_DIR": str(tmp_path),
                      "MEDICAL_ENCRYPTION_KEYS": Fernet.generate_key().decode() + ",not-a-key-s3cret"},
    )
    assert result.returncode != 0
    assert "MEDICAL_ENCRYPTION_KEYS entry 2 is not a Fernet key" in result.stderr
    assert "not-a-key-s3cret" not in result.stderr


def test_development_generates_one_private_key_file_and_reuses_it(tmp_path):
    key_file = tmp_path / "var" / "medical.key"
    first = medical_encryption_keys([], debug=True, key_file=key_file)
    second = medical_encryption_keys([], debug=True, key_file=key_file)
    assert first == second and len(first) == 1
    Fernet(first[0])  # a usable key
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_development_key_file_lives_under_the_git_ignored_var_folder(settings):
    # The test run uses var/test (tests/pytest_env.py); a plain `make run` uses var/. Both are ignored.
    assert "/var/" in (ROOT / ".gitignore").read_text().split()
    key_file = Path(settings.VAR_DIR) / "medical.key"
    assert key_file.resolve().is_relative_to(ROOT / "var")
    assert key_file.read_text().strip() == settings.MEDICAL_ENCRYPTION_KEYS[0]


@pytest.mark.parametrize(
    "url,expected",
    [
        ("", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        ("smtp://mailer:s%40cret@mail.example.com:587?tls=1", {
            "EMAIL_HOST": "mail.example.com", "EMAIL_PORT": 587, "EMAIL_HOST_USER": "mailer",
            "EMAIL_HOST_PASSWORD": "s@cret", "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False,
        }),
        ("smtps://mail.example.com", {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True}),
    ],
)
def test_email_url(url, expected):
    settings = email_settings_from_url(url)
    assert expected.items() <= settings.items()


def test_email_url_with_unknown_scheme_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="scheme 'http' is not one of"):
        email_settings_from_url("http://mail.example.com")


def test_production_without_a_broker_stops_with_a_clear_message(tmp_path):
    env = {**PRODUCTION, "DJANGO_VAR_DIR": str(tmp_path), "MEDICAL_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    env["REDIS_URL"] = ""
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "REDIS_URL is not set" in result.stderr and "filesystem broker is for one development machine" in result.stderr
    assert not (tmp_path / "broker").exists() or not any((tmp_path / "broker").rglob("*.msg"))


@pytest.mark.parametrize(
    "url,backend",
    [
        ("", "config.cache.FailOpenDatabaseCache"),
        ("db://", "config.cache.FailOpenDatabaseCache"),
        ("redis://cache.internal:6379/2", "config.cache.FailOpenRedisCache"),
        ("locmem://", "config.cache.FailOpenLocMemCache"),
        ("dummy://", "django.core.cache.backends.dummy.DummyCache"),
    ],
)
def test_cache_url(url, backend):
    assert cache_settings_from_url(url)["BACKEND"] == backend


def test_the_cache_is_not_the_broker_by_default():
    from django.conf import settings

    assert settings.CACHES["default"]["BACKEND"] == "config.cache.FailOpenDatabaseCache" or os.environ.get("CACHE_URL")
    assert settings.CACHES["default"].get("LOCATION") != settings.CELERY_BROKER_URL


def test_an_unknown_cache_scheme_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="CACHE_URL scheme 'memcached'"):
        cache_settings_from_url("memcached://localhost")
