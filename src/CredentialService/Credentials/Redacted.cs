namespace CredentialService.Credentials;

/// <summary>How a plaintext key is printed when an object that carries one is printed: never more than the last four.</summary>
public static class Redacted
{
    public static string Key(string? key) => key is null ? "null" : key.Length <= 8 ? "[redacted]" : $"[redacted …{key.Trim()[^4..]}]";
}
