using System.Buffers.Binary;
using System.Buffers.Text;
using System.ComponentModel.DataAnnotations;
using CredentialService.Data;
using CredentialService.Infrastructure.Auth;
using CredentialService.Infrastructure.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CredentialService.Audit;

public sealed record CredentialEventResponse(
    DateTime At,
    [property: ValuesOf(typeof(AuditAction))] string Action,
    [property: MaxLength(CredentialEvent.ActorMaxLength)] string Actor,
    EventDetail? Detail);

/// <summary>One page of a credential's audit trail, newest first; the same shape as the credential list.</summary>
public sealed record CredentialEventPage(
    [property: MaxLength(AuditApi.MaxLimit)] IReadOnlyList<CredentialEventResponse> Items,
    [property: StringLength(EventCursor.Length, MinimumLength = EventCursor.Length), RegularExpression(EventCursor.Pattern)] string? NextCursor,
    [property: Range(1, AuditApi.MaxLimit)] int Limit);

public static class AuditApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static RouteGroupBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/credentials")
            .WithTags("Audit")
            .RequireAuthorization(Scopes.Read)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/{id:guid}/events", ListEvents)
            .WithName("ListCredentialEvents")
            .WithSummary("The audit trail of a credential, newest first, in pages")
            .WithDescription("Actions: created, updated, key_rotated, tested, secret_read, deleted. limit 1..200 (default 50); " +
                             "cursor from the previous page's nextCursor. Consecutive secret reads by one actor within " +
                             "5 minutes are one secret_read event with detail.count (and detail.firstAt). The trail outlives " +
                             "the credential, so a deleted credential's history can still be read (up to Audit:RetentionDays).")
            .ProducesValidationProblem();
        return group;
    }

    public static async Task<Results<Ok<CredentialEventPage>, NotFound, ValidationProblem>> ListEvents(
        Guid id, Caller caller, CredentialsDbContext db, CancellationToken ct,
        [Range(1, MaxLimit)] int? limit = null,
        [StringLength(EventCursor.Length, MinimumLength = EventCursor.Length), RegularExpression(EventCursor.Pattern)] string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit) errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        long before = 0;
        if (cursor is not null && !EventCursor.TryDecode(cursor, out before))
            errors["cursor"] = ["cursor is not a value this service returned as nextCursor."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var query = db.CredentialEvents.AsNoTracking().OwnedBy(caller).Where(e => e.CredentialId == id);
        if (cursor is not null) query = query.Where(e => e.Id < before);
        var page = await query
            .OrderByDescending(e => e.Id)
            .Take(take + 1)
            .Select(e => new { e.Id, Event = new CredentialEventResponse(e.At, e.Action, e.Actor, e.Detail) })
            .ToListAsync(ct);

        // 404 only when the tenant has neither events nor the credential: a history may have aged out entirely.
        if (page.Count == 0 && cursor is null
            && !await db.Credentials.OwnedBy(caller).AnyAsync(c => c.Id == id, ct))
        {
            return TypedResults.NotFound();
        }

        var more = page.Count > take;
        if (more) page.RemoveAt(take);
        return TypedResults.Ok(new CredentialEventPage(
            page.Select(p => p.Event).ToList(), more ? EventCursor.Encode(page[^1].Id) : null, take));
    }
}

/// <summary>The opaque <c>cursor</c> of the audit trail: the id of the last event of the previous page.</summary>
public static class EventCursor
{
    /// <summary>Eight bytes in base64url, unpadded.</summary>
    public const int Length = 11;

    public const string Pattern = "^[A-Za-z0-9_-]{11}$";

    public static string Encode(long lastId)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, lastId);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string cursor, out long lastId)
    {
        lastId = 0;
        Span<byte> bytes = stackalloc byte[8];
        if (cursor.Length != Length || !Base64Url.IsValid(cursor)
            || !Base64Url.TryDecodeFromChars(cursor, bytes, out var written) || written != 8) return false;
        lastId = BinaryPrimitives.ReadInt64BigEndian(bytes);
        return lastId > 0;
    }
}
