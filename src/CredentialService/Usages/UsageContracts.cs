using System.Text.RegularExpressions;
using CredentialService.Credentials;
using FluentValidation;

namespace CredentialService.Usages;

/// <summary>Body of <c>PUT /v1/credentials/{id}/usages/{usageId}</c>.</summary>
public sealed record PutUsageRequest(string? Kind, string? Name);

public sealed record UsageResponse(string Id, string Kind, string Name, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static UsageResponse From(CredentialUsage u) => new(u.UsageId, u.Kind, u.Name, u.CreatedAt, u.UpdatedAt);
}

public sealed record UsageList(IReadOnlyList<UsageResponse> Items);

public static partial class UsageRules
{
    public const int IdMaxLength = 200;

    public static bool IsValidId(string? usageId) => usageId is { Length: >= 1 and <= IdMaxLength } && IdPattern().IsMatch(usageId);

    public const string IdMessage = "usageId must be 1 to 200 characters of A-Z, a-z, 0-9, '.', '_', ':' and '-'.";

    [GeneratedRegex("^[A-Za-z0-9._:-]+$")]
    private static partial Regex IdPattern();
}

public sealed class PutUsageRequestValidator : AbstractValidator<PutUsageRequest>
{
    public PutUsageRequestValidator()
    {
        RuleFor(r => r.Kind).Must(UsageKind.IsValid)
            .WithMessage($"kind is required and must be one of: {UsageKind.AllowedValues}.").OverridePropertyName("kind");
        RuleFor(r => r.Name).MustBeName().OverridePropertyName("name");
    }
}
