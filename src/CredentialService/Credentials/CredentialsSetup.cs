using CredentialService.Idempotency;

namespace CredentialService.Credentials;

public static class CredentialsSetup
{
    /// <summary>
    /// The credentials feature: the per-tenant maximum (<c>Credentials:*</c>), the list and write limits per tenant
    /// (<c>RateLimiting:*</c>) and idempotent creates.
    /// </summary>
    public static IHostApplicationBuilder AddCredentials(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CredentialLimitsOptions>().BindConfiguration("Credentials")
            .Validate(o => o.MaxPerTenant > 0, "Credentials:MaxPerTenant must be positive.")
            .ValidateOnStart();
        builder.Services.AddOptions<TenantRequestLimitOptions>().BindConfiguration("RateLimiting")
            .Validate(TenantRequestLimitOptions.IsValid,
                "RateLimiting:ListRequestsPerSecondPerTenant and RateLimiting:WriteRequestsPerSecondPerTenant must be positive, RateLimiting:MaxQueueSeconds 0..30.")
            .ValidateOnStart();
        builder.Services.AddSingleton<CredentialListRateLimit>();
        builder.Services.AddSingleton<CredentialWriteRateLimit>();
        builder.Services.AddScoped<IdempotentCreate>();
        return builder;
    }
}
