using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialService.RateLimiting;

/// <summary>
/// One shared rate-limit bucket (GCRA: <see cref="Tat"/> is the bucket's theoretical arrival time). Only
/// <see cref="SharedRateLimiter"/> writes it, with SQL; the entity exists so the table is part of the migrations.
/// </summary>
public sealed class RateLimitBucket
{
    public required string BucketKey { get; set; }
    public DateTime Tat { get; set; }
    public DateTime? PausedUntil { get; set; }
}

internal sealed class RateLimitBucketConfiguration : IEntityTypeConfiguration<RateLimitBucket>
{
    public void Configure(EntityTypeBuilder<RateLimitBucket> builder)
    {
        // Unlogged: no write-ahead log, so an acquire costs no WAL write and no fsync at commit. After a crash of
        // Postgres the table comes back empty, i.e. every bucket full: a limit is briefly as generous as its burst,
        // which is the whole cost of losing it. (Not replicated either: after a failover buckets start full.)
        builder.ToTable("rate_limit_buckets").IsUnlogged();
        builder.HasKey(b => b.BucketKey);
        builder.Property(b => b.BucketKey).HasMaxLength(300);
    }
}
