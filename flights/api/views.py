from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from flights.api import examples
from flights.api.serializers import (
    FlightSerializer,
    ItinerarySerializer,
    SpaceportSerializer,
    VehicleModelSerializer,
    VehicleSerializer,
)
from flights.filters import ItineraryFilter, SpaceportFilter, VehicleFilter, VehicleModelFilter
from flights.models import Flight, Itinerary, Spaceport, Vehicle, VehicleModel


@extend_schema_view(list=extend_schema(examples=examples.SPACEPORT_LIST),
                    retrieve=extend_schema(examples=examples.SPACEPORT_RETRIEVE))
class SpaceportViewSet(viewsets.ReadOnlyModelViewSet):
    """Launch sites."""

    queryset = Spaceport.objects.all()
    serializer_class = SpaceportSerializer
    permission_classes = [AllowAny]
    filterset_class = SpaceportFilter


@extend_schema_view(list=extend_schema(examples=examples.VEHICLE_MODEL_LIST),
                    retrieve=extend_schema(examples=examples.VEHICLE_MODEL_RETRIEVE))
class VehicleModelViewSet(viewsets.ReadOnlyModelViewSet):
    """Vehicle designs and their limits."""

    queryset = VehicleModel.objects.all()
    serializer_class = VehicleModelSerializer
    permission_classes = [AllowAny]
    filterset_class = VehicleModelFilter


@extend_schema_view(list=extend_schema(examples=examples.VEHICLE_LIST),
                    retrieve=extend_schema(examples=examples.VEHICLE_RETRIEVE))
class VehicleViewSet(viewsets.ReadOnlyModelViewSet):
    """The fleet and each vehicle's status."""

    queryset = Vehicle.objects.select_related("model", "home_spaceport")
    serializer_class = VehicleSerializer
    permission_classes = [AllowAny]
    filterset_class = VehicleFilter


@extend_schema_view(list=extend_schema(examples=examples.ITINERARY_LIST),
                    retrieve=extend_schema(examples=examples.ITINERARY_RETRIEVE))
class ItineraryViewSet(viewsets.ReadOnlyModelViewSet):
    """Published mission profiles."""

    queryset = Itinerary.objects.filter(is_published=True)
    serializer_class = ItinerarySerializer
    permission_classes = [AllowAny]
    filterset_class = ItineraryFilter


class FlightViewSet(viewsets.ReadOnlyModelViewSet):
    """Flights, soonest first."""

    queryset = Flight.objects.select_related("itinerary", "vehicle__model", "spaceport").exclude(status=Flight.Status.DRAFT)
    serializer_class = FlightSerializer
    permission_classes = [AllowAny]
    filterset_fields = ["status", "purpose", "spaceport__code", "itinerary__slug"]
