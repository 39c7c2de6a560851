using CredentialService.Audit;
using CredentialService.Credentials;
using CredentialService.Data;
using CredentialService.Infrastructure;
using CredentialService.Infrastructure.Auth;
using CredentialService.Infrastructure.Errors;
using CredentialService.Infrastructure.Telemetry;
using CredentialService.KeyCustody;
using CredentialService.RateLimiting;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CredentialService.ConnectionTests;

public sealed record TestKeyRequest([property: SecretData] string? AppApiKey, string? Region)
{
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"AppApiKey = {Redacted.Key(AppApiKey)}, Region = {Region}");
        return true;
    }

    /// <summary>The key and region code to test, in one step; only for a request <see cref="TestKeyRequestValidator"/> accepted.</summary>
    public (AppApiKey Key, string Region) Parse() =>
        (Credentials.AppApiKey.Parse(AppApiKey), Credentials.Region.Parse(Region ?? Credentials.Region.Us));
}

public sealed class TestKeyRequestValidator : AbstractValidator<TestKeyRequest>
{
    public TestKeyRequestValidator()
    {
        RuleFor(r => CredentialFieldRules.Trimmed(r.AppApiKey)).MustBeAppApiKey().OverridePropertyName("appApiKey");
        RuleFor(r => r.Region).MustBeRegion().When(r => r.Region is not null).OverridePropertyName("region");
    }
}

/// <summary>
/// Connection tests against Customer.io: of a stored credential (the verdict becomes its <c>lastTest</c>) or of a
/// key not saved yet (nothing is stored). The service answers 200 whatever the verdict: the test ran.
/// </summary>
public static class ConnectionTestsApi
{
    public static RouteGroupBuilder MapConnectionTests(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/credentials")
            .WithTags("Connection tests")
            .RequireAuthorization(Scopes.Test)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/test", TestUnsaved)
            .WithName("TestUnsavedKey")
            .WithSummary("Test a key before saving it")
            .WithDescription("Calls GET {region}/v1/workspaces with the key as a Bearer token and classifies the answer. Nothing is stored.")
            .RequireSharedRateLimit<ConnectionTestRateLimit, RouteHandlerBuilder>()
            .AddEndpointFilter<ValidationFilter<TestKeyRequest>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapPost("/{id:guid}/test", TestStored)
            .WithName("TestCredential")
            .WithSummary("Test a stored credential")
            .WithDescription("Tests the stored key against the credential's region and stores the verdict as lastTest.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        return group;
    }

    public static async Task<Ok<TestResult>> TestUnsaved(
        TestKeyRequest request, CustomerIoClient customerIo, CancellationToken ct)
    {
        var (key, region) = request.Parse();
        return TypedResults.Ok(await customerIo.TestAsync(key, region, ct));
    }

    // The tenant's test limit (ConnectionTestRateLimit) and the credential's read in one round trip: a credential
    // that is not the caller's is a 404 that takes no slot.
    private static readonly string AdmissionSql = SharedRateLimiter.AcquireForRowSql(StoredKeyQuery.Sql);

    public static async Task<Results<Ok<TestResult>, NotFound, ProblemHttpResult>> TestStored(
        Guid id, Caller caller, HttpContext http, CredentialsDbContext db, AppApiKeyProtector protector,
        ConnectionTestRateLimit testLimit, SharedRateLimiter limiter, CustomerIoClient customerIo, TimeProvider time,
        CancellationToken ct)
    {
        var (bucket, limit, maxWait) = testLimit.BucketFor(caller);
        var admitted = await limiter.AcquireForRowAsync(bucket, limit, maxWait, AdmissionSql,
            StoredKeyQuery.Parameters(id, caller.TenantId), StoredKeyQuery.Read, ct);
        if (admitted is not var (credential, decision)) return TypedResults.NotFound();
        if (!decision.Granted)
        {
            return ProblemSetup.TooManyRequests(http, testLimit.Refused(http, limit, decision.RetryAfterSeconds), decision.RetryAfterSeconds);
        }

        if (decision.Wait > TimeSpan.Zero) await Task.Delay(decision.Wait, ct); // never today: tests do not queue

        var (key, rewrapped) = protector.Reveal(credential);
        var result = await customerIo.TestAsync(key, credential.Region, ct);

        // If the key or region changed while the test ran, the verdict is about the old key: only the event is kept.
        var version = await Verification.VerdictEvents.SaveAsync(db, credential, caller, result, time, rewrapped);
        if (version is { } stored)
        {
            // Storing lastTest changed the version: hand the new ETag back so the caller's next write is not a 412.
            http.Response.Headers.ETag = ETags.Header(stored);
        }

        return TypedResults.Ok(result);
    }
}
