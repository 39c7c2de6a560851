using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Nodes;
using CredentialService.Infrastructure.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CredentialService.Infrastructure.OpenApi;

/// <summary>
/// Bounds for what the service writes (responses), where no request validator applies:
/// <list type="bullet">
/// <item><c>[AllowedValues]</c> and <c>[ValuesOf]</c> on a property → enum (of the items, for a list);
/// Swashbuckle already reads <c>[MaxLength]</c>, <c>[StringLength]</c>, <c>[Range]</c> and <c>[RegularExpression]</c>.</item>
/// <item>Formats with a fixed size: a UUID is 36 characters, a date-time as System.Text.Json writes it at most 33.</item>
/// <item>RFC 9457 problem details, which this service writes itself (Infrastructure/Errors).</item>
/// </list>
/// </summary>
internal sealed class SchemaBounds : ISchemaFilter
{
    public const int UuidLength = 36;

    /// <summary>"2026-11-28T10:00:00.1234567+00:00"</summary>
    public const int DateTimeMaxLength = 33;

    /// <summary>
    /// A problem's title, detail and field messages are this service's sentences; the longest part a client
    /// controls is a field name it sent, which fits in the request body.
    /// </summary>
    public const int ProblemTextMaxLength = (int)ProblemSetup.MaxRequestBodyBytes + 1024;

    /// <summary>Kestrel's request-line limit bounds the request path a problem's <c>instance</c> names.</summary>
    public const int UriMaxLength = 8192;

    /// <summary>A W3C trace id ("00-{32 hex}-{16 hex}-{2 hex}") or ASP.NET Core's connection:request identifier.</summary>
    public const int TraceIdMaxLength = 64;

    /// <summary>More than a problem ever carries (type, title, status, detail, instance, traceId, errors and a few extensions).</summary>
    public const int ProblemMaxProperties = 20;

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema target) return;

        var values = context.MemberInfo?.GetCustomAttribute<ValuesOfAttribute>()?.Values
                     ?? context.MemberInfo?.GetCustomAttribute<AllowedValuesAttribute>()?.Values.Select(v => v?.ToString()).OfType<string>().ToList()
                     ?? context.ParameterInfo?.GetCustomAttribute<ValuesOfAttribute>()?.Values
                     ?? context.ParameterInfo?.GetCustomAttribute<AllowedValuesAttribute>()?.Values.Select(v => v?.ToString()).OfType<string>().ToList();
        if (values is not null)
        {
            var enumTarget = target.Items as OpenApiSchema ?? target;
            enumTarget.Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
            // A nullable property may be null: JSON Schema's enum must say so too, or null fails validation.
            if (enumTarget.Type?.HasFlag(JsonSchemaType.Null) == true) enumTarget.Enum.Add(null!);
        }

        BoundFormats(target);
        if (target.Items is OpenApiSchema items) BoundFormats(items);

        if (typeof(ProblemDetails).IsAssignableFrom(context.Type)) BoundProblem(target);
    }

    private static void BoundFormats(OpenApiSchema schema)
    {
        if (schema.MaxLength is not null) return;
        schema.MaxLength = schema.Format switch
        {
            "uuid" => UuidLength,
            "date-time" => DateTimeMaxLength,
            _ => null,
        };
    }

    private static void BoundProblem(OpenApiSchema problem)
    {
        problem.MaxProperties = ProblemMaxProperties;
        foreach (var (name, value) in problem.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            if (value is not OpenApiSchema property) continue;
            switch (name)
            {
                case "type" or "instance":
                    property.Format = "uri-reference";
                    property.MaxLength = UriMaxLength;
                    break;
                case "title" or "detail":
                    property.MaxLength = ProblemTextMaxLength;
                    break;
                case "status":
                    property.Minimum = "400";
                    property.Maximum = "599";
                    break;
                case "errors":
                    property.MaxProperties = ProblemMaxProperties;
                    if (property.AdditionalProperties is OpenApiSchema { Items: OpenApiSchema messages } list)
                    {
                        list.MaxItems = ProblemMaxProperties;
                        messages.MaxLength = ProblemTextMaxLength;
                    }

                    break;
            }
        }

        problem.Properties ??= new Dictionary<string, IOpenApiSchema>();
        problem.Properties["traceId"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            MaxLength = TraceIdMaxLength,
            Pattern = "^[0-9A-Za-z:.-]+$",
            Description = "The request's trace id: quote it when reporting a problem.",
        };
    }
}
