using System.Text.Json.Nodes;
using CredentialService.ConnectionTests;
using CredentialService.Credentials;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CredentialService.Infrastructure.OpenApi;

/// <summary>
/// What the handlers' types cannot say: the If-Match and ETag headers of single-credential operations, and an
/// example TestResult for every verdict, so Swagger UI shows a support engineer what each one looks like.
/// </summary>
internal sealed class OperationDocumentation : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var name = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
        if (name is "UpdateCredential" or "DeleteCredential")
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "If-Match",
                In = ParameterLocation.Header,
                Description = "The ETag you read. A stale one is a 412 and changes nothing. Omit for last-writer-wins.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = ETags.MaxVersionLength + 2, Pattern = IfMatchPattern },
            });
        }

        if (name is "CreateCredential" or "GetCredential" or "UpdateCredential")
        {
            foreach (var (status, response) in operation.Responses ?? [])
            {
                if (status is not ("200" or "201") || response is not OpenApiResponse concrete) continue;
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers["ETag"] = new OpenApiHeader
                {
                    Description = "The credential's version, quoted; send it back as If-Match.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = ETags.MaxVersionLength + 2, Pattern = ETagPattern },
                };
            }
        }

        Usages.UsageExamples.Apply(name, operation);

        if (name is "TestUnsavedKey" or "TestCredential"
            && operation.Responses?.TryGetValue("200", out var ok) == true
            && ok.Content?.TryGetValue("application/json", out var json) == true)
        {
            json.Examples = Examples.ToDictionary(e => e.Outcome, e => (IOpenApiExample)new OpenApiExample
            {
                Summary = e.Outcome,
                Value = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(e, CredentialServiceJsonContext.Default.TestResult)),
            });
        }
    }

    /// <summary>The version in quotes, as <see cref="ETags.Header(long)"/> writes it.</summary>
    private const string ETagPattern = "^\"[0-9]{1,10}\"$";

    /// <summary>An ETag this service wrote, or <c>*</c> (any version).</summary>
    private const string IfMatchPattern = "^(\\*|\"[0-9]{1,10}\")$";

    private static readonly DateTime At = new(2026, 11, 28, 10, 0, 0, DateTimeKind.Utc);

    /// <summary>One test of each outcome, with the very messages the service writes (<see cref="Verdicts"/>).</summary>
    private static readonly TestResult[] Examples =
    [
        Verdicts.Ok(Region.Us, 200, [new Workspace("114022", "Marketing (prod)")]).ToResult(Region.Us, Ms(87), At),
        Verdicts.RejectedInBoth(Region.Us, 401).ToResult(Region.Us, Ms(164), At),
        Verdicts.WorksInOtherRegion(Region.Us, 401).ToResult(Region.Us, Ms(171), At),
        Verdicts.Forbidden(Region.Us, 403).ToResult(Region.Us, Ms(92), At),
        Verdicts.RateLimited(429, 2).ToResult(Region.Eu, Ms(80), At),
        Verdicts.UpstreamError(Region.Us, 503).ToResult(Region.Us, Ms(120), At),
        Verdicts.Timeout(Region.Us, new CustomerIoOptions().TimeoutSeconds).ToResult(Region.Us, Ms(10003), At),
        Verdicts.Unreachable(Region.Eu, HttpRequestError.NameResolutionError).ToResult(Region.Eu, Ms(14), At),
    ];

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);
}
