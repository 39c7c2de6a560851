using System.ComponentModel.DataAnnotations;
using CredentialService.Audit;
using CredentialService.Credentials;
using CredentialService.Data;
using CredentialService.Infrastructure;
using CredentialService.Infrastructure.Auth;
using CredentialService.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CredentialService.Usages;

/// <summary>
/// Which data sources and destinations of the platform use a credential. The platform records a usage when a user
/// selects the credential and removes it when the source or destination goes; a credential in use is not deleted
/// without <c>force=true</c>.
/// </summary>
public static class UsagesApi
{
    public static RouteGroupBuilder MapUsages(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/credentials/{id:guid}/usages")
            .WithTags("Usages")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPut("/{usageId}", Put)
            .RequireAuthorization(Scopes.Write)
            .RequireSharedRateLimit<CredentialWriteRateLimit, RouteHandlerBuilder>()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddEndpointFilter<ValidationFilter<PutUsageRequest>>()
            .WithName("PutCredentialUsage")
            .WithSummary("Record that a source or destination uses the credential")
            .WithDescription("Idempotent by usageId (the platform's own id, 1..200 of A-Z a-z 0-9 . _ : -): 201 when new, " +
                             "200 when it replaced the usage of that id. A new usage adds a usage_added event.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapGet("/", List)
            .RequireAuthorization(Scopes.Read)
            .WithName("ListCredentialUsages")
            .WithSummary("The usages of a credential, oldest first");

        group.MapDelete("/{usageId}", Delete)
            .RequireAuthorization(Scopes.Write)
            .RequireSharedRateLimit<CredentialWriteRateLimit, RouteHandlerBuilder>()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithName("DeleteCredentialUsage")
            .WithSummary("Remove a usage")
            .WithDescription("404 when the credential or the usage is absent. Adds a usage_removed event.");

        return group;
    }

    public static async Task<Results<Created<UsageResponse>, Ok<UsageResponse>, NotFound, ValidationProblem>> Put(
        Guid id, [MaxLength(UsageRules.IdMaxLength), RegularExpression(UsageRules.IdRegex)] string usageId, PutUsageRequest request, Caller caller, CredentialsDbContext db, TimeProvider time,
        CancellationToken ct)
    {
        if (!UsageRules.IsValidId(usageId)) return InvalidUsageId();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var credential = await db.Credentials.LockAsync(id, caller.TenantId, ct);
        if (credential is null) return TypedResults.NotFound();

        var now = time.UtcNowForDatabase();
        var name = request.Name!.Trim();
        var usage = await db.CredentialUsages.OwnedBy(caller).FirstOrDefaultAsync(u => u.CredentialId == id && u.UsageId == usageId, ct);
        if (usage is not null)
        {
            if (usage.Kind != request.Kind || usage.Name != name)
            {
                usage.Kind = request.Kind!;
                usage.Name = name;
                usage.UpdatedAt = now;
                await db.SaveChangesAsync(ct);
            }

            await tx.CommitAsync(ct);
            return TypedResults.Ok(UsageResponse.From(usage));
        }

        usage = new CredentialUsage
        {
            CredentialId = id, UsageId = usageId, TenantId = caller.TenantId, Kind = request.Kind!, Name = name,
            CreatedAt = now, UpdatedAt = now,
        };
        db.CredentialUsages.Add(usage);
        db.CredentialEvents.Add(CredentialEvent.For(credential, caller, AuditAction.UsageAdded, time,
            new EventDetail(Usage: new UsageDetail(usageId, usage.Kind, name))));
        await db.SaveChangesAsync(ct);
        await RecountAsync(db, id, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/v1/credentials/{id}/usages/{usageId}", UsageResponse.From(usage));
    }

    public static async Task<Results<Ok<UsageList>, NotFound>> List(Guid id, Caller caller, CredentialsDbContext db, CancellationToken ct)
    {
        if (!await db.Credentials.OwnedBy(caller).AnyAsync(c => c.Id == id, ct)) return TypedResults.NotFound();
        var items = await db.CredentialUsages.AsNoTracking()
            .OwnedBy(caller)
            .Where(u => u.CredentialId == id)
            .OrderBy(u => u.CreatedAt).ThenBy(u => u.UsageId)
            .Select(u => new UsageResponse(u.UsageId, u.Kind, u.Name, u.CreatedAt, u.UpdatedAt))
            .ToListAsync(ct);
        return TypedResults.Ok(new UsageList(items));
    }

    public static async Task<Results<NoContent, NotFound, ValidationProblem>> Delete(
        Guid id, [MaxLength(UsageRules.IdMaxLength), RegularExpression(UsageRules.IdRegex)] string usageId, Caller caller, CredentialsDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (!UsageRules.IsValidId(usageId)) return InvalidUsageId();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var credential = await db.Credentials.LockAsync(id, caller.TenantId, ct);
        if (credential is null) return TypedResults.NotFound();
        var usage = await db.CredentialUsages.OwnedBy(caller).FirstOrDefaultAsync(u => u.CredentialId == id && u.UsageId == usageId, ct);
        if (usage is null) return TypedResults.NotFound();

        db.CredentialUsages.Remove(usage);
        db.CredentialEvents.Add(CredentialEvent.For(credential, caller, AuditAction.UsageRemoved, time,
            new EventDetail(Usage: new UsageDetail(usage.UsageId, usage.Kind, usage.Name))));
        await db.SaveChangesAsync(ct);
        await RecountAsync(db, id, ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>The first usages of a credential, for the answer to a delete that they prevent.</summary>
    public static Task<UsageResponse[]> FirstAsync(CredentialsDbContext db, Guid credentialId, int count, CancellationToken ct) =>
        db.CredentialUsages.AsNoTracking()
            .Where(u => u.CredentialId == credentialId)
            .OrderBy(u => u.CreatedAt).ThenBy(u => u.UsageId)
            .Take(count)
            .Select(u => new UsageResponse(u.UsageId, u.Kind, u.Name, u.CreatedAt, u.UpdatedAt))
            .ToArrayAsync(ct);

    /// <summary>Keeps <c>credentials.usage_count</c> true, in the transaction that changed the usages, under the row lock.</summary>
    private static Task<int> RecountAsync(CredentialsDbContext db, Guid id, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync(
            $"UPDATE credentials SET usage_count = (SELECT count(*) FROM credential_usages WHERE credential_id = {id}) WHERE id = {id}",
            ct);

    private static ValidationProblem InvalidUsageId() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["usageId"] = [UsageRules.IdMessage] });
}
