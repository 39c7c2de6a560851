using System.Text.Json;
using CredentialService.ConnectionTests;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialService.Credentials;

internal sealed class CredentialConfiguration : IEntityTypeConfiguration<Credential>
{
    /// <summary>The <c>last_test</c> column's JSON, for EF and for SQL written by hand (<see cref="Verification.VerdictEvents"/>).</summary>
    public static string LastTestJson(TestResult? result) => JsonSerializer.Serialize(result, CredentialServiceJsonContext.Default.TestResult);

    public void Configure(EntityTypeBuilder<Credential> builder)
    {
        builder.ToTable("credentials");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.TenantId).HasMaxLength(200);
        builder.Property(c => c.Type).HasMaxLength(50);
        builder.Property(c => c.Name).HasMaxLength(200);
        builder.Property(c => c.Description).HasMaxLength(2000);
        builder.Property(c => c.Region).HasMaxLength(8);
        builder.Property(c => c.AppApiKeyLast4).HasMaxLength(4);
        builder.Property(c => c.LastTest)
            .HasColumnType("jsonb")
            .HasConversion(
                v => LastTestJson(v),
                v => JsonSerializer.Deserialize(v, CredentialServiceJsonContext.Default.TestResult));
        // Set by the database (default 1, trigger credentials_bump_version on UPDATE) and read back after each write.
        builder.Property(c => c.Version).HasDefaultValue(1L).ValueGeneratedOnAddOrUpdate().IsConcurrencyToken();
        builder.Property(c => c.LastOutcome).HasMaxLength(32)
            .HasComputedColumnSql("(last_test ->> 'outcome')", stored: true);

        // Filters of the list, each still a keyset walk in id order: lastOutcome (untested is IS NULL), inUse.
        builder.HasIndex(c => new { c.TenantId, c.LastOutcome, c.Id }, "ix_credentials_tenant_id_last_outcome_id").HasDatabaseName("ix_credentials_tenant_id_last_outcome_id")
            .IsDescending(false, false, true);
        builder.HasIndex(c => new { c.TenantId, c.Id }, "ix_credentials_tenant_id_id_in_use").HasDatabaseName("ix_credentials_tenant_id_id_in_use")
            .IsDescending(false, true).HasFilter("usage_count > 0");
        builder.HasIndex(c => new { c.TenantId, c.Id }, "ix_credentials_tenant_id_id_not_in_use").HasDatabaseName("ix_credentials_tenant_id_id_not_in_use")
            .IsDescending(false, true).HasFilter("usage_count = 0");
        // The verification scheduler's queue: the due ones first, and the new ones it has not placed yet.
        builder.HasIndex(c => c.NextVerificationAt, "ix_credentials_next_verification_at").HasDatabaseName("ix_credentials_next_verification_at");
        builder.HasIndex(c => c.CreatedAt, "ix_credentials_unscheduled").HasDatabaseName("ix_credentials_unscheduled").HasFilter("next_verification_at IS NULL");

        // The tenant's newest-first page (and every keyset page after it) is one index range scan.
        // Ids are UUIDv7, so id order is creation order.
        builder.HasIndex(c => new { c.TenantId, c.Id }).IsDescending(false, true);
    }
}
