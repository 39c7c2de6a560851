using System.ComponentModel.DataAnnotations;

namespace CredentialService.Proxy;

/// <summary><c>Proxy:*</c>: the limits of calling Customer.io through the service (validated at start).</summary>
public sealed class ProxyOptions
{
    public const string Section = "Proxy";

    /// <summary>Requests per second per credential for the general App API (burst the same).</summary>
    [Range(0.01, 100_000, ErrorMessage = "Proxy:RequestsPerSecondPerCredential must be between 0.01 and 100000.")]
    public double RequestsPerSecondPerCredential { get; set; } = 10;

    /// <summary>How long a request may wait for a slot before it is refused with 429.</summary>
    [Range(0, 60, ErrorMessage = "Proxy:MaxQueueSeconds must be between 0 and 60.")]
    public double MaxQueueSeconds { get; set; } = 5;

    /// <summary>The longest pause a Customer.io 429's Retry-After may put on a credential's bucket.</summary>
    [Range(0, 3600, ErrorMessage = "Proxy:MaxRetryAfterSeconds must be between 0 and 3600.")]
    public int MaxRetryAfterSeconds { get; set; } = 60;

    /// <summary>How long Customer.io may stay silent (its answer's headers included) before the caller gets 504.</summary>
    [Range(1, 600, ErrorMessage = "Proxy:TimeoutSeconds must be between 1 and 600.")]
    public int TimeoutSeconds { get; set; } = 100;

    [Range(1, 1L << 31, ErrorMessage = "Proxy:MaxRequestBytes must be between 1 and 2147483648.")]
    public long MaxRequestBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>How long a decrypted key is kept in memory; 0 decrypts on every request.</summary>
    [Range(0, 3600, ErrorMessage = "Proxy:KeyCacheSeconds must be between 0 and 3600.")]
    public int KeyCacheSeconds { get; set; } = 30;
}
