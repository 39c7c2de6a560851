namespace CredentialService.Credentials;

/// <summary>
/// A Customer.io App API Key in plaintext. It is typed so that it cannot reach a log line or a response by
/// accident: <see cref="ToString"/> never prints it, and only <see cref="Reveal"/> hands it out, on purpose.
/// </summary>
public sealed class AppApiKey
{
    private readonly string value;

    private AppApiKey(string value) => this.value = value;

    /// <summary>Wraps a key that already passed the input rules (see <see cref="AppApiKeyRules"/>), e.g. one just decrypted.</summary>
    public static AppApiKey FromValidated(string normalized) => new(normalized);

    /// <summary>
    /// A key as a caller sent it, once the validator accepted it (<see cref="AppApiKeyRules.MustBeAppApiKey{T}"/>):
    /// normalized the same way the rules saw it. Anything the rules would refuse is a bug here, never a guess.
    /// </summary>
    public static AppApiKey Parse(string? raw) =>
        (raw is null ? null : AppApiKeyRules.Normalize(raw)) is { Length: >= AppApiKeyRules.MinLength and <= AppApiKeyRules.MaxLength } normalized
            ? new(normalized)
            : throw new ArgumentException("The App API Key did not pass the input rules.", nameof(raw));

    public const int Last4Length = 4;

    public string Last4 => value.Length <= 4 ? value : value[^4..];

    public string Reveal() => value;

    public override string ToString() => Redacted.Key(value);
}
