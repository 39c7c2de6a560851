using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialService.Tests.Infrastructure;

/// <summary>Mints bearer tokens the way an issuer would; the service learns the key only through configuration.</summary>
public static class Tokens
{
    public const string Issuer = "test-issuer";
    public const string Audience = "credential-service";
    public static readonly byte[] SigningKey = RandomNumberGenerator.GetBytes(32);

    public static readonly string[] AllScopes =
        ["credentials:read", "credentials:write", "credentials:test", "credentials:use", "credentials:admin"];

    public static Dictionary<string, string?> Configuration => new()
    {
        ["Authentication:Schemes:Bearer:ValidIssuer"] = Issuer,
        ["Authentication:Schemes:Bearer:ValidAudiences:0"] = Audience,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = Issuer,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = Convert.ToBase64String(SigningKey),
    };

    public static string For(string? tenant, IEnumerable<string> scopes, string subject = "user-1",
        DateTime? expires = null, byte[]? signingKey = null, bool scopesAsOneClaim = true, string scopeClaim = "scope")
    {
        var claims = new List<Claim> { new("sub", subject) };
        if (tenant is not null) claims.Add(new Claim("tenant_id", tenant));
        var scopeList = scopes.ToList();
        if (scopesAsOneClaim) claims.Add(new Claim(scopeClaim, string.Join(' ', scopeList)));
        else claims.AddRange(scopeList.Select(s => new Claim(scopeClaim, s)));

        var expiry = expires ?? DateTime.UtcNow.AddHours(1);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = expiry.AddHours(-2),
            IssuedAt = expiry.AddHours(-2),
            Expires = expiry,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(signingKey ?? SigningKey), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
