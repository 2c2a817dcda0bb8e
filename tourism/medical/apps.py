from django.apps import AppConfig


class MedicalConfig(AppConfig):
    name = "tourism.medical"
    label = "medical"
    verbose_name = "Medical clearance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from flights import demo, registry
        from tourism.medical import demo as medical_demo
        from tourism.medical import gates

        # flights asks "may this booking be manifested?" without importing us (DESIGN.md).
        registry.manifest_gates.register(gates.medical_manifest_gate)
        if medical_demo.load not in demo.extra_loaders:
            demo.extra_loaders.append(medical_demo.load)
