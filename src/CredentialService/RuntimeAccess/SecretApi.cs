using System.ComponentModel.DataAnnotations;
using CredentialService.Audit;
using CredentialService.ConnectionTests;
using CredentialService.Credentials;
using CredentialService.Data;
using CredentialService.Infrastructure.Auth;
using CredentialService.Infrastructure.Telemetry;
using CredentialService.KeyCustody;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialService.RuntimeAccess;

/// <summary>What the integration runtime needs to call Customer.io: the key, its region and the base URL to use.</summary>
public sealed record CredentialSecret(
    [property: StringLength(AppApiKeyRules.MaxLength, MinimumLength = AppApiKeyRules.MinLength), RegularExpression(AppApiKeyRules.NoWhitespaceOrControlCharacters)] string AppApiKey,
    [property: AllowedValues(Credentials.Region.Us, Credentials.Region.Eu)] string Region,
    [property: Url, MaxLength(CustomerIoOptions.MaxBaseUrlLength)] string BaseUrl)
{
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"AppApiKey = {Credentials.Redacted.Key(AppApiKey)}, Region = {Region}, BaseUrl = {BaseUrl}");
        return true;
    }
}

/// <summary>
/// The one endpoint that returns a plaintext key, for the platform's runtime only (<c>credentials:use</c>, a scope no
/// person's token should carry). Every read is audited; responses are never cached.
/// </summary>
public static class SecretApi
{
    public static RouteGroupBuilder MapRuntimeAccess(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/credentials")
            .WithTags("Runtime access")
            .RequireAuthorization(Scopes.Use)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/{id:guid}/secret", ReadSecret)
            .WithName("ReadCredentialSecret")
            .WithSummary("Read the App API Key (integration runtime only)")
            .WithDescription("Returns the plaintext key with its region and base URL. Cache-Control: no-store. Audited as secret_read.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static async Task<Results<Ok<CredentialSecret>, NotFound>> ReadSecret(
        Guid id, Caller caller, HttpContext http, CredentialsDbContext db, AppApiKeyProtector protector,
        IOptions<CustomerIoOptions> customerIo, ServiceMetrics metrics, TimeProvider time, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        var credential = await db.Credentials.OwnedBy(caller).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (credential is null) return TypedResults.NotFound();

        var key = protector.Reveal(credential);
        await AuditTrail.RecordSecretReadAsync(db, credential, caller, time, ct);
        await db.SaveChangesKeepingEventsAsync(credential, ct);
        metrics.SecretRead();

        var baseUrl = customerIo.Value.BaseUrl(credential.Region).ToString().TrimEnd('/');
        return TypedResults.Ok(new CredentialSecret(key.Reveal(), credential.Region, baseUrl));
    }
}
