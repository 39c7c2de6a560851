using FluentValidation;

namespace CredentialService.Credentials;

/// <summary>The input rules for an App API Key (DESIGN §2), shared by create, update and the unsaved test.</summary>
public static class AppApiKeyRules
{
    public const int MinLength = 8;
    public const int MaxLength = 512;
    public const string ServiceAccountPrefix = "sa_live_";

    /// <summary>Users paste keys with stray whitespace around them; inside, whitespace is an error.</summary>
    public static string Normalize(string raw) => raw.Trim();

    public static IRuleBuilderOptions<T, string?> MustBeAppApiKey<T>(this IRuleBuilderInitial<T, string?> rule) =>
        rule.Cascade(CascadeMode.Stop)
            .NotNull().WithMessage("appApiKey is required.")
            .Must(k => Normalize(k!).Length >= MinLength && Normalize(k!).Length <= MaxLength)
            .WithMessage($"appApiKey must be {MinLength} to {MaxLength} characters after trimming.")
            .Must(k => !Normalize(k!).Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            .WithMessage("appApiKey must not contain whitespace or control characters.")
            .Must(k => !Normalize(k!).StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
            .WithMessage("This is a Customer.io service-account token (sa_live_…), not an App API Key. " +
                         "Create an App API Key under Account Settings → API Credentials → App API Keys.")
            .Must(k => !LooksMasked(Normalize(k!)))
            .WithMessage("appApiKey looks masked (it contains '*', '•' or '…'). Send the full key, " +
                         "or omit appApiKey to keep the stored one.");

    /// <summary>A value read back from the API (only the last four) must never overwrite a stored key.</summary>
    private static bool LooksMasked(string key) => key.AsSpan().IndexOfAny("*•…") >= 0;
}
