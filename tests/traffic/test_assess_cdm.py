"""`manage.py assess_cdm`: CARA's stated Pc from every real CDM, with the database unreachable; bad files exit 2."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from flights.orbits.conjunction.cdm import parse_cdm
from tests.orbits.data import DATA_DIR, requires_data

ROOT = Path(__file__).resolve().parents[2]
CDM_DIR = DATA_DIR / "cdm"
NON_PD = "OmitronTestCase_Test07_NonPDCovariance.cdm"


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/unreachable", **env}
    return subprocess.run(
        [sys.executable, "manage.py", "assess_cdm", *args], cwd=ROOT, env=environment, capture_output=True,
        text=True, timeout=120,
    )


@requires_data
def test_every_real_cdm_reproduces_caras_stated_pc_with_the_database_unreachable():
    files = sorted(CDM_DIR.glob("0*.cdm"))
    assert len(files) == 8
    done = run(*map(str, files), "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 8
    for path, row in zip(files, rows, strict=True):
        message = parse_cdm(path.read_text())
        assert row["message_id"] == message.message_id
        assert row["tca"].endswith("Z") and row["tca"][:19] == message.tca.strftime("%Y-%m-%dT%H:%M:%S")
        assert row["hbr_m"] == message.hbr_m  # the message's COMMENT HBR
        assert row["miss_distance_m"] == message.miss_distance_m
        assert row["relative_speed_m_s"] == message.relative_speed_m_s
        assert row["pc"] == pytest.approx(message.collision_probability, rel=0.01), path.name


def call(*args: str) -> str:
    out = io.StringIO()
    call_command("assess_cdm", *args, stdout=out)
    return out.getvalue()


@requires_data
def test_hbr_option_wins_and_the_non_pd_case_gives_zero_after_remediation():
    [row] = json.loads(call(str(CDM_DIR / NON_PD), "--hbr-m", "20", "--json"))
    assert row["hbr_m"] == 20.0
    assert row["pc"] == 0.0
    assert row["covariance"] == "remediated"


@requires_data
def test_a_bad_file_exits_2_with_one_line_naming_it_and_prints_nothing(tmp_path):
    good = CDM_DIR / NON_PD
    bad = tmp_path / "bad.cdm"
    bad.write_text(good.read_text().replace("TCA                                = 2017-033T23:14:54.330",
                                            "TCA = 2017-033T25:14:54.330"))
    done = run(str(good), str(bad), "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "bad.cdm: line 5, TCA" in lines[0]


def test_a_missing_file_and_a_bad_radius_are_refused_with_status_2(tmp_path):
    with pytest.raises(CommandError, match="cannot read") as caught:
        call(str(tmp_path / "nope.cdm"), "--json")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="--hbr-m must be a positive") as caught:
        call(str(tmp_path / "nope.cdm"), "--hbr-m", "-1", "--json")
    assert caught.value.returncode == 2


@requires_data
def test_without_hbr_anywhere_the_operator_default_is_used(tmp_path, settings):
    settings.TRAFFIC_DEFAULT_HBR_M = 7.5
    source = (CDM_DIR / NON_PD).read_text().replace("COMMENT HBR = 52.8", "COMMENT no radius here")
    path = tmp_path / "no-hbr.cdm"
    path.write_text(source)
    [row] = json.loads(call(str(path), "--json"))
    assert row["hbr_m"] == 7.5
