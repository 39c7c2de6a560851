using CredentialService.Infrastructure;
using FluentValidation;

namespace CredentialService.Credentials;

public static class RegionRules
{
    public static IRuleBuilderOptions<T, string?> MustBeRegion<T>(this IRuleBuilder<T, string?> rule) =>
        rule.SetValidator(new OneOfValidator<T>(Region.InputValues))
            .WithMessage($"region must be one of: {Region.AllowedValues}.");
}
