using System.Text.Json.Nodes;
using CredentialService.ConnectionTests;
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

    private static readonly TestResult[] Examples =
    [
        new(true, TestOutcome.Ok, "The key works in the US region (api.customer.io).", "us", "api.customer.io", null, 200, null, 87, At,
            [new Workspace("114022", "Marketing (prod)")]),
        new(false, TestOutcome.InvalidKey, "Customer.io rejected the key in the US region (api.customer.io) and in the EU region (api-eu.customer.io) (HTTP 401). Check that it is an App API Key (not a Tracking API key or a service-account token), that it was copied completely, and that it has not been deleted in Customer.io.", "us", "api.customer.io", null, 401, null, 164, At),
        new(false, TestOutcome.WrongRegion, "The key is valid in the EU region (api-eu.customer.io). Change the credential's region to eu.", "us", "api.customer.io", "eu", 401, null, 171, At),
        new(false, TestOutcome.Forbidden, "Customer.io recognised the key but refused access (HTTP 403, US region (api.customer.io)): the key may lack the permission to read workspaces, or this service's IP address is not on the workspace's IP allowlist.", "us", "api.customer.io", null, 403, null, 92, At),
        new(false, TestOutcome.RateLimited, "Customer.io is rate limiting this workspace (10 requests per second, shared with your own traffic). Try again in 2 seconds.", "eu", "api-eu.customer.io", null, 429, 2, 80, At),
        new(false, TestOutcome.UpstreamError, "Customer.io answered with HTTP 503 (US region (api.customer.io)): the problem is on Customer.io's side, not with the key. Try again later and check status.customer.io.", "us", "api.customer.io", null, 503, null, 120, At),
        new(false, TestOutcome.Timeout, "Customer.io did not answer within 10 seconds (US region (api.customer.io)). Try again; if it keeps happening, check status.customer.io and this service's network path to Customer.io.", "us", "api.customer.io", null, null, null, 10003, At),
        new(false, TestOutcome.Unreachable, "Could not connect to Customer.io (EU region (api-eu.customer.io)): the host name could not be resolved. Check DNS, firewall and proxy settings between this service and Customer.io.", "eu", "api-eu.customer.io", null, null, null, 14, At),
    ];
}
