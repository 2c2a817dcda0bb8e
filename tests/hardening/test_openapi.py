"""Every operation in the schema documents its error responses with the one Error component."""

from drf_spectacular.generators import SchemaGenerator

ERROR_REF = {"$ref": "#/components/schemas/Error"}


def test_every_operation_documents_the_error_responses():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "detail", "fields"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"400", "403", "404", "429"} | ({"409"} if method != "get" else set())
            if any(operation.get("security", [])):
                expected.add("401")
            assert expected <= set(responses), (method, path, sorted(responses))
            for code in expected:
                assert responses[code]["content"]["application/json"]["schema"] == ERROR_REF, (method, path, code)
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert "401" not in token["responses"] and token.get("security") in (None, [{}], [])
