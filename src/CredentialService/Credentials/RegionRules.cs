using FluentValidation;

namespace CredentialService.Credentials;

public static class RegionRules
{
    public static IRuleBuilderOptions<T, string?> MustBeRegion<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(r => Region.TryNormalize(r, out _))
            .WithMessage($"region must be one of: {Region.AllowedValues}.");
}
