namespace CredentialService.Credentials;

/// <summary>The Customer.io data centers a workspace can live in. The wire names are fixed by the contract.</summary>
public static class Region
{
    public const string Us = "us";
    public const string Eu = "eu";

    /// <summary>What a caller may send as a region (case-insensitive): the code or its API domain.</summary>
    public static readonly IReadOnlyList<string> InputValues = [Us, Eu, UsApiDomain, EuApiDomain];

    public static readonly string AllowedValues = string.Join(", ", InputValues);

    /// <summary>Accepts the region code or its API domain, case-insensitively, and returns the code.</summary>
    public static bool TryNormalize(string? input, out string region)
    {
        switch (input?.Trim().ToLowerInvariant())
        {
            case "us" or "api.customer.io":
                region = Us;
                return true;
            case "eu" or "api-eu.customer.io":
                region = Eu;
                return true;
            default:
                region = "";
                return false;
        }
    }

    /// <summary>
    /// The region code of a value the validator accepted (<see cref="RegionRules.MustBeRegion{T}"/>). Anything else is
    /// a bug, not a guess: this throws rather than store an empty region.
    /// </summary>
    public static string Parse(string input) =>
        TryNormalize(input, out var region) ? region : throw new ArgumentException($"'{input}' is not a region.", nameof(input));

    public const string UsApiDomain = "api.customer.io";
    public const string EuApiDomain = "api-eu.customer.io";

    public static string ApiDomain(string region) => region == Eu ? EuApiDomain : UsApiDomain;

    public static string Other(string region) => region == Eu ? Us : Eu;

    public static string DisplayName(string region) => region == Eu ? "EU" : "US";
}
