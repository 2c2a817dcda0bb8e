from rest_framework import serializers

from flights.models import Flight, Itinerary, Spaceport, Vehicle, VehicleModel


class SpaceportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Spaceport
        fields = [
            "id", "code", "name", "country", "latitude_deg", "longitude_deg", "altitude_m", "timezone",
            "azimuth_min_deg", "azimuth_max_deg",
        ]


class VehicleModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = VehicleModel
        fields = [
            "id", "manufacturer", "name", "regime", "passenger_seats", "crew_seats", "cabin_mass_budget_kg",
            "passenger_mass_min_kg", "passenger_mass_max_kg", "passenger_height_min_cm", "passenger_height_max_cm",
            "peak_g_ascent", "peak_g_entry", "apogee_km", "required_uncrewed_flights", "required_crewed_flights",
        ]


class VehicleSerializer(serializers.ModelSerializer):
    model = serializers.StringRelatedField()
    home_spaceport = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Vehicle
        fields = ["id", "serial", "name", "model", "home_spaceport", "status", "status_reason", "status_changed_at"]


class ItinerarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Itinerary
        fields = [
            "id", "name", "slug", "regime", "description", "duration", "apogee_km", "target_altitude_km",
            "target_inclination_deg", "target_norad_id", "peak_g", "training_hours", "physical_exam_required",
            "price", "deposit", "deposit_non_refundable", "currency", "balance_due_days",
        ]


class FlightSerializer(serializers.ModelSerializer):
    itinerary = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)  # verification flights have none
    vehicle = serializers.SlugRelatedField(slug_field="serial", read_only=True)
    spaceport = serializers.SlugRelatedField(slug_field="code", read_only=True)
    seats_total = serializers.IntegerField(read_only=True)

    class Meta:
        model = Flight
        fields = [
            "id", "code", "purpose", "itinerary", "vehicle", "spaceport", "launch_at", "window_open",
            "window_close", "status", "seats_total", "launched_at", "landing_planned_at", "landed_at",
        ]
        # Liftoff, the planned landing (liftoff + the itinerary's duration, moved by operations' "Move the
        # return": flights.returns) and the landing are recorded by the services, never written here.
        read_only_fields = ["launched_at", "landing_planned_at", "landed_at"]
