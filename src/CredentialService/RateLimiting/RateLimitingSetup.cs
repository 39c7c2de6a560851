namespace CredentialService.RateLimiting;

public static class RateLimitingSetup
{
    /// <summary>The shared (Postgres-backed) rate limiter and the cleanup of idle buckets.</summary>
    public static IHostApplicationBuilder AddSharedRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SharedRateLimiter>();
        builder.Services.AddHostedService<RateLimitBucketCleanup>();
        return builder;
    }
}
