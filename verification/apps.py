from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = "Verification flights and certification"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # flights asks through its registries and never imports this app (DESIGN.md).
        from flights import demo, registry
        from verification import demo as verification_demo
        from verification import guards

        registry.schedule_guards.register(guards.schedule_needs_certification)
        registry.booking_guards.register(guards.booking_needs_certification)
        registry.return_to_service_guards.register(guards.return_to_service_needs_return_to_flight)
        registry.grounded_flight_permits.register(guards.return_to_flight_permit)
        registry.disclosure_sections.register(guards.disclosure_section)
        if verification_demo.load not in demo.extra_loaders:
            demo.extra_loaders.append(verification_demo.load)
