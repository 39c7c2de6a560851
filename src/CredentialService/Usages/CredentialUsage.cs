using CredentialService.Credentials;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialService.Usages;

/// <summary>A data source or destination of the platform that uses a credential, under the platform's own id.</summary>
public sealed class CredentialUsage
{
    public Guid CredentialId { get; set; }
    public required string UsageId { get; set; }
    public required string TenantId { get; set; }
    public required string Kind { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>The kinds of usage; their spelling is part of the contract.</summary>
public static class UsageKind
{
    public const string Source = "source";
    public const string Destination = "destination";
    public const string AllowedValues = "source, destination";

    public static bool IsValid(string? kind) => kind is Source or Destination;
}

internal sealed class CredentialUsageConfiguration : IEntityTypeConfiguration<CredentialUsage>
{
    public void Configure(EntityTypeBuilder<CredentialUsage> builder)
    {
        builder.ToTable("credential_usages");
        builder.HasKey(u => new { u.CredentialId, u.UsageId });
        builder.Property(u => u.UsageId).HasMaxLength(UsageRules.IdMaxLength);
        builder.Property(u => u.TenantId).HasMaxLength(200);
        builder.Property(u => u.Kind).HasMaxLength(16);
        builder.Property(u => u.Name).HasMaxLength(CredentialFieldRules.NameMaxLength);
        // A usage cannot outlive its credential, whatever path deletes the credential.
        builder.HasOne<Credential>().WithMany().HasForeignKey(u => u.CredentialId).OnDelete(DeleteBehavior.Cascade);
    }
}
