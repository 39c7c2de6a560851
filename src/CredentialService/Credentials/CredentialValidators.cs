using FluentValidation;

namespace CredentialService.Credentials;

internal static class CredentialFieldRules
{
    public const int NameMaxLength = 200;
    public const int DescriptionMaxLength = 2000;

    public static IRuleBuilderOptions<T, string?> MustBeName<T>(this IRuleBuilderInitial<T, string?> rule) =>
        rule.Cascade(CascadeMode.Stop)
            .Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("name is required.")
            .Must(n => n!.Trim().Length <= NameMaxLength).WithMessage($"name must be at most {NameMaxLength} characters.")
            .Must(n => !n!.Any(char.IsControl)).WithMessage("name must not contain control characters.");

    public static IRuleBuilderOptions<T, string?> MustBeDescription<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(d => d is null || d.Trim().Length <= DescriptionMaxLength)
            .WithMessage($"description must be at most {DescriptionMaxLength} characters.")
            // Line breaks and tabs are text; other control characters (NUL above all) are not.
            .Must(d => d is null || !d.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            .WithMessage("description must not contain control characters other than line breaks and tabs.");

    public static string? NormalizeDescription(string? description) =>
        string.IsNullOrWhiteSpace(description) ? null : description.Trim();
}

public sealed class CreateCredentialValidator : AbstractValidator<CreateCredentialRequest>
{
    public CreateCredentialValidator()
    {
        RuleFor(r => r.Name).MustBeName().OverridePropertyName("name");
        RuleFor(r => r.Description).MustBeDescription().OverridePropertyName("description");
        RuleFor(r => r.AppApiKey).MustBeAppApiKey().OverridePropertyName("appApiKey");
        RuleFor(r => r.Region).MustBeRegion().When(r => r.Region is not null).OverridePropertyName("region");
    }
}

public sealed class UpdateCredentialValidator : AbstractValidator<UpdateCredentialRequest>
{
    public UpdateCredentialValidator()
    {
        RuleFor(r => r.Name.Value).MustBeName().When(r => r.Name.IsSet).OverridePropertyName("name");
        RuleFor(r => r.Description.Value).MustBeDescription().When(r => r.Description.IsSet).OverridePropertyName("description");
        RuleFor(r => r.AppApiKey.Value).MustBeAppApiKey().When(r => r.AppApiKey.IsSet).OverridePropertyName("appApiKey");
        RuleFor(r => r.Region.Value).MustBeRegion().When(r => r.Region.IsSet).OverridePropertyName("region");
    }
}
