using System.Security.Claims;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using CredentialService.Infrastructure.Auth;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialService.Bench.Micro;

/// <summary>
/// What the bearer handler spends on one request's token: the full validation (parse, signature, lifetime,
/// audience, issuer, claims) against a remembered one (SHA-256 of the token, a cache hit, a copy of the claims).
/// </summary>
[MemoryDiagnoser]
public class TokenValidationBenchmarks
{
    private readonly JsonWebTokenHandler plain = new() { MapInboundClaims = false };
    private readonly CachingJsonWebTokenHandler cached =
        new(new MemoryCache(new MemoryCacheOptions { SizeLimit = CachingJsonWebTokenHandler.MaxEntries }), TimeSpan.FromSeconds(60))
        { MapInboundClaims = false };
    private TokenValidationParameters parameters = null!;
    private string token = null!;

    [GlobalSetup]
    public void Setup()
    {
        var key = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
        parameters = new TokenValidationParameters
        {
            ValidIssuer = "bench", ValidAudience = "credential-service", IssuerSigningKeys = [key],
        };
        token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "bench",
            Audience = "credential-service",
            Expires = DateTime.UtcNow.AddHours(1),
            Subject = new ClaimsIdentity([
                new Claim("sub", "worker-17"), new Claim("tenant_id", "tenant-042"),
                new Claim("scope", "credentials:read credentials:write credentials:test credentials:proxy"),
            ]),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
        if (!cached.ValidateTokenAsync(token, parameters).GetAwaiter().GetResult().IsValid) throw new InvalidOperationException("token");
    }

    [Benchmark(Baseline = true)]
    public Task<TokenValidationResult> FullValidation() => plain.ValidateTokenAsync(token, parameters);

    [Benchmark]
    public Task<TokenValidationResult> Remembered() => cached.ValidateTokenAsync(token, parameters);
}
