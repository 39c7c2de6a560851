using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace CredentialService.Infrastructure.Auth;

public sealed class TenancyOptions
{
    public string ClaimType { get; set; } = "tenant_id";
}

/// <summary>
/// Who is calling: the tenant every query is scoped to, and the actor recorded in the audit trail.
/// Bound from the authenticated token; the scope policies already refused tokens without a tenant.
/// </summary>
public sealed record Caller(string TenantId, string Actor)
{
    public static ValueTask<Caller?> BindAsync(HttpContext context)
    {
        var claimType = context.RequestServices.GetRequiredService<IOptions<TenancyOptions>>().Value.ClaimType;
        var tenant = TenantOf(context.User, claimType);
        return ValueTask.FromResult(tenant is null
            ? null
            : new Caller(tenant, context.User.FindFirstValue("sub") ?? "unknown"));
    }

    public static string? TenantOf(ClaimsPrincipal user, string claimType) =>
        user.FindFirstValue(claimType) is { Length: > 0 } tenant ? tenant : null;
}
