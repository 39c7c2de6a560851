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

public sealed record CredentialEventPage([property: MaxLength(AuditApi.MaxEvents)] IReadOnlyList<CredentialEventResponse> Items);

public static class AuditApi
{
    public const int MaxEvents = 1000;

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
            .WithSummary("The audit trail of a credential, oldest first")
            .WithDescription("Actions: created, updated, key_rotated, tested, secret_read, deleted. The trail outlives " +
                             "the credential, so a deleted credential's history can still be read.");
        return group;
    }

    public static async Task<Results<Ok<CredentialEventPage>, NotFound>> ListEvents(
        Guid id, Caller caller, CredentialsDbContext db, CancellationToken ct)
    {
        var items = await db.CredentialEvents.AsNoTracking()
            .Where(e => e.TenantId == caller.TenantId && e.CredentialId == id)
            .OrderBy(e => e.Id)
            .Take(MaxEvents)
            .Select(e => new CredentialEventResponse(e.At, e.Action, e.Actor, e.Detail))
            .ToListAsync(ct);
        return items.Count == 0 ? TypedResults.NotFound() : TypedResults.Ok(new CredentialEventPage(items));
    }
}
