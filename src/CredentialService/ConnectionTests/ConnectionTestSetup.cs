using Microsoft.Extensions.Options;

namespace CredentialService.ConnectionTests;

public sealed class TestRateLimitOptions
{
    public int TestsPerSecondPerTenant { get; set; } = 5;
}

public static class ConnectionTestSetup
{
    public static IHostApplicationBuilder AddConnectionTests(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CustomerIoOptions>().BindConfiguration(CustomerIoOptions.Section)
            .ValidateDataAnnotations()
            .Validate(CustomerIoOptions.HasValidRegions,
                "CustomerIo:Regions:us:BaseUrl and CustomerIo:Regions:eu:BaseUrl must be absolute http(s) URLs.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CustomerIoOptions>, CustomerIoOptionsValidator>();
        builder.Services.AddOptions<TestRateLimitOptions>().BindConfiguration("RateLimiting")
            .Validate(o => o.TestsPerSecondPerTenant > 0, "RateLimiting:TestsPerSecondPerTenant must be positive.")
            .ValidateOnStart();

        builder.Services.AddHttpClient<CustomerIoClient>(c => c.Timeout = Timeout.InfiniteTimeSpan) // the client's own budget bounds each test
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                ConnectTimeout = TimeSpan.FromSeconds(services.GetRequiredService<IOptions<CustomerIoOptions>>().Value.TimeoutSeconds),
                // Our trace ids (traceparent, tracestate, baggage) are none of a third party's business.
                ActivityHeadersPropagator = System.Diagnostics.DistributedContextPropagator.CreateNoOutputPropagator(),
            })
            // The handler lives as long as the pooled connections; DNS changes are picked up by PooledConnectionLifetime.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        builder.Services.AddSingleton<ConnectionTestRateLimit>();
        return builder;
    }
}
