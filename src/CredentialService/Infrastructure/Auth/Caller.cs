using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace CredentialService.Infrastructure.Auth;

public sealed class TenancyOptions
{
    public string ClaimType { get; set; } = "tenant_id";
}

/// <summary>
/// Who is calling: the tenant every query is scoped to, and the actor recorded in the audit trail.
/// Bound from the authenticated token; the scope policies already refused tokens without a valid tenant and subject.
/// </summary>
public sealed record Caller(string TenantId, string Actor)
{
    /// <summary>The longest tenant id or subject accepted: the width of the columns that store them.</summary>
    public const int MaxIdentifierLength = 200;

    public static ValueTask<Caller?> BindAsync(HttpContext context)
    {
        var claimType = context.RequestServices.GetRequiredService<IOptions<TenancyOptions>>().Value.ClaimType;
        var tenant = TenantOf(context.User, claimType);
        var actor = ActorOf(context.User);
        return ValueTask.FromResult(tenant is null || actor is null ? null : new Caller(tenant, actor));
    }

    /// <summary>
    /// The tenant: exactly one claim of <paramref name="claimType"/>, a JSON string (not a number, array or object),
    /// 1..200 characters, not blank, no control characters. Anything else is no tenant (403), never a guess.
    /// </summary>
    public static string? TenantOf(ClaimsPrincipal user, string claimType) => SingleIdentifier(user, claimType);

    /// <summary>The actor recorded in events: the <c>sub</c> claim, under the same rules as the tenant.</summary>
    public static string? ActorOf(ClaimsPrincipal user) => SingleIdentifier(user, "sub");

    private static string? SingleIdentifier(ClaimsPrincipal user, string claimType)
    {
        Claim? found = null;
        foreach (var claim in user.Claims)
        {
            if (claim.Type != claimType) continue;
            if (found is not null) return null; // several values (a JSON array): which one would be a guess
            found = claim;
        }

        return found is { ValueType: ClaimValueTypes.String, Value: var value } && IsValidIdentifier(value) ? value : null;
    }

    public static bool IsValidIdentifier(string value) =>
        value.Length is > 0 and <= MaxIdentifierLength && !string.IsNullOrWhiteSpace(value) && !value.Any(char.IsControl);
}
