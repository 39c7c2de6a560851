using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using CredentialService.ConnectionTests;
using CredentialService.Credentials;
using CredentialService.Data;
using CredentialService.Infrastructure.Auth;
using CredentialService.Infrastructure.OpenApi;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CredentialService.Audit;

/// <summary>The audit actions; their spelling is part of the contract.</summary>
public static class AuditAction
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string KeyRotated = "key_rotated";
    public const string Tested = "tested";
    public const string SecretRead = "secret_read";
    public const string Deleted = "deleted";
    public const string UsageAdded = "usage_added";
    public const string UsageRemoved = "usage_removed";
    public const string VerdictChanged = "verdict_changed";
}

/// <summary>
/// What an event says beyond its action. Never a key: at most its last four characters. A <c>secret_read</c> carries
/// <see cref="Count"/>: consecutive reads by one actor within <see cref="AuditTrail.SecretReadWindow"/> are one event,
/// whose <c>at</c> is the last read and <see cref="FirstAt"/> the first (when there was more than one).
/// </summary>
public sealed record EventDetail(
    [property: MaxLength(3), AllowedValues("name", "description", "region")] IReadOnlyList<string>? ChangedFields = null,
    [property: AllowedValues(Credentials.Region.Us, Credentials.Region.Eu)] string? Region = null,
    [property: StringLength(AppApiKey.Last4Length, MinimumLength = AppApiKey.Last4Length), RegularExpression(AppApiKeyRules.NoWhitespaceOrControlCharacters)] string? AppApiKeyLast4 = null,
    [property: ValuesOf(typeof(TestOutcome))] string? Outcome = null,
    UsageDetail? Usage = null,
    bool? Forced = null,
    [property: Range(0, int.MaxValue)] int? UsagesRemoved = null,
    [property: ValuesOf(typeof(TestOutcome))] string? From = null,
    [property: ValuesOf(typeof(TestOutcome))] string? To = null,
    [property: Range(1, int.MaxValue)] int? Count = null,
    DateTime? FirstAt = null);

/// <summary>The usage an event is about.</summary>
public sealed record UsageDetail(
    [property: MaxLength(Usages.UsageRules.IdMaxLength)] string Id,
    [property: AllowedValues(Usages.UsageKind.Source, Usages.UsageKind.Destination)] string Kind,
    [property: MaxLength(CredentialFieldRules.NameMaxLength)] string Name);

/// <summary>One entry of a credential's audit trail, written in the same transaction as the change it records.</summary>
public sealed class CredentialEvent
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public Guid CredentialId { get; set; }
    public DateTime At { get; set; }
    public required string Action { get; set; }
    public const int ActorMaxLength = 200;

    public required string Actor { get; set; }
    public EventDetail? Detail { get; set; }

    public static CredentialEvent For(Credential credential, Caller caller, string action, TimeProvider time, EventDetail? detail = null) => new()
    {
        TenantId = credential.TenantId,
        CredentialId = credential.Id,
        At = time.UtcNowForDatabase(),
        Action = action,
        Actor = caller.Actor,
        Detail = detail,
    };

    public static CredentialEvent Tested(Credential credential, Caller caller, TestResult result, TimeProvider time) =>
        For(credential, caller, AuditAction.Tested, time, new EventDetail(Region: result.Region, Outcome: result.Outcome));
}

internal sealed class CredentialEventConfiguration : IEntityTypeConfiguration<CredentialEvent>
{
    /// <summary>The <c>detail</c> column's JSON, for EF and for SQL written by hand (<see cref="Verification.VerdictEvents"/>).</summary>
    public static string DetailJson(EventDetail? detail) => JsonSerializer.Serialize(detail, CredentialServiceJsonContext.Default.EventDetail);

    public void Configure(EntityTypeBuilder<CredentialEvent> builder)
    {
        builder.ToTable("credential_events");
        builder.Property(e => e.Id).UseIdentityAlwaysColumn();
        builder.Property(e => e.TenantId).HasMaxLength(200);
        builder.Property(e => e.Action).HasMaxLength(32);
        builder.Property(e => e.Actor).HasMaxLength(CredentialEvent.ActorMaxLength);
        builder.Property(e => e.Detail)
            .HasColumnType("jsonb")
            .HasConversion(
                v => DetailJson(v),
                v => JsonSerializer.Deserialize(v, CredentialServiceJsonContext.Default.EventDetail));
        builder.HasIndex(e => new { e.TenantId, e.CredentialId, e.Id });
        builder.HasIndex(e => e.At); // the retention sweep
    }
}
