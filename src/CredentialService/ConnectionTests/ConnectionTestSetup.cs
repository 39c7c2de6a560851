using System.Globalization;
using System.Threading.RateLimiting;
using CredentialService.Infrastructure.Auth;
using CredentialService.Infrastructure.Telemetry;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CredentialService.ConnectionTests;

public sealed class TestRateLimitOptions
{
    public int TestsPerSecondPerTenant { get; set; } = 5;
}

public static class ConnectionTestSetup
{
    public const string RateLimitPolicy = "connection-tests";

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

        builder.Services.AddSingleton(TimeProvider.System);
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

        builder.Services.AddRateLimiter(o =>
        {
            o.AddPolicy(RateLimitPolicy, context =>
            {
                var perSecond = context.RequestServices.GetRequiredService<IOptions<TestRateLimitOptions>>().Value.TestsPerSecondPerTenant;
                var tenant = Caller.TenantOf(context.User,
                    context.RequestServices.GetRequiredService<IOptions<TenancyOptions>>().Value.ClaimType) ?? "";
                return RateLimitPartition.GetFixedWindowLimiter(tenant, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perSecond,
                    Window = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                });
            });
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after)
                    ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds))
                    : 1;
                var http = context.HttpContext;
                http.RequestServices.GetRequiredService<ServiceMetrics>().RateLimited();
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many connection tests",
                        Detail = $"This tenant may run {http.RequestServices.GetRequiredService<IOptions<TestRateLimitOptions>>().Value.TestsPerSecondPerTenant} " +
                                 $"connection tests per second (Customer.io allows 10 requests per second per workspace). Try again in {retryAfter} second(s).",
                    },
                });
            };
        });
        return builder;
    }
}
