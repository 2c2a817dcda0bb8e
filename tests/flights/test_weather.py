"""Weather comes in through a provider: a CSV file here; bad rows are reported with their line numbers."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from flights.models import WeatherReport
from tests.flights.factories import SpaceportFactory

pytestmark = pytest.mark.django_db

GOOD = """spaceport,kind,valid_at,wind_kt,gust_kt,lightning_distance_nmi,lightning_age_min,thick_cloud_layer,field_mill_v_m
spa,observation,2030-06-12T14:00:00Z,12,18,,,no,200
spa,forecast,2030-06-12T15:00:00Z,9,14,25,60,no,0
"""


def test_csv_weather_import(tmp_path, capsys):
    SpaceportFactory(code="spa")
    path = tmp_path / "wx.csv"
    path.write_text(GOOD)
    call_command("import_weather", str(path))
    assert "2 reports stored, 0 rows not used" in capsys.readouterr().out
    forecast = WeatherReport.objects.get(kind="forecast")
    assert (forecast.wind_kt, forecast.gust_kt, forecast.lightning_distance_nmi) == (9, 14, 25.0)
    assert forecast.valid_at.isoformat() == "2030-06-12T15:00:00+00:00" and forecast.source == str(path)


def test_bad_rows_are_reported_and_good_ones_kept(tmp_path, capsys):
    SpaceportFactory(code="spa")
    path = tmp_path / "wx.csv"
    path.write_text(GOOD + "xxx,observation,2030-06-12T14:00:00Z,5,,,,,\n"
                    "spa,observation,yesterday,5,,,,,\n"
                    "spa,observation,2030-06-12T14:00:00,5,,,,,\n"
                    "spa,observation,2030-06-12T14:00:00Z,windy,,,,,\n"
                    "spa,hurricane,2030-06-12T14:00:00Z,5,,,,,\n")
    call_command("import_weather", str(path))
    captured = capsys.readouterr()
    assert "2 reports stored, 5 rows not used" in captured.out
    assert "line 4: unknown spaceport 'xxx'" in captured.err
    assert "line 5: valid_at 'yesterday' is not an ISO 8601 time" in captured.err
    assert "line 6: valid_at '2030-06-12T14:00:00' needs a time zone" in captured.err
    assert "line 7: wind_kt 'windy' is not a number" in captured.err
    assert "line 8: kind:" in captured.err and "hurricane" in captured.err
    assert WeatherReport.objects.count() == 2


def test_unknown_or_missing_columns_refuse_the_file(tmp_path):
    path = tmp_path / "wx.csv"
    path.write_text("spaceport,kind,valid_at,windspeed\nspa,observation,2030-06-12T14:00:00Z,5\n")
    with pytest.raises(CommandError, match="line 1: unknown column\\(s\\) windspeed; missing column\\(s\\) wind_kt"):
        call_command("import_weather", str(path))
