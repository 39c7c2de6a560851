using System.ComponentModel.DataAnnotations;
using CredentialService.Audit;
using CredentialService.ConnectionTests;
using CredentialService.Data;
using CredentialService.Idempotency;
using CredentialService.Infrastructure;
using CredentialService.Infrastructure.Auth;
using CredentialService.Infrastructure.Telemetry;
using CredentialService.KeyCustody;
using CredentialService.RateLimiting;
using CredentialService.Usages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialService.Credentials;

/// <summary>Create, list, read, update and delete Customer.io credentials of the caller's tenant.</summary>
public static class CredentialsApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    public const int MaxQueryLength = 200;
    private const string SearchSeparator = "\u0001";

    public static RouteGroupBuilder MapCredentials(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/credentials")
            .WithTags("Credentials")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/", Create)
            .RequireAuthorization(Scopes.Write)
            .RequireSharedRateLimit<CredentialWriteRateLimit, RouteHandlerBuilder>()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddEndpointFilter<ValidationFilter<CreateCredentialRequest>>()
            .WithName("CreateCredential")
            .WithSummary("Create a Customer.io credential")
            .WithDescription("The App API Key is encrypted and never returned again: responses carry only appApiKeyLast4. " +
                             "Send an Idempotency-Key header to make retries safe: the same key and body replay the first " +
                             "response (Idempotent-Replayed: true); the same key with another body is a 422.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status409Conflict) // over Credentials:MaxPerTenant, or a replay of a deleted credential
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/", List)
            .RequireAuthorization(Scopes.Read)
            .RequireSharedRateLimit<CredentialListRateLimit, RouteHandlerBuilder>()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithName("ListCredentials")
            .WithSummary("List credentials, newest first")
            .WithDescription("limit 1..200 (default 50); cursor from the previous page's nextCursor; region filter (us, eu); " +
                             "q: case-insensitive substring of name or description; inUse=true|false (usageCount > 0 or 0); " +
                             "lastOutcome: an outcome of lastTest (ok, invalid_key, wrong_region, forbidden, rate_limited, " +
                             "upstream_error, timeout, unreachable) or untested. Filters combine with each other and the cursor.")
            .ProducesValidationProblem();

        group.MapGet("/{id:guid}", Get)
            .RequireAuthorization(Scopes.Read)
            .WithName("GetCredential")
            .WithSummary("Read a credential (without its key)")
            .WithDescription("The key appears only as appApiKeyLast4. The ETag header carries the version to send back as " +
                             "If-Match. Another tenant's credential is a 404, like one that never existed.");

        group.MapPatch("/{id:guid}", Update)
            .RequireAuthorization(Scopes.Write)
            .RequireSharedRateLimit<CredentialWriteRateLimit, RouteHandlerBuilder>()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddEndpointFilter<ValidationFilter<UpdateCredentialRequest>>()
            .WithName("UpdateCredential")
            .WithSummary("Change name, description, region or rotate the key")
            .WithDescription("Omitted fields are unchanged; description: null clears it. A new appApiKey or region clears " +
                             "lastTest. Send If-Match with the ETag you read: a stale one is a 412 and changes nothing.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapDelete("/{id:guid}", Delete)
            .RequireAuthorization(Scopes.Write)
            .RequireSharedRateLimit<CredentialWriteRateLimit, RouteHandlerBuilder>()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithName("DeleteCredential")
            .WithSummary("Delete a credential and its encrypted key")
            .WithDescription("The ciphertext is gone after it; the audit trail stays readable. Send If-Match with the ETag " +
                             "you read: a stale one is a 412 and deletes nothing. A credential in use (usageCount > 0) is not " +
                             "deleted: 409 problem credential-in-use listing up to 10 usages. force=true deletes it with its " +
                             "usages (the deleted event says forced: true).")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        return group;
    }

    public static async Task<Results<Created<CredentialResponse>, ValidationProblem, ProblemHttpResult>> Create(
        CreateCredentialRequest request,
        [FromHeader(Name = IdempotencyKeys.Header), MaxLength(IdempotencyKeys.MaxLength), RegularExpression(IdempotencyKeys.Pattern)] string? idempotencyKey,
        Caller caller, HttpContext http, CredentialsDbContext db, AppApiKeyProtector protector,
        IdempotentCreate idempotent, IOptions<CredentialLimitsOptions> limits, ServiceMetrics metrics, ILogger<CreateCredentialRequest> logger,
        TimeProvider time, CancellationToken ct)
    {
        CredentialLog.CreateRequested(logger, request);
        var (name, description, key, region) = request.Parse();

        async Task<CredentialResponse> Insert()
        {
            var now = time.UtcNowForDatabase();
            var credential = new Credential
            {
                Id = Guid.CreateVersion7(time.GetUtcNow()),
                TenantId = caller.TenantId,
                Name = name,
                Description = description,
                Region = region,
                AppApiKeyCiphertext = [],
                AppApiKeyLast4 = key.Last4,
                CreatedAt = now,
                UpdatedAt = now,
            };
            credential.AppApiKeyCiphertext = protector.Protect(key, caller.TenantId, credential.Id);
            db.Credentials.Add(credential);
            db.CredentialEvents.Add(CredentialEvent.For(credential, caller, AuditAction.Created, time,
                new EventDetail(Region: region, AppApiKeyLast4: key.Last4)));
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (CredentialLimits.IsLimitReached(e))
            {
                throw new TenantCredentialLimitException(limits.Value.MaxPerTenant);
            }

            metrics.CredentialChanged(AuditAction.Created);
            return CredentialResponse.From(credential);
        }

        if (idempotencyKey is null)
        {
            return CreatedAt(http, await Insert());
        }

        if (!IdempotencyKeys.IsValid(idempotencyKey))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [IdempotencyKeys.Header] = [$"{IdempotencyKeys.Header} must be 1 to {IdempotencyKeys.MaxLength} visible ASCII characters."],
            });
        }

        var fingerprint = IdempotencyRecord.FingerprintOf(caller.TenantId, idempotencyKey, name, description, region, key.Reveal());
        switch (await idempotent.RunAsync(caller.TenantId, idempotencyKey, fingerprint, Insert, ct))
        {
            case IdempotentCreate.Fresh fresh:
                return CreatedAt(http, fresh.Response);
            case IdempotentCreate.Replayed replayed:
                http.Response.Headers[IdempotencyKeys.ReplayedHeader] = "true";
                return CreatedAt(http, replayed.Response);
            case IdempotentCreate.CredentialGone gone:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    type: "https://credential-service/problems/idempotent-credential-deleted",
                    title: "The credential this request created has been deleted",
                    detail: $"This {IdempotencyKeys.Header} created credential {gone.CredentialId}, which has been deleted " +
                            "since. To create a new credential, use a new key.");
            default:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "Idempotency-Key reused with a different request",
                    detail: $"This {IdempotencyKeys.Header} was already used in the last 24 hours for a create with another " +
                            "body. Use a new key for a new request.");
        }
    }

    public static async Task<Results<Ok<CredentialPage>, ValidationProblem>> List(
        Caller caller, CredentialsDbContext db, CancellationToken ct,
        [Range(1, MaxLimit)] int? limit = null,
        [StringLength(CredentialCursor.Length, MinimumLength = CredentialCursor.Length), RegularExpression(CredentialCursor.Pattern)] string? cursor = null,
        [AllowedValues(Region.Us, Region.Eu, Region.UsApiDomain, Region.EuApiDomain)] string? region = null,
        [MaxLength(MaxQueryLength)] string? q = null,
        bool? inUse = null,
        [AllowedValues(TestOutcome.Ok, TestOutcome.InvalidKey, TestOutcome.WrongRegion, TestOutcome.Forbidden,
            TestOutcome.RateLimited, TestOutcome.UpstreamError, TestOutcome.Timeout, TestOutcome.Unreachable,
            OutcomeFilter.Untested)] string? lastOutcome = null)
    {
        var errors = new Dictionary<string, string[]>();
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit) errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        var after = Guid.Empty;
        if (cursor is not null && !CredentialCursor.TryDecode(cursor, out after))
            errors["cursor"] = ["cursor is not a value this service returned as nextCursor."];
        var regionFilter = "";
        if (region is not null && !Region.TryNormalize(region, out regionFilter))
            errors["region"] = [$"region must be one of: {Region.AllowedValues}."];
        if (q is { Length: > MaxQueryLength }) errors["q"] = [$"q must be at most {MaxQueryLength} characters."];
        else if (q is not null && q.Any(char.IsControl)) errors["q"] = ["q must not contain control characters."];
        if (lastOutcome is not null && !OutcomeFilter.IsValid(lastOutcome))
            errors["lastOutcome"] = [$"lastOutcome must be one of: {OutcomeFilter.AllowedValues}."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        if (region is null && inUse is null && lastOutcome is null && string.IsNullOrEmpty(q))
        {
            var plain = cursor is null
                ? CredentialQueries.FirstPage(db, caller.TenantId, take + 1)
                : CredentialQueries.PageAfter(db, caller.TenantId, after, take + 1);
            return Page(await plain.ToListAsync(ct), take);
        }

        var query = db.Credentials.AsNoTracking().OwnedBy(caller);
        if (cursor is not null) query = query.Where(c => c.Id.CompareTo(after) < 0);
        if (region is not null) query = query.Where(c => c.Region == regionFilter);
        if (inUse is { } used) query = used ? query.Where(c => c.UsageCount > 0) : query.Where(c => c.UsageCount == 0);
        if (lastOutcome == OutcomeFilter.Untested) query = query.Where(c => c.LastOutcome == null);
        else if (lastOutcome is not null) query = query.Where(c => c.LastOutcome == lastOutcome);
        if (!string.IsNullOrEmpty(q))
        {
            var pattern = $"%{EscapeLike(q)}%";
            // One expression over name and description, which the trigram index ix_credentials_tenant_search covers
            // (with the tenant); the separator is a control character, which q cannot contain, so no match spans both.
            query = query.Where(c => EF.Functions.ILike(c.Name + SearchSeparator + (c.Description ?? ""), pattern, @"\"));
        }

        return Page(await query.OrderByDescending(c => c.Id).Take(take + 1).Select(CredentialResponse.Projection).ToListAsync(ct), take);
    }

    /// <summary>A page from <c>take + 1</c> rows: the extra row only says that there is a next page.</summary>
    private static Ok<CredentialPage> Page(List<CredentialResponse> rows, int take)
    {
        var more = rows.Count > take;
        if (more) rows.RemoveAt(take);
        return TypedResults.Ok(new CredentialPage(rows, more ? CredentialCursor.Encode(rows[^1].Id) : null));
    }

    public static async Task<Results<Ok<CredentialResponse>, NotFound>> Get(
        Guid id, Caller caller, HttpContext http, CredentialsDbContext db, CancellationToken ct)
    {
        var credential = await CredentialQueries.ById(db, id, caller.TenantId, ct);
        if (credential is null) return TypedResults.NotFound();
        http.Response.Headers.ETag = ETags.Header(credential.Version);
        return TypedResults.Ok(credential);
    }

    public static async Task<Results<Ok<CredentialResponse>, NotFound, ProblemHttpResult>> Update(
        Guid id, UpdateCredentialRequest request, Caller caller, HttpContext http, CredentialsDbContext db,
        AppApiKeyProtector protector, ServiceMetrics metrics, TimeProvider time, CancellationToken ct)
    {
        var required = ETags.RequiredVersion(http.Request);
        var credential = await db.Credentials.OwnedBy(caller).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (credential is null) return TypedResults.NotFound();
        if (!ETags.Matches(required, credential.Version)) return PreconditionFailed(credential.Version);

        var changes = request.Parse();
        var changed = new List<string>();
        if (changes.Name is { } name && name != credential.Name)
        {
            credential.Name = name;
            changed.Add("name");
        }

        if (changes.Description is { IsSet: true, Value: var description } && description != credential.Description)
        {
            credential.Description = description;
            changed.Add("description");
        }

        if (changes.Region is { } region && region != credential.Region)
        {
            credential.Region = region;
            credential.LastTest = null;
            changed.Add("region");
        }

        var rotated = changes.Key;
        if (rotated is not null)
        {
            credential.AppApiKeyCiphertext = protector.Protect(rotated, caller.TenantId, credential.Id);
            credential.AppApiKeyLast4 = rotated.Last4;
            credential.LastTest = null;
        }

        if (changed.Count == 0 && rotated is null)
        {
            http.Response.Headers.ETag = ETags.Header(credential.Version);
            return TypedResults.Ok(CredentialResponse.From(credential));
        }

        credential.UpdatedAt = time.UtcNowForDatabase();
        if (changed.Count > 0)
            db.CredentialEvents.Add(CredentialEvent.For(credential, caller, AuditAction.Updated, time,
                new EventDetail(ChangedFields: changed, Region: credential.Region)));
        if (rotated is not null)
            db.CredentialEvents.Add(CredentialEvent.For(credential, caller, AuditAction.KeyRotated, time,
                new EventDetail(AppApiKeyLast4: rotated.Last4)));

        try
        {
            // The UPDATE carries "WHERE version = <version read>": of concurrent writers with one If-Match, one wins.
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return required is null
                ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The credential changed concurrently",
                    detail: "Another request changed this credential while yours was applied. Read it again and retry.")
                : PreconditionFailed(null);
        }

        if (changed.Count > 0) metrics.CredentialChanged(AuditAction.Updated);
        if (rotated is not null) metrics.CredentialChanged(AuditAction.KeyRotated);
        http.Response.Headers.ETag = ETags.Header(credential.Version);
        return TypedResults.Ok(CredentialResponse.From(credential));
    }

    public static async Task<Results<NoContent, NotFound, ProblemHttpResult>> Delete(
        Guid id, Caller caller, HttpContext http, CredentialsDbContext db, ServiceMetrics metrics, TimeProvider time,
        CancellationToken ct, bool force = false)
    {
        var required = ETags.RequiredVersion(http.Request);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The row lock orders this delete with usage writes (Usages/UsagesApi): whichever comes second sees the first.
        var credential = await db.Credentials.LockAsync(id, caller.TenantId, ct);
        if (credential is null) return TypedResults.NotFound();
        if (!ETags.Matches(required, credential.Version)) return PreconditionFailed(credential.Version);
        if (credential.UsageCount > 0 && !force) return await DeleteProtection.InUseAsync(db, credential, ct);

        // The usages go with the credential (also by the foreign key's cascade); the deleted event counts them.
        await db.Credentials.OwnedBy(caller).Where(c => c.Id == id).ExecuteDeleteAsync(ct);
        db.CredentialEvents.Add(CredentialEvent.For(credential, caller, AuditAction.Deleted, time,
            new EventDetail(Forced: credential.UsageCount > 0, UsagesRemoved: credential.UsageCount)));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        metrics.CredentialChanged(AuditAction.Deleted);
        return TypedResults.NoContent();
    }

    private static Created<CredentialResponse> CreatedAt(HttpContext http, CredentialResponse response)
    {
        http.Response.Headers.ETag = ETags.Header(response.Version);
        return TypedResults.Created($"/v1/credentials/{response.Id}", response);
    }

    private static ProblemHttpResult PreconditionFailed(long? current) => TypedResults.Problem(
        statusCode: StatusCodes.Status412PreconditionFailed,
        title: "The credential was changed by someone else",
        detail: "If-Match does not match the credential's current ETag" +
                (current is { } v ? $" ({ETags.Header(v)})" : "") + ". Read it again, then retry your change.");

    private static string EscapeLike(string value) =>
        value.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal);
}
