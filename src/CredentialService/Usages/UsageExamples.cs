using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace CredentialService.Usages;

/// <summary>OpenAPI examples for usages and for the delete a usage prevents, built by the code that writes the answers.</summary>
internal static class UsageExamples
{
    private static readonly DateTime At = new(2026, 11, 28, 10, 0, 0, DateTimeKind.Utc);

    private static readonly UsageResponse Usage = new("src-4711", UsageKind.Source, "Customer.io segments, nightly", At, At);

    public static void Apply(string? operationName, OpenApiOperation operation)
    {
        switch (operationName)
        {
            case "PutCredentialUsage":
                if (operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
                    body.Example = Json(new PutUsageRequest(Usage.Kind, Usage.Name));
                foreach (var status in new[] { "200", "201" })
                    SetExample(operation, status, "application/json", Json(Usage));
                break;
            case "ListCredentialUsages":
                SetExample(operation, "200", "application/json", Json(new UsageList([Usage])));
                break;
            case "DeleteCredential":
                SetExample(operation, "409", "application/problem+json", Problem(DeleteProtection.InUse(1, [Usage])));
                break;
        }
    }

    private static JsonNode? Json<T>(T value) => JsonSerializer.SerializeToNode(value, typeof(T), CredentialServiceJsonContext.Default);

    /// <summary>A problem as the service writes it (its traceId aside).</summary>
    private static JsonObject Problem(ProblemDetails problem)
    {
        var json = new JsonObject
        {
            ["type"] = problem.Type,
            ["title"] = problem.Title,
            ["status"] = problem.Status,
            ["detail"] = problem.Detail,
        };
        foreach (var (name, value) in problem.Extensions)
            json[name] = value is null ? null : JsonSerializer.SerializeToNode(value, value.GetType(), CredentialServiceJsonContext.Default);
        return json;
    }

    private static void SetExample(OpenApiOperation operation, string status, string mediaType, JsonNode? example)
    {
        if (operation.Responses?.TryGetValue(status, out var response) == true
            && response.Content?.TryGetValue(mediaType, out var content) == true)
            content.Example = example;
    }
}
