using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using CredentialService.Credentials;
using CredentialService.Infrastructure;
using FluentValidation;

namespace CredentialService.Usages;

/// <summary>Body of <c>PUT /v1/credentials/{id}/usages/{usageId}</c>.</summary>
public sealed record PutUsageRequest(
    [property: AllowedValues(UsageKind.Source, UsageKind.Destination)] string? Kind, // exact, lower case
    string? Name);

public sealed record UsageResponse(
    [property: MaxLength(UsageRules.IdMaxLength), RegularExpression(UsageRules.IdRegex)] string Id,
    [property: AllowedValues(UsageKind.Source, UsageKind.Destination)] string Kind,
    [property: MaxLength(CredentialFieldRules.NameMaxLength)] string Name,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static UsageResponse From(CredentialUsage u) => new(u.UsageId, u.Kind, u.Name, u.CreatedAt, u.UpdatedAt);
}

public sealed record UsageList(IReadOnlyList<UsageResponse> Items);

public static partial class UsageRules
{
    public const int IdMaxLength = 200;

    public static bool IsValidId(string? usageId) => usageId is { Length: >= 1 and <= IdMaxLength } && IdPattern().IsMatch(usageId);

    public const string IdMessage = "usageId must be 1 to 200 characters of A-Z, a-z, 0-9, '.', '_', ':' and '-'.";

    public const string IdRegex = "^[A-Za-z0-9._:-]+$";

    [GeneratedRegex(IdRegex)]
    private static partial Regex IdPattern();
}

public sealed class PutUsageRequestValidator : AbstractValidator<PutUsageRequest>
{
    public PutUsageRequestValidator()
    {
        RuleFor(r => r.Kind).Must(UsageKind.IsValid)
            .WithMessage($"kind is required and must be one of: {UsageKind.AllowedValues}.").OverridePropertyName("kind");
        RuleFor(r => CredentialFieldRules.Trimmed(r.Name)).MustBeName().OverridePropertyName("name");
    }
}
