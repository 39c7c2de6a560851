using FluentValidation;
using FluentValidation.Validators;

namespace CredentialService.Infrastructure;

/// <summary>A validator that knows its allowed values, so the OpenAPI document can list them as an enum.</summary>
public interface IOneOfValidator
{
    IReadOnlyList<string> Values { get; }
}

/// <summary>
/// The (trimmed, case-insensitive) value must be one of <see cref="Values"/>; null is not one of them (guard the rule
/// with <c>When(... is not null)</c> where a field may be omitted).
/// </summary>
public sealed class OneOfValidator<T>(IReadOnlyList<string> values) : PropertyValidator<T, string?>, IOneOfValidator
{
    public IReadOnlyList<string> Values => values;

    public override string Name => "OneOfValidator";

    public override bool IsValid(ValidationContext<T> context, string? value) =>
        value is not null && values.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);

    protected override string GetDefaultMessageTemplate(string errorCode) =>
        "{PropertyName} must be one of: " + string.Join(", ", values) + ".";
}
