namespace CredentialService.Credentials;

/// <summary>The Customer.io data centers a workspace can live in. The wire names are fixed by the contract.</summary>
public static class Region
{
    public const string Us = "us";
    public const string Eu = "eu";

    public const string AllowedValues = "us, eu, api.customer.io, api-eu.customer.io";

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

    public static string ApiDomain(string region) => region == Eu ? "api-eu.customer.io" : "api.customer.io";

    public static string Other(string region) => region == Eu ? Us : Eu;

    public static string DisplayName(string region) => region == Eu ? "EU" : "US";
}
