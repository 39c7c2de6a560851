using System.Buffers.Text;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialService.Infrastructure.Auth;

public static class AuthSetup
{
    /// <summary>
    /// JWT bearer tokens, configured only through <c>Authentication:Schemes:Bearer</c> (Authority, ValidAudiences,
    /// ValidIssuer, SigningKeys), so <c>dotnet user-jwts</c> and any OpenID Connect issuer work unchanged.
    /// One policy per scope; each also demands a valid tenant claim and subject (<see cref="Caller"/>).
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
        builder.Services.AddOptions<TokenOptions>().BindConfiguration("Authentication")
            .Validate(o => o.ClockSkewSeconds is >= 0 and <= 300, "Authentication:ClockSkewSeconds must be between 0 and 300.")
            .Validate(o => o.ValidatedTokenCacheSeconds is >= 0 and <= 300,
                "Authentication:ValidatedTokenCacheSeconds must be between 0 and 300.")
            .ValidateOnStart();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .PostConfigure<IOptions<TokenOptions>, IOptions<TenancyOptions>, IHostEnvironment>((o, token, tenancy, environment) =>
            {
                // Bound from configuration, the signing keys are a lazy sequence that re-reads configuration and builds
                // a new key for every token validated: make it a list once (again on every configuration reload).
                if (o.TokenValidationParameters.IssuerSigningKeys is { } keys and not IList<SecurityKey>)
                {
                    o.TokenValidationParameters.IssuerSigningKeys = keys.ToList();
                }

                o.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(token.Value.ClockSkewSeconds);
                o.TokenHandlers.Clear();
                o.TokenHandlers.Add(new CachingJsonWebTokenHandler(
                    new MemoryCache(new MemoryCacheOptions { SizeLimit = CachingJsonWebTokenHandler.MaxEntries }),
                    TimeSpan.FromSeconds(token.Value.ValidatedTokenCacheSeconds)) { MapInboundClaims = false });
                // "The token expired at 10:02:11" helps a developer and an attacker alike.
                o.IncludeErrorDetails = environment.IsDevelopment();
                var claimType = tenancy.Value.ClaimType;
                var validated = o.Events.OnTokenValidated;
                o.Events.OnTokenValidated = async context =>
                {
                    DropNonStringTenant(context, claimType);
                    await validated(context);
                };
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

    /// <summary>
    /// A tenant claim the token carries as a JSON array (even of one element), number or object is no tenant: the
    /// claims alone cannot tell <c>["acme"]</c> from <c>"acme"</c>, so the payload is read. Without its tenant claim
    /// the token is authenticated but authorised for nothing (403).
    /// </summary>
    private static void DropNonStringTenant(TokenValidatedContext context, string claimType)
    {
        if (context.SecurityToken is not JsonWebToken jwt || context.Principal?.Identity is not ClaimsIdentity identity) return;
        if (!identity.HasClaim(c => c.Type == claimType)) return;
        bool isString;
        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.EncodedPayload));
            isString = payload.RootElement.TryGetProperty(claimType, out var value) && value.ValueKind == JsonValueKind.String;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            isString = false;
        }

        if (isString) return;
        foreach (var claim in identity.FindAll(claimType).ToList()) identity.RemoveClaim(claim);
    }
}

public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

/// <summary><c>Authentication:*</c>: how far a token's exp/nbf may be off (default 30 s), how long a validated one is remembered.</summary>
public sealed class TokenOptions
{
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>How long a validated token is remembered (<see cref="CachingJsonWebTokenHandler"/>); 0: never.</summary>
    public int ValidatedTokenCacheSeconds { get; set; } = 60;
}

/// <summary>Scopes come from <c>scope</c> (space-separated or repeated) or <c>scp</c>; the tenant claim must be present.</summary>
internal sealed class ScopeHandler(IOptions<TenancyOptions> tenancy) : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var user = context.User;
        var hasScope = user.Claims
            .Where(c => c.Type is "scope" or "scp")
            .Any(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(requirement.Scope, StringComparer.Ordinal));
        if (hasScope && Caller.TenantOf(user, tenancy.Value.ClaimType) is not null && Caller.ActorOf(user) is not null)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
