using FluentValidation;

namespace CredentialService.Credentials;

internal static class CredentialFieldRules
{
    public const int NameMaxLength = 200;
    public const int DescriptionMaxLength = 2000;

    /// <summary>No control characters at all (char.IsControl is exactly these ranges).</summary>
    public const string NoControlCharacters = @"^[^\u0000-\u001F\u007F-\u009F]*$";

    /// <summary>Line breaks and tabs are text; other control characters (NUL above all) are not.</summary>
    public const string NoControlCharactersButLineBreaksAndTabs = @"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";

    // Built-in rules (NotEmpty, MaximumLength, Matches) rather than predicates: the OpenAPI document reads them
    // (Infrastructure/OpenApi/ValidatorSchemaFilter) and declares the same limits. Validators apply these rules to
    // the trimmed value (RuleFor(r => Trimmed(r.Name))): that is the contract, and it matters for the patterns too,
    // since .NET's "$" also matches before a final "\n" — trimming removes any trailing line break first.
    public static IRuleBuilderOptions<T, string?> MustBeName<T>(this IRuleBuilderInitial<T, string?> rule) =>
        rule.Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("name is required.")
            .MaximumLength(NameMaxLength).WithMessage($"name must be at most {NameMaxLength} characters.")
            .Matches(NoControlCharacters).WithMessage("name must not contain control characters.");

    public static IRuleBuilderOptions<T, string?> MustBeDescription<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(DescriptionMaxLength)
            .WithMessage($"description must be at most {DescriptionMaxLength} characters.")
            .Matches(NoControlCharactersButLineBreaksAndTabs)
            .WithMessage("description must not contain control characters other than line breaks and tabs.");

    public static string? Trimmed(string? value) => value?.Trim();

    public static string? NormalizeDescription(string? description) =>
        string.IsNullOrWhiteSpace(description) ? null : description.Trim();
}

public sealed class CreateCredentialValidator : AbstractValidator<CreateCredentialRequest>
{
    public CreateCredentialValidator()
    {
        RuleFor(r => CredentialFieldRules.Trimmed(r.Name)).MustBeName().OverridePropertyName("name");
        RuleFor(r => CredentialFieldRules.Trimmed(r.Description)).MustBeDescription().OverridePropertyName("description");
        RuleFor(r => CredentialFieldRules.Trimmed(r.AppApiKey)).MustBeAppApiKey().OverridePropertyName("appApiKey");
        RuleFor(r => r.Region).MustBeRegion().When(r => r.Region is not null).OverridePropertyName("region");
    }
}

public sealed class UpdateCredentialValidator : AbstractValidator<UpdateCredentialRequest>
{
    public UpdateCredentialValidator()
    {
        RuleFor(r => CredentialFieldRules.Trimmed(r.Name.Value)).MustBeName().When(r => r.Name.IsSet).OverridePropertyName("name");
        RuleFor(r => CredentialFieldRules.Trimmed(r.Description.Value)).MustBeDescription().When(r => r.Description.IsSet).OverridePropertyName("description");
        RuleFor(r => CredentialFieldRules.Trimmed(r.AppApiKey.Value)).MustBeAppApiKey().When(r => r.AppApiKey.IsSet).OverridePropertyName("appApiKey");
        RuleFor(r => r.Region.Value).MustBeRegion().When(r => r.Region.IsSet).OverridePropertyName("region");
    }
}
