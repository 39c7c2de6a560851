using FluentValidation;

namespace CredentialService.Credentials;

/// <summary>The input rules for an App API Key (docs/api.md §Credential), shared by create, update and the unsaved test.</summary>
public static class AppApiKeyRules
{
    public const int MinLength = 8;
    public const int MaxLength = 512;
    public const string ServiceAccountPrefix = "sa_live_";

    /// <summary>Users paste keys with stray whitespace around them; inside, whitespace is an error.</summary>
    public static string Normalize(string raw) => raw.Trim();

    /// <summary>No whitespace (char.IsWhiteSpace) and no control characters (char.IsControl) inside the key.</summary>
    public const string NoWhitespaceOrControlCharacters = @"^[^\s\u0000-\u001F\u007F-\u009F]*$";

    /// <summary>The rules, applied to the trimmed value (validators use <c>RuleFor(r => Trimmed(r.AppApiKey))</c>).</summary>
    public static IRuleBuilderOptions<T, string?> MustBeAppApiKey<T>(this IRuleBuilderInitial<T, string?> rule) =>
        rule.Cascade(CascadeMode.Stop)
            .NotNull().WithMessage("appApiKey is required.")
            .Length(MinLength, MaxLength)
            .WithMessage($"appApiKey must be {MinLength} to {MaxLength} characters after trimming.")
            .Matches(NoWhitespaceOrControlCharacters)
            .WithMessage("appApiKey must not contain whitespace or control characters.")
            .Must(k => !k!.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
            .WithMessage("This is a Customer.io service-account token (sa_live_…), not an App API Key. " +
                         "Create an App API Key under Account Settings → API Credentials → App API Keys.")
            .Must(k => !LooksMasked(k!))
            .WithMessage("appApiKey looks masked (it contains '*', '•' or '…'). Send the full key, " +
                         "or omit appApiKey to keep the stored one.");

    /// <summary>A value read back from the API (only the last four) must never overwrite a stored key.</summary>
    private static bool LooksMasked(string key) => key.AsSpan().IndexOfAny("*•…") >= 0;
}
