using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace CredentialService.Usages;

/// <summary>OpenAPI examples for usages and for the delete a usage prevents.</summary>
internal static class UsageExamples
{
    public static void Apply(string? operationName, OpenApiOperation operation)
    {
        switch (operationName)
        {
            case "PutCredentialUsage":
                if (operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
                    body.Example = JsonNode.Parse("""{"kind":"source","name":"Customer.io segments, nightly"}""");
                foreach (var status in new[] { "200", "201" })
                    SetExample(operation, status, "application/json",
                        """{"id":"src-4711","kind":"source","name":"Customer.io segments, nightly","createdAt":"2026-11-28T10:00:00Z","updatedAt":"2026-11-28T10:00:00Z"}""");
                break;
            case "ListCredentialUsages":
                SetExample(operation, "200", "application/json",
                    """{"items":[{"id":"src-4711","kind":"source","name":"Customer.io segments, nightly","createdAt":"2026-11-28T10:00:00Z","updatedAt":"2026-11-28T10:00:00Z"}]}""");
                break;
            case "DeleteCredential":
                SetExample(operation, "409", "application/problem+json", $$"""
                    {"type":"{{DeleteProtection.ProblemType}}","title":"The credential is in use","status":409,
                     "detail":"1 source(s) or destination(s) use this credential: source Customer.io segments, nightly (src-4711). Remove those usages first, or delete with force=true to delete the credential and its usages.",
                     "usageCount":1,"usages":[{"id":"src-4711","kind":"source","name":"Customer.io segments, nightly","createdAt":"2026-11-28T10:00:00Z","updatedAt":"2026-11-28T10:00:00Z"}]}
                    """);
                break;
        }
    }

    private static void SetExample(OpenApiOperation operation, string status, string mediaType, string json)
    {
        if (operation.Responses?.TryGetValue(status, out var response) == true
            && response.Content?.TryGetValue(mediaType, out var content) == true)
            content.Example = JsonNode.Parse(json);
    }
}
