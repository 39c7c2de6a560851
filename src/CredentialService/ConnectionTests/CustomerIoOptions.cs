using System.ComponentModel.DataAnnotations;
using CredentialService.Credentials;

namespace CredentialService.ConnectionTests;

public sealed class CustomerIoRegionOptions
{
    public string BaseUrl { get; set; } = "";
}

/// <summary><c>CustomerIo:*</c>. Base URLs come only from here (operators, tests), never from a caller.</summary>
public sealed class CustomerIoOptions
{
    public const string Section = "CustomerIo";

    /// <summary>A base URL is configuration, and handed to the runtime by /secret: bounded like any URL we emit.</summary>
    public const int MaxBaseUrlLength = 2048;

    public Dictionary<string, CustomerIoRegionOptions> Regions { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        [Region.Us] = new() { BaseUrl = "https://api.customer.io" },
        [Region.Eu] = new() { BaseUrl = "https://api-eu.customer.io" },
    };

    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 10;

    public bool ProbeOtherRegion { get; set; } = true;

    /// <summary>
    /// Outside Development, plain-http base URLs on a non-loopback host are refused unless this is set: only for a test
    /// stack whose fake Customer.io runs on another container host (the CI's compose check). Never in production.
    /// </summary>
    public bool AllowPlainHttp { get; set; }

    public Uri BaseUrl(string region) => new(Regions[region].BaseUrl.TrimEnd('/') + "/", UriKind.Absolute);

    internal static bool HasValidRegions(CustomerIoOptions o) =>
        new[] { Region.Us, Region.Eu }.All(r =>
            o.Regions.TryGetValue(r, out var opt)
            && opt.BaseUrl.Length <= MaxBaseUrlLength
            && Uri.TryCreate(opt.BaseUrl, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp));
}
