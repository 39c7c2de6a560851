using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace CredentialService.Infrastructure.Auth;

public static class AuthSetup
{
    /// <summary>
    /// JWT bearer tokens, configured only through <c>Authentication:Schemes:Bearer</c> (Authority, ValidAudiences,
    /// ValidIssuer, SigningKeys), so <c>dotnet user-jwts</c> and any OpenID Connect issuer work unchanged.
    /// One policy per scope; each also demands the tenant claim.
    /// </summary>
    public static IHostApplicationBuilder AddCallerAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            // Keep claim names as issued ("sub", "scope", "scp", "tenant_id"), not mapped to SOAP-era URIs.
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.SaveToken = false;
            });
        // Bound from configuration, the signing keys are a lazy sequence that re-reads configuration and builds a
        // new key for every token validated: make it a list once (again on every configuration reload).
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o =>
        {
            if (o.TokenValidationParameters.IssuerSigningKeys is { } keys and not IList<SecurityKey>)
            {
                o.TokenValidationParameters.IssuerSigningKeys = keys.ToList();
            }
        });

        builder.Services.AddOptions<SigningKeysCheck>().BindConfiguration(SigningKeysCheck.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SigningKeysCheck>, SigningKeysValidator>();

        builder.Services.AddOptions<TenancyOptions>().BindConfiguration("Tenancy")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ClaimType), "Tenancy:ClaimType must not be empty.")
            .ValidateOnStart();

        builder.Services.AddSingleton<IAuthorizationHandler, ScopeHandler>();
        var authorization = builder.Services.AddAuthorizationBuilder();
        foreach (var scope in Scopes.All)
        {
            authorization.AddPolicy(scope, p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope)));
        }

        return builder;
    }
}

public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

/// <summary>Scopes come from <c>scope</c> (space-separated or repeated) or <c>scp</c>; the tenant claim must be present.</summary>
internal sealed class ScopeHandler(IOptions<TenancyOptions> tenancy) : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var user = context.User;
        var hasScope = user.Claims
            .Where(c => c.Type is "scope" or "scp")
            .Any(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(requirement.Scope, StringComparer.Ordinal));
        if (hasScope && Caller.TenantOf(user, tenancy.Value.ClaimType) is not null)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
