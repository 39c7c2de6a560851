namespace CredentialService.Credentials;

/// <summary>
/// How a plaintext key prints, decided here only: never more than its last four characters, and nothing of a key too
/// short to spare them. <see cref="AppApiKey.ToString"/> prints through it, and so does every record that carries a
/// key as text (<see cref="CreateCredentialRequest"/>, <see cref="UpdateCredentialRequest"/>,
/// <see cref="ConnectionTests.TestKeyRequest"/>, <see cref="RuntimeAccess.CredentialSecret"/>: their PrintMembers).
/// Records that carry an <see cref="AppApiKey"/> need nothing of their own.
/// </summary>
public static class Redacted
{
    public static string Key(string? key)
    {
        if (key is null) return "null";
        var trimmed = key.Trim();
        return trimmed.Length <= 8 ? "[redacted]" : $"[redacted …{trimmed[^4..]}]";
    }
}
