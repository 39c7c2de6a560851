using CredentialService.ConnectionTests;

namespace CredentialService.Credentials;

/// <summary>A stored Customer.io credential. Never leaves the data layer: responses map it to <see cref="CredentialResponse"/>.</summary>
public sealed class Credential
{
    public const string CustomerIoType = "customer_io";

    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public string Type { get; set; } = CustomerIoType;
    public required string Name { get; set; }
    public string? Description { get; set; }
    public required string Region { get; set; }

    /// <summary>DataProtection payload; the purpose chain binds it to this tenant and this id.</summary>
    public required byte[] AppApiKeyCiphertext { get; set; }
    public required string AppApiKeyLast4 { get; set; }

    public TestResult? LastTest { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>
    /// This row's own write counter: 1 at creation, incremented by a database trigger on every UPDATE (so no write
    /// path can forget it). It is the ETag and the optimistic-concurrency token, and says nothing about other rows.
    /// </summary>
    public long Version { get; set; }
}
