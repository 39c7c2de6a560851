using CredentialService.Audit;
using CredentialService.Credentials;
using CredentialService.Idempotency;
using CredentialService.KeyCustody;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace CredentialService.Data;

/// <summary>The one database of the service: credentials, their audit trail, idempotency records and the key ring.</summary>
public sealed class CredentialsDbContext(DbContextOptions<CredentialsDbContext> options)
    : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Credential> Credentials => Set<Credential>();
    public DbSet<CredentialEvent> CredentialEvents => Set<CredentialEvent>();
    public DbSet<Usages.CredentialUsage> CredentialUsages => Set<Usages.CredentialUsage>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<KeyRingCanary> KeyRingCanaries => Set<KeyRingCanary>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CredentialsDbContext).Assembly);
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
    }
}
