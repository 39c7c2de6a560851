using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialService.Credentials;

/// <summary>
/// How many credentials a tenant stores, kept exact by triggers on <c>credentials</c> (every insert and delete,
/// COPY included, whoever writes); the insert trigger also enforces <see cref="CredentialLimitsOptions.MaxPerTenant"/>
/// with it (<see cref="CredentialLimits"/>). Nothing in the service reads it otherwise.
/// </summary>
public sealed class TenantCredentialCount
{
    public required string TenantId { get; set; }
    public int Credentials { get; set; }
}

internal sealed class TenantCredentialCountConfiguration : IEntityTypeConfiguration<TenantCredentialCount>
{
    public void Configure(EntityTypeBuilder<TenantCredentialCount> builder)
    {
        builder.ToTable("tenant_credential_counts");
        builder.HasKey(c => c.TenantId);
        builder.Property(c => c.TenantId).HasMaxLength(200); // as credentials.tenant_id
    }
}
