namespace CredentialService.Credentials;

/// <summary>
/// A Customer.io App API Key in plaintext. It is typed so that it cannot reach a log line or a response by
/// accident: <see cref="ToString"/> never prints it, and only <see cref="Reveal"/> hands it out, on purpose.
/// </summary>
public sealed class AppApiKey
{
    private readonly string value;

    private AppApiKey(string value) => this.value = value;

    /// <summary>Wraps a key that already passed the input rules (see <see cref="AppApiKeyRules"/>).</summary>
    public static AppApiKey FromValidated(string normalized) => new(normalized);

    public const int Last4Length = 4;

    public string Last4 => value.Length <= 4 ? value : value[^4..];

    public string Reveal() => value;

    public override string ToString() => $"AppApiKey(…{Last4})";
}
