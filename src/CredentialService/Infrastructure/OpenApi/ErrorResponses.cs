using System.Text.Json.Nodes;
using CredentialService.Infrastructure.Errors;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CredentialService.Infrastructure.OpenApi;

/// <summary>
/// Error answers every operation can give, declared once instead of on each endpoint: a 500 (a bug; its body is
/// the title written by <see cref="KnownExceptionHandler"/> and a trace id), and the <c>Retry-After</c> header
/// that 429 (rate limit) and 503 (database unavailable) answers carry.
/// </summary>
internal sealed class ErrorResponses : IOperationFilter
{
    private const string ProblemJson = "application/problem+json";

    /// <summary>What a Retry-After of this service can say: whole seconds, at least one, at most a day.</summary>
    public const int MaxRetryAfterSeconds = 86_400;

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        operation.Responses ??= [];
        if (!operation.Responses.ContainsKey("500"))
        {
            var problem = context.SchemaGenerator.GenerateSchema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.SchemaRepository);
            operation.Responses["500"] = new OpenApiResponse
            {
                Description = "A bug in the service. The body says only that, with the trace id to quote.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [ProblemJson] = new()
                    {
                        Schema = problem,
                        Example = new JsonObject
                        {
                            ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.6.1",
                            ["title"] = KnownExceptionHandler.UnexpectedErrorTitle,
                            ["status"] = 500,
                            ["traceId"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                        },
                    },
                },
            };
        }

        foreach (var (status, why) in new[] { ("429", "Seconds until a request may succeed."), ("503", $"Seconds to wait before retrying ({KnownExceptionHandler.DatabaseRetryAfterSeconds} while the database is unavailable).") })
        {
            if (!operation.Responses.TryGetValue(status, out var response) || response is not OpenApiResponse concrete) continue;
            concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
            concrete.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = why,
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = MaxRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            };
        }
    }
}
