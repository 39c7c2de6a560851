using Microsoft.Extensions.Options;

namespace CredentialService.Infrastructure.Auth;

/// <summary>
/// The signing keys of <c>Authentication:Schemes:Bearer:SigningKeys</c>, read only to check them at start.
/// JwtBearer reads them when the first request arrives: an empty value (e.g. docker compose passing an unset
/// variable) would otherwise turn every request, <c>/health/live</c> included, into a 500.
/// </summary>
public sealed class SigningKeysCheck
{
    public const string Section = "Authentication:Schemes:Bearer";

    public List<SigningKeyEntry> SigningKeys { get; set; } = [];

    public sealed class SigningKeyEntry
    {
        public string? Issuer { get; set; }
        public string? Value { get; set; }
    }
}

internal sealed class SigningKeysValidator : IValidateOptions<SigningKeysCheck>
{
    public ValidateOptionsResult Validate(string? name, SigningKeysCheck options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.SigningKeys.Count; i++)
        {
            var setting = $"{SigningKeysCheck.Section}:SigningKeys:{i}:Value";
            var value = options.SigningKeys[i].Value;
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"'{setting}' is empty. Set it to the base64 signing key of the token issuer " +
                    "(dotnet user-jwts keeps it in the project's user secrets; with docker compose, export " +
                    "USER_JWTS_SIGNING_KEY as the README says), or remove the entry.");
            }
            else if (!IsBase64(value))
            {
                failures.Add($"'{setting}' is not base64.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value.Trim(), buffer, out var written) && written > 0;
    }
}
