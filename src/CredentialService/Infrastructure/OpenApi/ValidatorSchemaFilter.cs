using System.Globalization;
using System.Text.Json.Nodes;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CredentialService.Infrastructure.OpenApi;

/// <summary>
/// Declares in the OpenAPI document the limits that the FluentValidation validator of a request type enforces, so
/// the document and the endpoint share one source of truth. For every <c>IValidator&lt;T&gt;</c> registered in DI
/// (any feature's, present or future), each rule is matched to the schema property of the same JSON name (the
/// rule's property name, e.g. set by <c>OverridePropertyName("name")</c>) and its built-in validators become
/// schema keywords:
/// <list type="bullet">
/// <item>Length, MinimumLength, MaximumLength → minLength / maxLength</item>
/// <item>Matches → pattern (several are combined into one pattern of lookaheads)</item>
/// <item>NotNull, NotEmpty without a When condition → required (and, for NotEmpty, minLength 1 / minItems 1)</item>
/// <item>InclusiveBetween, GreaterThanOrEqualTo, LessThanOrEqualTo (and the exclusive ones) → minimum / maximum</item>
/// <item><see cref="IOneOfValidator"/> → enum</item>
/// </list>
/// Predicates (<c>Must</c>) say nothing a schema can express; they stay server-side only.
/// </summary>
internal sealed class ValidatorSchemaFilter(IServiceProvider services) : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema target || target.Properties is not { Count: > 0 } properties) return;
        if (services.GetService(typeof(IValidator<>).MakeGenericType(context.Type)) is not IValidator validator) return;

        foreach (var rule in validator.CreateDescriptor().Rules)
        {
            var name = JsonNameOf(rule.PropertyName);
            var key = properties.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
            if (key is null || properties[key] is not OpenApiSchema property) continue;

            var patterns = new List<string>();
            foreach (var component in rule.Components)
            {
                var unconditional = !component.HasCondition && !component.HasAsyncCondition;
                Apply(property, component.Validator, patterns, required: () =>
                {
                    if (!unconditional) return;
                    target.Required ??= new HashSet<string>();
                    target.Required.Add(key);
                    if (property.Type is { } type) property.Type = type & ~JsonSchemaType.Null;
                });
            }

            if (patterns.Count > 0) property.Pattern = Combine(patterns);
        }
    }

    private static void Apply(OpenApiSchema property, IPropertyValidator validator, List<string> patterns, Action required)
    {
        switch (validator)
        {
            case ILengthValidator length:
                if (length.Max > 0) property.MaxLength = Math.Min(property.MaxLength ?? int.MaxValue, length.Max);
                if (length.Min > 0) property.MinLength = Math.Max(property.MinLength ?? 0, length.Min);
                break;
            case IRegularExpressionValidator regex:
                patterns.Add(regex.Expression);
                break;
            case INotEmptyValidator:
                required();
                if (property.Type?.HasFlag(JsonSchemaType.String) == true) property.MinLength = Math.Max(property.MinLength ?? 0, 1);
                if (property.Type?.HasFlag(JsonSchemaType.Array) == true) property.MinItems = Math.Max(property.MinItems ?? 0, 1);
                break;
            case INotNullValidator:
                required();
                break;
            case IBetweenValidator between:
                property.Minimum = Number(between.From);
                property.Maximum = Number(between.To);
                if (validator.Name.StartsWith("Exclusive", StringComparison.Ordinal))
                {
                    property.ExclusiveMinimum = property.Minimum;
                    property.ExclusiveMaximum = property.Maximum;
                    property.Minimum = property.Maximum = null;
                }

                break;
            case IComparisonValidator { ValueToCompare: not null } comparison:
                var value = Number(comparison.ValueToCompare);
                switch (comparison.Comparison)
                {
                    case Comparison.GreaterThanOrEqual: property.Minimum = value; break;
                    case Comparison.GreaterThan: property.ExclusiveMinimum = value; break;
                    case Comparison.LessThanOrEqual: property.Maximum = value; break;
                    case Comparison.LessThan: property.ExclusiveMaximum = value; break;
                }

                break;
            case IOneOfValidator oneOf:
                property.Enum = oneOf.Values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
                if (property.Type?.HasFlag(JsonSchemaType.Null) == true) property.Enum.Add(null!);
                break;
            case IChildValidatorAdaptor:
                break; // a nested object: its own type's validator describes its schema
        }
    }

    /// <summary>A JSON Schema pattern matches anywhere in the value; each of several must match, so each becomes a lookahead.</summary>
    private static string Combine(List<string> patterns) =>
        patterns.Count == 1 ? patterns[0] : "^" + string.Concat(patterns.Select(p => $"(?=[\\s\\S]*?(?:{p}))"));

    private static string? Number(object? value) => value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : null;

    /// <summary>"name" stays "name"; a rule on <c>r.Name.Value</c> without an override names "Name.Value": the property is "name".</summary>
    private static string JsonNameOf(string? propertyName)
    {
        var first = (propertyName ?? "").Split('.')[0];
        return first.Length == 0 ? first : char.ToLowerInvariant(first[0]) + first[1..];
    }
}
